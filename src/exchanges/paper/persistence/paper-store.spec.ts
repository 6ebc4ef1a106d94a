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
});
