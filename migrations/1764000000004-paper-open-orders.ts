import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A paper account's open orders, one row each, out of the account's engine state: an operation
 * writes the open orders it changed instead of rewriting all of them with the state (an account
 * with a hundred resting orders had every order read and write a state of about 50 kB).
 * The state's `openOrders` is empty in the row; reads put the orders back, in order id order (the
 * engine's own order: ids are drawn in sequence and an open order is never re-inserted).
 */
export class PaperOpenOrders1764000000004 implements MigrationInterface {
  name = 'PaperOpenOrders1764000000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE paper_open_orders (
        exchange_account_id INTEGER NOT NULL REFERENCES paper_accounts(exchange_account_id),
        order_id BIGINT NOT NULL,
        state JSONB NOT NULL,
        PRIMARY KEY (exchange_account_id, order_id)
      )`);
    await q.query(`
      INSERT INTO paper_open_orders (exchange_account_id, order_id, state)
      SELECT p.exchange_account_id, (o->>'orderId')::bigint, o FROM paper_accounts p, jsonb_array_elements(p.state->'openOrders') o`);
    await q.query(`UPDATE paper_accounts SET state = jsonb_set(state, '{openOrders}', '[]'::jsonb) WHERE jsonb_array_length(state->'openOrders') > 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      UPDATE paper_accounts p SET state = jsonb_set(p.state, '{openOrders}', o.orders)
        FROM (SELECT exchange_account_id, jsonb_agg(state ORDER BY order_id) AS orders FROM paper_open_orders GROUP BY exchange_account_id) o
       WHERE o.exchange_account_id = p.exchange_account_id`);
    await q.query(`DROP TABLE paper_open_orders`);
  }
}
