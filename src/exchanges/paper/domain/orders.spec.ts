import { dec } from '../../../common/decimal';
import { ExchangeRejectedError } from '../../../common/errors';
import { aBookTick, aTick, anEngine, eventsOf, T0 } from './testing/fixtures';

const book = (ts: number, mid: string, extra: { mark?: string } = {}) => aBookTick('BTCUSDT', ts, mid, { step: '0.5', qty: '2', ...extra });

describe('PaperEngine orders', () => {
  describe('position modes', () => {
    it('hedge mode holds a long and a short at once', () => {
      const sut = anEngine({ positionMode: 'HEDGE', deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', positionSide: 'LONG', type: 'MARKET', qty: dec('0.3') });
      sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'SELL', positionSide: 'SHORT', type: 'MARKET', qty: dec('0.2') });
      const positions = sut.getAccount('a1').positions.map((p) => [p.positionSide, p.qty.toFixed()]);
      expect(positions).toEqual([
        ['LONG', '0.3'],
        ['SHORT', '-0.2'],
      ]);
    });

    it('one-way mode nets: a larger opposite order flips the position', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.3') });
      sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: dec('0.5') });
      const [p] = sut.getAccount('a1').positions;
      expect([p.positionSide, p.qty.toFixed(), p.entryPrice.toFixed()]).toEqual(['BOTH', '-0.2', '59999.5']);
    });
  });

  describe('reduce-only and closePosition', () => {
    it('a reduce-only order larger than the position only closes it', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.3') });
      const r = sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: dec('1'), reduceOnly: true });
      expect(r.value.executedQty.toFixed()).toBe('0.3');
      expect(sut.getAccount('a1').positions).toHaveLength(0);
    });

    it('a reduce-only order with nothing to reduce is rejected', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      expect(() => sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: dec('1'), reduceOnly: true })).toThrow(
        expect.objectContaining({ code: 'REDUCE_ONLY_REJECTED' }),
      );
      sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.1') });
      expect(() => sut.placeOrder({ accountId: 'a1', ts: T0 + 4, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.1'), reduceOnly: true })).toThrow(ExchangeRejectedError);
    });

    it('a resting reduce-only order is clipped when the position shrank before it filled', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.4') });
      sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', price: dec('60100'), qty: dec('0.4'), reduceOnly: true });
      sut.placeOrder({ accountId: 'a1', ts: T0 + 4, symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qty: dec('0.3') });
      sut.applyTick(aBookTick('BTCUSDT', T0 + 5, '60200', { step: '0.5', qty: '2', trades: [['60200', '5', 'BUY']] }));
      const account = sut.getAccount('a1');
      expect(account.positions).toHaveLength(0);
      expect(account.openOrders).toHaveLength(0);
    });

    it('closePosition closes the whole position when it triggers', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.3') });
      sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: dec('59000'), closePosition: true });
      sut.placeOrder({ accountId: 'a1', ts: T0 + 4, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.2') });
      const r = sut.applyTick(book(T0 + 5, '58990'));
      expect(eventsOf(r.events, 'ORDER_UPDATE').some((e) => e.execution === 'TRIGGERED')).toBe(true);
      expect(sut.getAccount('a1').positions).toHaveLength(0);
    });
  });

  describe('conditional orders', () => {
    it.each([
      ['MARK_PRICE', { last: '60000', mark: '58900' }, true],
      ['MARK_PRICE', { last: '58900', mark: '60000' }, false],
      ['CONTRACT_PRICE', { last: '58900', mark: '60000' }, true],
      ['CONTRACT_PRICE', { last: '60000', mark: '58900' }, false],
    ] as const)('a stop with workingType %s triggers on that price (%o → %s)', (workingType, prices, triggers) => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.3') });
      sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'SELL', type: 'STOP_MARKET', stopPrice: dec('59000'), qty: dec('0.3'), reduceOnly: true, workingType });
      const r = sut.applyTick(aBookTick('BTCUSDT', T0 + 4, prices.last, { step: '0.5', qty: '2', mark: prices.mark }));
      expect(eventsOf(r.events, 'ORDER_UPDATE').some((e) => e.execution === 'TRIGGERED')).toBe(triggers);
      expect(sut.getAccount('a1').positions.length).toBe(triggers ? 0 : 1);
    });

    it('a stop that would trigger at once is rejected (-2021)', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      expect(() => sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', stopPrice: dec('59000'), qty: dec('0.1') })).toThrow(
        expect.objectContaining({ code: 'ORDER_WOULD_IMMEDIATELY_TRIGGER' }),
      );
    });

    it('a trailing stop follows the best price and triggers on the callback', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.3') });
      const placed = sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'SELL', type: 'TRAILING_STOP_MARKET', callbackRate: dec('1'), qty: dec('0.3'), reduceOnly: true });
      let ts = T0 + 10;
      for (const price of ['60500', '61000', '62000', '61500']) sut.applyTick(book(ts++, price));
      const order = sut.getOrder({ accountId: 'a1', symbol: 'BTCUSDT', orderId: placed.value.orderId });
      expect(order.status).toBe('NEW');
      expect(order.stopPrice!.toFixed()).toBe('61380'); // 62000 × (1 − 1 %)
      const quiet = sut.applyTick(book(ts++, '61400'));
      expect(eventsOf(quiet.events, 'FILL')).toHaveLength(0);
      const r = sut.applyTick(book(ts++, '61380'));
      expect(eventsOf(r.events, 'ORDER_UPDATE').some((e) => e.execution === 'TRIGGERED')).toBe(true);
      expect(sut.getOrder({ accountId: 'a1', symbol: 'BTCUSDT', orderId: placed.value.orderId }).status).toBe('FILLED');
      expect(sut.getAccount('a1').positions).toHaveLength(0);
    });

    it('a STOP (limit) rests at its price once triggered', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      const placed = sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'STOP', stopPrice: dec('60500'), price: dec('60400'), qty: dec('0.1') });
      sut.applyTick(book(T0 + 3, '60600'));
      expect(sut.getOrder({ accountId: 'a1', symbol: 'BTCUSDT', orderId: placed.value.orderId }).status).toBe('NEW');
      sut.applyTick(aBookTick('BTCUSDT', T0 + 4, '60300', { step: '0.5', trades: [['60300', '1', 'SELL']] }));
      expect(sut.getOrder({ accountId: 'a1', symbol: 'BTCUSDT', orderId: placed.value.orderId }).status).toBe('FILLED');
    });
  });

  describe('time in force', () => {
    const asks: [string, string][] = [['60001', '0.2'], ['60002', '0.3']];
    const bids: [string, string][] = [['59999', '0.2'], ['59998', '0.3']];
    const tick = () => aTick('BTCUSDT', T0 + 1, { last: '60000', asks, bids });

    it('post-only (GTX) that would cross is rejected', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(tick());
      expect(() => sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', price: dec('60001'), qty: dec('0.1') })).toThrow(
        expect.objectContaining({ code: 'POST_ONLY_WOULD_CROSS' }),
      );
      const ok = sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', price: dec('60000'), qty: dec('0.1') });
      expect(ok.value.status).toBe('NEW');
    });

    it('FOK that cannot fill entirely fills nothing', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(tick());
      const before = JSON.stringify(sut.snapshot());
      expect(() => sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', price: dec('60001'), qty: dec('0.3') })).toThrow(
        expect.objectContaining({ code: 'FOK_NOT_FILLABLE' }),
      );
      expect(JSON.stringify(sut.snapshot())).toBe(before.replace(`"ts":${T0 + 1}`, `"ts":${T0 + 1}`));
      const full = sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', price: dec('60002'), qty: dec('0.3') });
      expect(full.value.status).toBe('FILLED');
    });

    it('IOC fills what it can and cancels the rest', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(tick());
      const r = sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'IOC', price: dec('59999'), qty: dec('0.5') });
      expect(r.value.status).toBe('EXPIRED');
      expect(r.value.executedQty.toFixed()).toBe('0.2');
      expect(sut.getAccount('a1').openOrders).toHaveLength(0);
    });

    it('GTC takes what crosses and rests the rest, which fills as maker when trades go through it', () => {
      const sut = anEngine({ deposit: { USDT: '100000' } });
      sut.applyTick(tick());
      const r = sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: dec('60001'), qty: dec('0.5') });
      expect([r.value.status, r.value.executedQty.toFixed()]).toEqual(['PARTIALLY_FILLED', '0.2']);
      const partial = sut.applyTick(aTick('BTCUSDT', T0 + 3, { last: '60000', trades: [['60000.5', '0.1', 'SELL'], ['60000', '0.1', 'SELL']] }));
      const makerFills = eventsOf(partial.events, 'FILL').map((e) => [e.fill.price.toFixed(), e.fill.qty.toFixed(), e.fill.role]);
      expect(makerFills).toEqual([
        ['60001', '0.1', 'MAKER'],
        ['60001', '0.1', 'MAKER'],
      ]);
      const atLimit = sut.applyTick(aTick('BTCUSDT', T0 + 4, { last: '60001', trades: [['60001', '5', 'SELL']] }));
      expect(eventsOf(atLimit.events, 'FILL')).toHaveLength(0); // touching is not trading through
    });
  });

  describe('margin', () => {
    it('refuses an order the available margin cannot carry (incl. open orders and fees)', () => {
      const sut = anEngine({ deposit: { USDT: '1000' } });
      sut.setLeverage({ accountId: 'a1', ts: T0, symbol: 'BTCUSDT', leverage: 10 });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: dec('50000'), qty: dec('0.1') }); // holds 500
      expect(() => sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: dec('50000'), qty: dec('0.1') })).toThrow(
        expect.objectContaining({ code: 'INSUFFICIENT_MARGIN' }),
      );
      sut.placeOrder({ accountId: 'a1', ts: T0 + 4, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: dec('50000'), qty: dec('0.098') });
    });

    it('limits leverage by the brackets', () => {
      const sut = anEngine({ deposit: { USDT: '1000000' } });
      sut.setLeverage({ accountId: 'a1', ts: T0, symbol: 'BTCUSDT', leverage: 125 });
      sut.applyTick(aBookTick('BTCUSDT', T0 + 1, '60000', { qty: '10' }));
      // 125x allows at most 50,000 USDT of notional
      expect(() => sut.placeOrder({ accountId: 'a1', ts: T0 + 2, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('1') })).toThrow(
        expect.objectContaining({ code: 'POSITION_LIMIT_EXCEEDED' }),
      );
      sut.placeOrder({ accountId: 'a1', ts: T0 + 3, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.8') });
      expect(() => sut.setLeverage({ accountId: 'a1', ts: T0 + 4, symbol: 'BTCUSDT', leverage: 126 })).toThrow(expect.objectContaining({ code: 'LEVERAGE_TOO_HIGH' }));
    });
  });

  describe('open-order limits (Binance MAX_NUM_ORDERS / MAX_NUM_ALGO_ORDERS)', () => {
    const limit = (sut: ReturnType<typeof anEngine>, ts: number, price: string, extra: Partial<Parameters<ReturnType<typeof anEngine>['placeOrder']>[0]> = {}) =>
      sut.placeOrder({ accountId: 'a1', ts, symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', price: dec(price), qty: dec('0.001'), timeInForce: 'GTC', ...extra });

    it('refuses the order beyond 200 open on a contract, changing nothing; orders that never rest and other contracts still go', () => {
      const sut = anEngine({ deposit: { USDT: '1000000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      sut.applyTick(aBookTick('ETHUSDT', T0 + 1, '3000', { step: '0.5', qty: '20' }));
      for (let i = 0; i < 200; i++) limit(sut, T0 + 2 + i, String(50000 + i));
      const before = sut.getAccount('a1');
      expect(before.openOrders).toHaveLength(200);
      const refusal = (() => {
        try {
          limit(sut, T0 + 300, '49000');
        } catch (e) {
          return e;
        }
      })();
      expect(refusal).toBeInstanceOf(ExchangeRejectedError);
      expect(refusal).toMatchObject({ code: 'MAX_OPEN_ORDERS', message: 'BTCUSDT allows at most 200 open orders per account; 200 are open' });
      const after = sut.getAccount('a1');
      expect(after.openOrders).toHaveLength(200);
      expect(after.balances).toEqual(before.balances);
      // a market order and an IOC limit never rest: still accepted at the limit
      expect(sut.placeOrder({ accountId: 'a1', ts: T0 + 301, symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qty: dec('0.001') }).value.status).toBe('FILLED');
      expect(limit(sut, T0 + 302, '60500', { timeInForce: 'IOC' }).value.status).toBe('FILLED');
      // another contract has its own count
      expect(sut.placeOrder({ accountId: 'a1', ts: T0 + 303, symbol: 'ETHUSDT', side: 'BUY', type: 'LIMIT', price: dec('2900'), qty: dec('0.01'), timeInForce: 'GTC' }).value.status).toBe('NEW');
      // one canceled makes room for one
      sut.cancelOrder({ accountId: 'a1', ts: T0 + 304, symbol: 'BTCUSDT', orderId: before.openOrders[0].orderId });
      expect(limit(sut, T0 + 305, '49000').value.status).toBe('NEW');
      expect(() => limit(sut, T0 + 306, '48000')).toThrow(expect.objectContaining({ code: 'MAX_OPEN_ORDERS' }));
    });

    it('refuses the conditional order beyond 10 open on a contract, while plain limit orders still go', () => {
      const sut = anEngine({ deposit: { USDT: '1000000' } });
      sut.applyTick(book(T0 + 1, '60000'));
      const stop = (ts: number, stopPrice: string) =>
        sut.placeOrder({ accountId: 'a1', ts, symbol: 'BTCUSDT', side: 'BUY', type: 'STOP_MARKET', stopPrice: dec(stopPrice), qty: dec('0.001') });
      for (let i = 0; i < 10; i++) stop(T0 + 2 + i, String(61000 + i));
      expect(() => stop(T0 + 20, '62000')).toThrow(
        expect.objectContaining({ code: 'MAX_OPEN_ORDERS', message: 'BTCUSDT allows at most 10 open conditional orders per account; 10 are open' }),
      );
      expect(sut.getAccount('a1').openOrders).toHaveLength(10);
      expect(limit(sut, T0 + 21, '59000').value.status).toBe('NEW');
    });
  });
});
