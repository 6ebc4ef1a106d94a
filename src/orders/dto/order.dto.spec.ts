/**
 * The order body's fast path against the full validation (class-validator and class-transformer, as
 * the global pipe runs them): for any body, what the fast path accepts the full validation accepts,
 * as the very same instance; the pipe answers every body — accepted or refused, with the same error —
 * as the full validation alone does; and the well-formed bodies clients send take the fast path.
 */
import fc from 'fast-check';
import type { ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe } from '../../common/http/validation';
import { placeOrderFastPath, PlaceOrderDto } from './order.dto';

const BODY: ArgumentMetadata = { type: 'body', metatype: PlaceOrderDto, data: undefined };
const full = createValidationPipe({ fastPaths: false });
const app = createValidationPipe();

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: true, value: await run() };
  } catch (e) {
    const err = e as { code?: string; message?: string; details?: unknown };
    return { ok: false, error: { type: (e as object).constructor.name, code: err.code, message: err.message, details: err.details } };
  }
}

/** Each field's candidates: values its rule accepts, then values it refuses (the edges of both). */
const decimals: [unknown[], unknown[]] = [
  ['1', '0.001', '60000.10', '1000000000000', '0.00000001'],
  ['0', '-1', '1e3', '1.123456789', '1000000000000.1', ' 1', '1.', '.5', 'abc', '', 1, 0.5, null, true],
];
const FIELDS: Record<string, [unknown[], unknown[]]> = {
  accountId: [[1, 2, 99999, Number.MAX_SAFE_INTEGER], [0, -1, 1.5, '1', null, true]],
  symbol: [['BTCUSDT', 'ETHUSDT', 'BTCUSD_PERP', 'X'.repeat(50)], ['B', 'btcusdt', 'BTC USDT', 'X'.repeat(51), 12, null, ['BTCUSDT']]],
  side: [['BUY', 'SELL'], ['buy', 'HOLD', '', 1, null]],
  positionSide: [['BOTH', 'LONG', 'SHORT'], ['long', 'NONE', null, 0]],
  type: [['MARKET', 'LIMIT', 'STOP', 'STOP_MARKET', 'TAKE_PROFIT', 'TAKE_PROFIT_MARKET', 'TRAILING_STOP_MARKET'], ['market', 'ICEBERG', null, 3]],
  quantity: decimals,
  price: decimals,
  stopPrice: decimals,
  timeInForce: [['GTC', 'IOC', 'FOK', 'GTX'], ['GTD', 'gtc', null, 1]],
  reduceOnly: [[true, false], ['true', 0, 1, null]],
  closePosition: [[true, false], ['false', null]],
  clientOrderId: [['my-order-1', 'a', 'A.b_c:d-e', 'x'.repeat(36)], ['x'.repeat(37), 'has space', 'é', '', 7, null]],
  callbackRate: [['0.1', '1', '10'], ['10.01', '0.123', '0', '-1', 1, null]],
  activationPrice: decimals,
  workingType: [['MARK_PRICE', 'CONTRACT_PRICE'], ['LAST_PRICE', null]],
};
const EXTRA = ['leverage', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'quantity '];

/** A body through JSON, as bodies arrive (an own "__proto__" key is a key like any other there). */
const viaJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

// mostly accepted values, so that both sides of every rule come up, alone and together
const bodyArb = fc
  .record(
    {
      ...Object.fromEntries(
        Object.entries(FIELDS).map(([k, [valid, invalid]]) => [
          k,
          fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 12 }, { arbitrary: fc.constantFrom(...invalid), weight: 1 }),
        ]),
      ),
      extra: fc.constantFrom(...EXTRA),
    },
    { requiredKeys: [] },
  )
  .chain((r) =>
    fc.integer({ min: 0, max: 9 }).map((n) => {
      const { extra, ...fields } = r as Record<string, unknown>;
      // symbol, side and type present in most bodies (else every one is refused for them)
      const body = n < 8 ? { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', ...fields } : fields;
      const json = JSON.stringify(body);
      if (n !== 0 || extra === undefined) return JSON.parse(json) as unknown;
      return JSON.parse(`${json.slice(0, -1)}${json.length > 2 ? ',' : ''}${JSON.stringify(extra)}:1}`) as unknown;
    }),
  );
const otherArb = fc.constantFrom<unknown>(null, undefined, 'BTCUSDT', 42, [], [{ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET' }], Object.create(null));

describe('PlaceOrderDto fast path', () => {
  it('accepts only what the full validation accepts, as the same instance', async () => {
    let fastAccepted = 0;
    let fullAccepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: bodyArb, weight: 20 }, { arbitrary: otherArb, weight: 1 }), async (body) => {
        const slow = await outcome(() => full.transform(viaJson(body), BODY));
        const fast = placeOrderFastPath(viaJson(body));
        if (slow.ok) fullAccepted++;
        if (fast !== undefined) {
          fastAccepted++;
          expect(slow.ok).toBe(true);
          expect(fast).toBeInstanceOf(PlaceOrderDto);
          expect(fast).toStrictEqual((slow as { value: unknown }).value);
        }
        // the app's pipe: the full validation's answer, accepted or refused alike
        expect(await outcome(() => app.transform(viaJson(body), BODY))).toStrictEqual(slow);
      }),
      { numRuns: 4000, seed: 20261206 },
    );
    // the generated bodies did reach both sides of every rule
    expect(fullAccepted).toBeGreaterThan(50);
    expect(fastAccepted).toBeGreaterThan(0);
  });

  it('takes the well-formed bodies clients send', async () => {
    const bodies = [
      { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '0.010' },
      { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', quantity: '0.001', price: '60000.10', timeInForce: 'GTC', clientOrderId: 'bot-1:42' },
      { symbol: 'ETHUSDT', side: 'SELL', positionSide: 'LONG', type: 'STOP_MARKET', stopPrice: '2900', closePosition: true, workingType: 'MARK_PRICE' },
      { accountId: 3, symbol: 'BTCUSDT', side: 'BUY', type: 'TRAILING_STOP_MARKET', quantity: '1', callbackRate: '1.5', activationPrice: '61000', reduceOnly: false },
    ];
    for (const body of bodies) {
      const fast = placeOrderFastPath(viaJson(body));
      expect(fast).toBeDefined();
      expect(fast).toStrictEqual(await full.transform(viaJson(body), BODY));
    }
  });

  it('leaves a body with a null optional field to the full validation, which accepts it', async () => {
    const body = { symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', quantity: '1', price: null };
    expect(placeOrderFastPath(body)).toBeUndefined();
    expect(await app.transform({ ...body }, BODY)).toStrictEqual(await full.transform({ ...body }, BODY));
  });
});
