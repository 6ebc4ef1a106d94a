import { openOrderChanges } from './paper-store';

const account = (openOrders: object[]) => ({ accountId: '1', openOrders }) as unknown as Parameters<typeof openOrderChanges>[1];

describe('openOrderChanges', () => {
  it('writes only the open orders an operation added or changed, and deletes the ones it closed', () => {
    const before = account([
      { orderId: '5', status: 'NEW', executedQty: '0', price: '100' },
      { orderId: '7', status: 'NEW', executedQty: '0', price: '101' },
      { orderId: '8', status: 'NEW', executedQty: '0', price: '102' },
    ]);
    // as read back from JSONB: the same records with their keys in another order
    const after = account([
      { price: '100', executedQty: '0', status: 'NEW', orderId: '5' },
      { orderId: '8', status: 'PARTIALLY_FILLED', executedQty: '0.5', price: '102' },
      { orderId: '9', status: 'NEW', executedQty: '0', price: '99' },
    ]);
    const changes = openOrderChanges(before, after);
    expect(changes.removed).toEqual(['7']);
    expect(changes.upserts.map((o) => o.orderId)).toEqual(['8', '9']);
  });

  it('compares nested values by content, and a field added or dropped is a change', () => {
    const before = account([{ orderId: '1', extra: { a: 1 } }, { orderId: '2', stopPrice: '5' }]);
    const after = account([{ orderId: '1', extra: { a: 1 } }, { orderId: '2' }]);
    expect(openOrderChanges(before, after)).toEqual({ removed: [], upserts: [{ orderId: '2' }] });
  });

  it('takes every open order as new without a state before', () => {
    const after = account([{ orderId: '3' }]);
    expect(openOrderChanges(undefined, after)).toEqual({ removed: [], upserts: [{ orderId: '3' }] });
  });
  it('finds the same changes as a comparison by id, whatever was removed, changed, added or moved', () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let round = 0; round < 2000; round++) {
      const was = Array.from({ length: rnd(12) }, (_, k) => ({ orderId: String(10 + k), qty: '1' }));
      let now: { orderId: string; qty: string }[] = was.filter(() => rnd(4) !== 0).map((o) => (rnd(5) === 0 ? { ...o, qty: '2' } : o));
      for (let k = rnd(3); k > 0; k--) now.push({ orderId: String(100 + round * 10 + k), qty: '1' });
      if (rnd(6) === 0 && now.length > 1) now = [...now.slice(1), now[0]]; // an order out of the engine's order
      const byId = new Map(was.map((o) => [o.orderId, o]));
      const expected = {
        removed: was.filter((o) => !now.some((x) => x.orderId === o.orderId)).map((o) => o.orderId).sort(),
        upserts: now.filter((o) => byId.get(o.orderId)?.qty !== o.qty).map((o) => o.orderId).sort(),
      };
      const got = openOrderChanges(account(was), account(now));
      expect({ removed: [...got.removed].sort(), upserts: got.upserts.map((o) => o.orderId as string).sort() }).toEqual(expected);
    }
  });
});
