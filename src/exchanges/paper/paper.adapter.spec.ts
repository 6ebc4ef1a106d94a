import { dec } from '../../common/decimal';
import { aBookTick } from './domain/testing/fixtures';
import type { EngineEvent } from './domain/engine-types';
import { PaperExchangeAdapter } from './paper.adapter';

const T = Date.UTC(2026, 0, 5, 7, 59, 0);

describe(PaperExchangeAdapter.name, () => {
  it('hands every operation’s events to onEvents before publishing them', async () => {
    const log: string[] = [];
    let now = T;
    const sut = new PaperExchangeAdapter({
      clock: () => now,
      initialBalances: { USDT: '10000' },
      onEvents: (events: EngineEvent[], op: string) => {
        log.push(`persist ${op} ${events.length}`);
      },
    });
    sut.userStream({ fill: () => log.push('fill published') });
    await sut.applyTick(aBookTick('BTCUSDT', ++now, '60000'));
    await sut.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.01') });
    expect(log).toEqual(['persist placeOrder 5', 'fill published']); // NEW, FILL, POSITION, BALANCE (commission), TRADE
  });

  it('does not publish when persistence fails, and reports the failure to the caller', async () => {
    let now = T;
    const published: string[] = [];
    const sut = new PaperExchangeAdapter({
      clock: () => now,
      initialBalances: { USDT: '10000' },
      onEvents: (_events, op) => {
        if (op === 'placeOrder') throw new Error('database is down');
      },
    });
    sut.userStream({ order: (o) => published.push(o.status) });
    await sut.applyTick(aBookTick('BTCUSDT', ++now, '60000'));
    await expect(sut.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.01') })).rejects.toThrow('database is down');
    expect(published).toEqual([]);
    // the queue keeps working after a failure
    await expect(sut.getBalances()).resolves.toHaveLength(1);
  });

  it('records funding history when a tick crosses a funding time', async () => {
    let now = T;
    const sut = new PaperExchangeAdapter({ clock: () => now, initialBalances: { USDT: '10000' } });
    await sut.applyTick(aBookTick('BTCUSDT', now, '60000', { funding: '0.0002' }));
    now = Date.UTC(2026, 0, 5, 8, 0, 1);
    await sut.applyTick(aBookTick('BTCUSDT', now, '60100', { funding: '0.0002' }));
    const history = await sut.getFundingHistory({ symbol: 'BTCUSDT' });
    expect(history.map((r) => [r.fundingTs, r.fundingRate.toFixed(), r.markPrice?.toFixed()])).toEqual([[Date.UTC(2026, 0, 5, 8), '0.0002', '60100']]);
  });
});
