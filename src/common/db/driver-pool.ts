import type { DataSource } from 'typeorm';

/** A statement for the driver: named statements are parsed and planned once per connection. */
export interface DriverQuery {
  name?: string;
  text: string;
  values: unknown[];
}

/** The `pg` pool under TypeORM, for the hot statements that go to the driver directly (one round trip each). */
export interface DriverPool {
  query<R extends object = Record<string, unknown>>(query: DriverQuery): Promise<{ rows: R[] }>;
}

export function driverPool(dataSource: DataSource): DriverPool {
  return (dataSource.driver as unknown as { master: DriverPool }).master;
}
