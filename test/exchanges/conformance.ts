/**
 * One conformance suite for every ExchangeAdapter (paper here; Binance and OKX against their fake
 * servers later), scoped by the adapter's declared capabilities (freqtrade tests/exchange style).
 *
 * Cases are numbered and stable (C01…); a venue that cannot do something declares it in its
 * capabilities and the case is skipped, never weakened. Cases that need to move the market run
 * only when the harness gives `driveMarket` (the paper exchange, fake servers).
 *
 * The harness contract: a fresh adapter per case, an account holding at least 10,000 of the
 * symbol's margin asset, one-way mode, cross margin, and a market on `symbol` around 60,000.
 */
import { dec, type Decimal } from '../../src/common/decimal';
import { DomainError } from '../../src/common/errors';
import type { ExchangeAdapter, Fill, Order, Position } from '../../src/exchanges/base';

export interface DriveMarket {
  (p: { symbol: string; last: string; mark?: string; bids?: [string, string][]; asks?: [string, string][]; trades?: [string, string, 'BUY' | 'SELL'][] }): Promise<void>;
}

export interface ConformanceHarness {
  adapter: ExchangeAdapter;
  /** A linear perpetual around 60,000 with step 0.001 (default BTCUSDT). */
  symbol?: string;
  driveMarket?: DriveMarket;
  close(): Promise<void>;
}

const LADDER = (mid: number, n = 5, qty = '2'): { bids: [string, string][]; asks: [string, string][] } => ({
  bids: Array.from({ length: n }, (_, i) => [String(mid - (i + 1)), qty] as [string, string]),
  asks: Array.from({ length: n }, (_, i) => [String(mid + (i + 1)), qty] as [string, string]),
});

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('the call was expected to be refused');
}

function sum(values: Decimal[]): Decimal {
  return values.reduce((s, v) => s.plus(v), dec(0));
}

