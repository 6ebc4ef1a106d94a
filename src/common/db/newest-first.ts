import type { DataSource } from 'typeorm';
import type { Page } from '../http/pagination.dto';

/**
 * One page of a table's rows, newest (highest id) first, after the `cursor` of the previous page:
 * `where` holds conditions on `$n` placeholders of `params` (which this extends).
 */
export async function newestFirst<R extends { id: string | number }, V extends { id: string }>(
  ds: DataSource,
  table: string,
  filter: { where: string[]; params: unknown[] },
  page: { limit: number; cursor?: string },
  toView: (row: R) => V,
): Promise<Page<V>> {
  const where = [...filter.where];
  const params = [...filter.params];
  if (page.cursor !== undefined) where.push(`id < $${params.push(page.cursor)}`);
  const rows = (await ds.query(
    `SELECT * FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${params.push(page.limit + 1)}`,
    params,
  )) as R[];
  const items = rows.slice(0, page.limit).map(toView);
  return { items, nextCursor: rows.length > page.limit ? items[items.length - 1].id : null };
}
