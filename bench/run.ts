/**
 * Runs the benches one after another, each printing its figures as when run alone:
 *   npm run bench                  all of them
 *   npm run bench -- orders        one (or several: -- engine orders)
 */
import * as calculator from './calculator.bench';
import * as engine from './engine.bench';
import * as fanout from './fanout.bench';
import * as orders from './orders.bench';
import * as tickpass from './tickpass.bench';

const BENCHES: Record<string, { about: string; run: () => Promise<void> }> = {
  calculator: {
    about: 'contract math: liquidation price, margins, PnL',
    run: async () => {
      await calculator.run();
    },
  },
  engine: {
    about: 'paper engine: orders/s and ticks/s in memory',
    run: async () => {
      await engine.run();
    },
  },
  fanout: {
    about: 'real-time fan-out to 1,000 socket.io clients vs raw ws, REST order to order event',
    run: async () => fanout.print(await fanout.run()),
  },
  tickpass: {
    about: "the leader's tick pass over 100 accounts with positions and resting orders, embedded and server",
    run: async () => tickpass.print(await tickpass.run()),
  },
  orders: {
    about: 'order placement over HTTP (embedded and server database) vs a bare Fastify INSERT',
    run: async () => orders.print(await orders.run()),
  },
};

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown bench ${unknown.join(', ')}; one of:\n${Object.entries(BENCHES)
        .map(([name, b]) => `  ${name.padEnd(11)} ${b.about}`)
        .join('\n')}\n`,
    );
    process.exit(2);
  }
  const names = asked.length > 0 ? asked : Object.keys(BENCHES);
  for (const name of names) {
    const started = Date.now();
    process.stdout.write(`\n=== ${name} bench\n`);
    await BENCHES[name].run();
    process.stdout.write(`=== ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

main().then(
  // the benches' apps and child processes are closed; timers of imported modules may remain
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
