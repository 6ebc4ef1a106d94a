import { dec, toApi } from '../../src/common/decimal';
import { withBracketOverride } from '../../src/contracts/calculator.usecase';
import {
  crossAccountTerms,
  getPaperContract,
  isolatedLiquidationPrice,
  initialMargin,
  liquidationPrice,
  bankruptcyPrice,
} from '../../src/contracts/domain';
import { createTestApp, type TestApp } from '../support/app';

describe('contracts API', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp();
    token = (await t.newUser('viewer')).token;
  });
  afterAll(async () => {
    await t.close();
  });
  const get = (url: string) => t.http.get(url).set('Authorization', `Bearer ${token}`);
  const calc = (symbol: string, body: object) => t.http.post(`/api/v1/contracts/${symbol}/calculator`).set('Authorization', `Bearer ${token}`).send(body);

  it('lists the paper contracts with their filters and brackets, decimals as strings', async () => {
    const res = await get('/api/v1/contracts');
    expect(res.status).toBe(200);
    const symbols = (res.body as { symbol: string }[]).map((c) => c.symbol);
    expect(symbols).toEqual(expect.arrayContaining(['BTCUSDT', 'ETHUSDT', 'BTCUSD_PERP']));
    expect(res.body.some((c: { contractType: string }) => c.contractType === 'delivery')).toBe(true);
    const delivery = await get('/api/v1/contracts?contractType=delivery');
    expect(delivery.body.every((c: { contractType: string; expiryDate: string }) => c.contractType === 'delivery' && c.expiryDate)).toBe(true);
    const coin = await get('/api/v1/contracts?marginAsset=BTC');
    expect(coin.body.map((c: { symbol: string }) => c.symbol)).toEqual(['BTCUSD_PERP']);
  });

  it('answers one spec equal to the domain spec, and 404 for an unknown symbol', async () => {
    const spec = getPaperContract('BTCUSDT');
    const res = await get('/api/v1/contracts/BTCUSDT');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      exchange: 'paper',
      symbol: 'BTCUSDT',
      contractType: 'perpetual',
      tickSize: toApi(spec.tickSize),
      stepSize: toApi(spec.stepSize),
      minQty: toApi(spec.minQty),
      minNotional: toApi(spec.minNotional),
      maxLeverage: spec.maxLeverage,
      marginAsset: 'USDT',
    });
    expect(res.body.brackets).toHaveLength(spec.brackets.length);
    expect(res.body.brackets[1].cum).toBe(toApi(spec.brackets[1].cum));
    const missing = await get('/api/v1/contracts/NOPEUSDT');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('SYMBOL_NOT_FOUND');
  });

  it('calculates an isolated linear long as the module does (Binance calculator example)', async () => {
    const res = await calc('BTCUSDT', { side: 'BUY', marginMode: 'isolated', leverage: 20, quantity: '0.5', entryPrice: '60000', exitPrice: '61000' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ initialMargin: '1500.00000000', unrealizedPnl: '500.00000000', roe: '0.33333333' });
    const spec = getPaperContract('BTCUSDT');
    const lp = isolatedLiquidationPrice({ spec, side: 'LONG', size: dec('0.5'), entryPrice: dec('60000'), isolatedMargin: dec('1500') });
    expect(res.body.liquidationPrice).toBe(toApi(lp.roundedPrice!));
    expect(res.body.liquidationState).toBe('price');
    expect(dec(res.body.liquidationPrice).lt(60000)).toBe(true);
    expect(dec(res.body.bankruptcyPrice).lt(dec(res.body.liquidationPrice))).toBe(true);
  });

  it('calculates a short, an inverse contract, a cross account with other positions and a what-if bracket', async () => {
    const short = await calc('BTCUSDT', { side: 'SHORT', marginMode: 'isolated', leverage: 10, quantity: '0.2', entryPrice: '60000', exitPrice: '58500' });
    expect(short.body).toMatchObject({ initialMargin: '1200.00000000', unrealizedPnl: '300.00000000', roe: '0.25' });
    expect(dec(short.body.liquidationPrice).gt(60000)).toBe(true);

    const inverse = await calc('BTCUSD_PERP', { side: 'LONG', marginMode: 'isolated', leverage: 10, quantity: '100', entryPrice: '40000', exitPrice: '44000' });
    expect(inverse.body).toMatchObject({ marginAsset: 'BTC', initialMargin: '0.02500000', unrealizedPnl: '0.02272727' });

    const btc = getPaperContract('BTCUSDT');
    const eth = getPaperContract('ETHUSDT');
    const body = {
      side: 'LONG', marginMode: 'cross', leverage: 20, quantity: '1', entryPrice: '60000', walletBalance: '8000',
      otherPositions: [{ symbol: 'ETHUSDT', side: 'SHORT', size: '10', entryPrice: '3000', markPrice: '3100' }],
    };
    const cross = await calc('BTCUSDT', body);
    expect(cross.status).toBe(200);
    const terms = crossAccountTerms([{ position: { spec: eth, side: 'SHORT', size: dec('10'), entryPrice: dec('3000') }, markPrice: dec('3100') }]);
    const legs = [{ side: 'LONG' as const, size: dec('1'), entryPrice: dec('60000') }];
    const expected = liquidationPrice({ spec: btc, legs, walletBalance: dec('8000'), ...terms });
    expect(cross.body.liquidationPrice).toBe(toApi(expected.roundedPrice!));
    const bp = bankruptcyPrice({ spec: btc, legs, walletBalance: dec('8000'), otherUnrealizedPnl: terms.otherUnrealizedPnl });
    expect(cross.body.bankruptcyPrice).toBe(toApi(bp.roundedPrice!));
    const alone = await calc('BTCUSDT', { ...body, otherPositions: [] });
    expect(dec(alone.body.liquidationPrice).lt(dec(cross.body.liquidationPrice))).toBe(true);

    const whatIf = await calc('BTCUSDT', { ...body, otherPositions: undefined, maintenanceMarginRate: '0.05', maintenanceAmount: '100' });
    const overridden = withBracketOverride(btc, dec('0.05'), dec('100'));
    const expectedWhatIf = liquidationPrice({ spec: overridden, legs, walletBalance: dec('8000') });
    expect(whatIf.body.liquidationPrice).toBe(toApi(expectedWhatIf.roundedPrice!));
    expect(whatIf.body.maintenanceMarginRate).toBe('0.05');
    expect(whatIf.body.maxOpenQuantity).toEqual(expect.stringMatching(/^\d+(\.\d+)?$/));
    expect(initialMargin({ spec: btc, size: dec('1'), price: dec('60000'), leverage: 20 }).toFixed(8)).toBe(whatIf.body.initialMargin);
  });

  it('validates its input: 400 with field details', async () => {
    const base = { side: 'LONG', marginMode: 'isolated', leverage: 10, quantity: '1', entryPrice: '60000' };
    const cases: [object, string][] = [
      [{ ...base, quantity: '-1' }, 'quantity'],
      [{ ...base, quantity: '0' }, 'quantity'],
      [{ ...base, quantity: 'abc' }, 'quantity'],
      [{ ...base, quantity: 1.5 }, 'quantity'],
      [{ ...base, entryPrice: '1e5' }, 'entryPrice'],
      [{ ...base, leverage: 0 }, 'leverage'],
      [{ ...base, leverage: 1000 }, 'leverage'],
      [{ ...base, side: 'UP' }, 'side'],
      [{ ...base, marginMode: 'both' }, 'marginMode'],
      [{ ...base, surprise: true }, 'surprise'],
      [{ ...base, otherPositions: [{ symbol: 'ETHUSDT', side: 'LONG', size: '-1', entryPrice: '1', markPrice: '1' }] }, 'otherPositions.0.size'],
    ];
    for (const [body, field] of cases) {
      const res = await calc('BTCUSDT', body);
      expect({ field, status: res.status, code: res.body.code }).toEqual({ field, status: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const missing = await calc('BTCUSDT', {});
    expect(missing.body.details.map((d: { field: string }) => d.field)).toEqual(
      expect.arrayContaining(['side', 'marginMode', 'leverage', 'quantity', 'entryPrice']),
    );
    const isoOthers = await calc('BTCUSDT', { ...base, otherPositions: [{ symbol: 'ETHUSDT', side: 'LONG', size: '1', entryPrice: '1', markPrice: '1' }] });
    expect(isoOthers.status).toBe(400);
    expect(isoOthers.body.code).toBe('OTHER_POSITIONS_NEED_CROSS');
    const unknown = await calc('NOPE', base);
    expect(unknown.status).toBe(404);
  });

  it('needs a token', async () => {
    expect((await t.http.get('/api/v1/contracts')).status).toBe(401);
  });
});
