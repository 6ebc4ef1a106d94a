/**
 * Contract-math throughput: liquidation price and maintenance margin with big.js (the calculator)
 * against the hot-path representation (precomputed scaled-integer thresholds and margin lines).
 *
 * Run alone: node -r @swc-node/register bench/calculator.bench.ts
 */
import { dec } from '../src/common/decimal';
import type { Decimal } from '../src/common/decimal';
import {
  BTCUSDT,
  BTCUSD_PERP,
  isLiquidatable,
  linearMarginKernel,
  liquidationPrice,
  liquidationThreshold,
  maintenanceMargin,
  maintenanceMarginScaled,
  toScaled,
  unrealizedPnl,
  unrealizedPnlScaled,
} from '../src/contracts/domain';
import type { LiquidationInput, PositionInput } from '../src/contracts/domain';

const DURATION_NS = 1_500_000_000n;

function measure(label: string, body: (i: number) => unknown): void {
  let sink: unknown;
  let iterations = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < DURATION_NS) {
    for (let k = 0; k < 256; k++) sink = body(iterations++);
    elapsed = process.hrtime.bigint() - start;
  }
  const perSecond = (BigInt(iterations) * 1_000_000_000n) / elapsed;
  console.log(`${label.padEnd(58)} ${perSecond.toLocaleString('en-US').padStart(14)} /s`);
  if (sink === Symbol.for('never')) console.log('unreachable');
}

export async function run(): Promise<void> {
  const linear: PositionInput = { spec: BTCUSDT, side: 'LONG', size: dec('2.5'), entryPrice: dec('50000') };
  const linearInput: LiquidationInput = { spec: BTCUSDT, legs: [linear], walletBalance: dec('10000') };
  const inverseInput: LiquidationInput = {
    spec: BTCUSD_PERP,
    legs: [{ side: 'SHORT', size: dec(1000), entryPrice: dec('40000') }],
    walletBalance: dec('0.5'),
  };
  const marks: Decimal[] = [];
  for (let k = 0; k < 1024; k++) marks.push(dec(40000).plus(dec(k).times('13.37')));
  const marksScaled = marks.map((m) => toScaled(m, 8));

  console.log('contract math (1.5 s each)');
  measure('liquidationPrice, linear isolated (big.js)', () => liquidationPrice(linearInput));
  measure('liquidationPrice, inverse isolated (big.js)', () => liquidationPrice(inverseInput));
  const hedgeInput: LiquidationInput = {
    spec: BTCUSDT,
    legs: [
      { side: 'LONG', size: dec(2), entryPrice: dec('50000') },
      { side: 'SHORT', size: dec(1), entryPrice: dec('52000') },
    ],
    walletBalance: dec('3000'),
  };
  measure('liquidationPrice, linear cross hedge, 2 legs (big.js)', () => liquidationPrice(hedgeInput));

  const linearThreshold = liquidationThreshold(linearInput);
  const inverseThreshold = liquidationThreshold(inverseInput);
  measure('isLiquidatable, linear (precomputed bigint threshold)', (i) => isLiquidatable(linearThreshold, marksScaled[i & 1023]!));
  measure('isLiquidatable, inverse (precomputed bigint threshold)', (i) => isLiquidatable(inverseThreshold, marksScaled[i & 1023]!));

  measure('maintenanceMargin + unrealizedPnl at mark (big.js)', (i) => {
    const markPrice = marks[i & 1023]!;
    return [maintenanceMargin({ spec: BTCUSDT, size: linear.size, markPrice }), unrealizedPnl(linear, markPrice)];
  });
  const kernel = linearMarginKernel(linear);
  measure('maintenanceMargin + unrealizedPnl at mark (bigint kernel)', (i) => {
    const markScaled = marksScaled[i & 1023]!;
    return maintenanceMarginScaled(kernel, markScaled) + unrealizedPnlScaled(kernel, markScaled);
  });
}

if (require.main === module) {
  run().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