export function runConformanceSuite(name: string, makeAdapter: () => Promise<ConformanceHarness>): void {
  describe(`${name} conformance`, () => {
    let h: ConformanceHarness;
    let symbol: string;
    beforeEach(async () => {
      h = await makeAdapter();
      symbol = h.symbol ?? 'BTCUSDT';
      await h.driveMarket?.({ symbol, last: '60000', ...LADDER(60000) });
    });
    afterEach(async () => {
      await h.close();
    });
    const caps = () => h.adapter.capabilities;
    const drive = () => h.driveMarket!;
    const driven = (title: string, fn: () => Promise<void>) =>
      it(title, async () => {
        if (!h.driveMarket) return;
        await fn();
      });

    it('C01 declares coherent capabilities', () => {
      const c = caps();
      expect(c.orderTypes).toContain('MARKET');
      expect(c.orderTypes).toContain('LIMIT');
      expect(c.timeInForce).toContain('GTC');
      expect(c.linear || c.inverse).toBe(true);
      expect(c.isolatedMargin || c.crossMargin).toBe(true);
    });

    it('C02 lists contract specs with brackets, and refuses an unknown symbol', async () => {
      const contracts = await h.adapter.getContracts();
      const spec = contracts.find((c) => c.symbol === symbol);
      expect(spec).toBeDefined();
      expect(spec!.brackets.length).toBeGreaterThan(0);
      expect(spec!.tickSize.gt(0) && spec!.stepSize.gt(0)).toBe(true);
      const e = await rejection(h.adapter.getContract({ symbol: 'NOPE_PERP' }));
      expect(e.httpStatus).toBe(404);
    });

    it('C03 reports last, mark, index, funding and a sorted book', async () => {
      const [ticker, mark, depth] = await Promise.all([h.adapter.getTicker({ symbol }), h.adapter.getMarkPrice({ symbol }), h.adapter.getDepth({ symbol, limit: 5 })]);
      expect(ticker.lastPrice.gt(0) && mark.markPrice.gt(0) && mark.indexPrice.gt(0)).toBe(true);
      expect(mark.nextFundingTs).toBeGreaterThan(mark.ts);
      expect(depth.bids.length).toBeGreaterThan(0);
      for (let i = 1; i < depth.bids.length; i++) expect(depth.bids[i].price.lt(depth.bids[i - 1].price)).toBe(true);
      for (let i = 1; i < depth.asks.length; i++) expect(depth.asks[i].price.gt(depth.asks[i - 1].price)).toBe(true);
      expect(depth.bids[0].price.lt(depth.asks[0].price)).toBe(true);
    });

    driven('C04 a market order fills, opens a position and charges commission', async () => {
      const r = await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'MARKET', qty: dec('0.01') });
      expect(r.order.status).toBe('FILLED');
      expect(sum(r.fills.map((f) => f.qty)).toFixed()).toBe('0.01');
      const [p] = await h.adapter.getPositions({ symbol });
      expect(p.qty.toFixed()).toBe('0.01');
      const income = await h.adapter.getIncome({ symbol, type: 'COMMISSION' });
      expect(sum(income.map((i) => i.amount)).toFixed()).toBe(sum(r.fills.map((f) => f.fee)).neg().toFixed());
    });

    it('C05 a limit order rests, is listed, found by client id, cancelled once', async () => {
      const r = await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', price: dec('50000'), qty: dec('0.01'), clientOrderId: 'conf-c05' });
      expect(r.order.status).toBe('NEW');
      expect((await h.adapter.listOpenOrders({ symbol })).map((o) => o.clientOrderId)).toContain('conf-c05');
      expect((await h.adapter.getOrder({ symbol, clientOrderId: 'conf-c05' })).orderId).toBe(r.order.orderId);
      expect((await h.adapter.cancelOrder({ symbol, orderId: r.order.orderId })).status).toBe('CANCELED');
      expect((await rejection(h.adapter.cancelOrder({ symbol, orderId: r.order.orderId }))).code).toBe('ORDER_NOT_FOUND');
      expect((await h.adapter.getOrder({ symbol, orderId: r.order.orderId })).status).toBe('CANCELED');
    });

    it('C06 refuses a client order id already used by an open order', async () => {
      await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', price: dec('50000'), qty: dec('0.01'), clientOrderId: 'conf-c06' });
      const e = await rejection(h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', price: dec('50001'), qty: dec('0.01'), clientOrderId: 'conf-c06' }));
      expect(e.code).toBe('DUPLICATE_CLIENT_ORDER_ID');
    });

    it('C07 rejects a post-only order that would cross', async () => {
      if (!caps().timeInForce.includes('GTX')) return;
      const depth = await h.adapter.getDepth({ symbol, limit: 1 });
      const e = await rejection(h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', price: depth.asks[0].price, qty: dec('0.01') }));
      expect(e.code).toBe('POST_ONLY_WOULD_CROSS');
    });

    driven('C08 FOK fills all or nothing; IOC expires its remainder', async () => {
      await drive()({ symbol, last: '60000', bids: [['59999', '0.02']], asks: [['60001', '0.02']] });
      const e = await rejection(h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'FOK', price: dec('60001'), qty: dec('0.05') }));
      expect(e.code).toBe('FOK_NOT_FILLABLE');
      expect(await h.adapter.getPositions({ symbol })).toHaveLength(0);
      const ioc = await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', timeInForce: 'IOC', price: dec('60001'), qty: dec('0.05') });
      expect([ioc.order.status, ioc.order.executedQty.toFixed()]).toEqual(['EXPIRED', '0.02']);
    });

    driven('C09 reduce-only never increases a position', async () => {
      expect((await rejection(h.adapter.placeOrder({ symbol, side: 'SELL', type: 'MARKET', qty: dec('0.01'), reduceOnly: true }))).code).toBe('REDUCE_ONLY_REJECTED');
      await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'MARKET', qty: dec('0.02') });
      const r = await h.adapter.placeOrder({ symbol, side: 'SELL', type: 'MARKET', qty: dec('0.05'), reduceOnly: true });
      expect(r.order.executedQty.toFixed()).toBe('0.02');
      expect(await h.adapter.getPositions({ symbol })).toHaveLength(0);
    });

    driven('C10 hedge mode holds both sides', async () => {
      if (!caps().hedgeMode) return;
      await h.adapter.setPositionMode({ mode: 'HEDGE' });
      expect(await h.adapter.getPositionMode()).toBe('HEDGE');
      await h.adapter.placeOrder({ symbol, side: 'BUY', positionSide: 'LONG', type: 'MARKET', qty: dec('0.01') });
      await h.adapter.placeOrder({ symbol, side: 'SELL', positionSide: 'SHORT', type: 'MARKET', qty: dec('0.02') });
      const sides = (await h.adapter.getPositions({ symbol })).map((p: Position) => `${p.positionSide}:${p.qty.toFixed()}`).sort();
      expect(sides).toEqual(['LONG:0.01', 'SHORT:-0.02']);
    });

    driven('C11 leverage, isolated margin and margin changes', async () => {
      if (!caps().isolatedMargin) return;
      const lev = await h.adapter.setLeverage({ symbol, leverage: 10 });
      expect(lev.leverage).toBe(10);
      await h.adapter.setMarginMode({ symbol, marginMode: 'ISOLATED' });
      await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'MARKET', qty: dec('0.01') });
      const [before] = await h.adapter.getPositions({ symbol });
      expect(before.marginMode).toBe('ISOLATED');
      expect(before.leverage).toBe(10);
      if (!caps().modifyIsolatedMargin) return;
      const after = await h.adapter.modifyIsolatedMargin({ symbol, delta: dec('25') });
      expect(after.isolatedMargin.minus(before.isolatedMargin).toFixed()).toBe('25');
      expect(after.liquidationPrice.lt(before.liquidationPrice)).toBe(true);
      expect((await rejection(h.adapter.setMarginMode({ symbol, marginMode: 'CROSSED' }))).code).toBe('POSITION_OR_ORDERS_EXIST');
    });

    driven('C12 a stop-market triggers on its working price and closes the position', async () => {
      if (!caps().orderTypes.includes('STOP_MARKET')) return;
      await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'MARKET', qty: dec('0.01') });
      const stop = await h.adapter.placeOrder({ symbol, side: 'SELL', type: 'STOP_MARKET', stopPrice: dec('59000'), closePosition: true, workingType: 'MARK_PRICE' });
      await drive()({ symbol, last: '59500', mark: '59500', ...LADDER(59500) });
      expect((await h.adapter.getOrder({ symbol, orderId: stop.order.orderId })).status).toBe('NEW');
      await drive()({ symbol, last: '59100', mark: '58990', ...LADDER(59100) });
      expect((await h.adapter.getOrder({ symbol, orderId: stop.order.orderId })).status).toBe('FILLED');
      expect(await h.adapter.getPositions({ symbol })).toHaveLength(0);
    });

    driven('C13 the user stream carries orders, fills, positions and balances until unsubscribed', async () => {
      if (!caps().userStream) return;
      const seen: string[] = [];
      const fills: Fill[] = [];
      const orders: Order[] = [];
      const stop = h.adapter.userStream({
        order: (o) => orders.push(o),
        fill: (f) => fills.push(f),
        position: () => seen.push('position'),
        balance: () => seen.push('balance'),
      });
      await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'MARKET', qty: dec('0.01') });
      expect(orders.map((o) => o.status)).toContain('FILLED');
      expect(fills.length).toBeGreaterThan(0);
      expect(seen).toEqual(expect.arrayContaining(['position', 'balance']));
      stop();
      const count = orders.length;
      await h.adapter.placeOrder({ symbol, side: 'SELL', type: 'MARKET', qty: dec('0.01') });
      expect(orders.length).toBe(count);
    });

    driven('C14 the market stream carries ticker, mark price, depth and trades', async () => {
      if (!caps().marketStream) return;
      const seen = new Set<string>();
      const stop = h.adapter.marketStream({ symbols: [symbol] }, {
        ticker: () => seen.add('ticker'),
        markPrice: () => seen.add('markPrice'),
        depth: () => seen.add('depth'),
        trades: () => seen.add('trades'),
      });
      await drive()({ symbol, last: '60010', ...LADDER(60010), trades: [['60010', '0.5', 'BUY']] });
      stop();
      expect([...seen].sort()).toEqual(['depth', 'markPrice', 'ticker', 'trades']);
    });

    it('C15 refuses an order the available margin cannot carry', async () => {
      const e = await rejection(h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', price: dec('59000'), qty: dec('100') }));
      expect(['INSUFFICIENT_MARGIN', 'POSITION_LIMIT_EXCEEDED']).toContain(e.code);
    });

    driven('C16 a resting limit fills as maker when the market trades through it', async () => {
      const r = await h.adapter.placeOrder({ symbol, side: 'BUY', type: 'LIMIT', price: dec('59990'), qty: dec('0.01') });
      await drive()({ symbol, last: '59980', ...LADDER(59980), trades: [['59980', '1', 'SELL']] });
      const o = await h.adapter.getOrder({ symbol, orderId: r.order.orderId });
      expect([o.status, o.avgPrice.toFixed()]).toEqual(['FILLED', '59990']);
      const maker = await h.adapter.getIncome({ symbol, type: 'COMMISSION' });
      const spec = await h.adapter.getContract({ symbol });
      expect(sum(maker.map((i) => i.amount)).neg().toFixed()).toBe(dec('599.9').times(spec.makerFeeRate).toFixed());
    });
  });
}
