import type { CassandraSession, CqlRequest } from './cassandra-session';
import type { KvTable } from './kv-table-registry';

export interface SliceBounds {
  /** Lower bound; '' with `exclusive` false means none. */
  start: string;
  exclusive: boolean;
  /** Exclusive upper bound, from the prefix. */
  upper: string | undefined;
  /** Most entries wanted from this bucket (the scan's whole limit: one bucket may hold all of them). */
  limit: number;
}

const noop = (): void => undefined;

/**
 * One bucket's slice in key (byte) order, paged by `key > last LIMIT n`
 * rather than driver paging state, with the next page requested as soon as
 * the current one arrives. Writes landing between pages may or may not be seen.
 */
export async function* scanBucket(
  session: CassandraSession,
  table: KvTable,
  bucket: number,
  bounds: SliceBounds,
  pageSize: number,
  request: CqlRequest,
): AsyncGenerator<[string, Buffer]> {
  const hasUpper = bounds.upper !== undefined;
  const fetch = (lower: 'none' | 'gt' | 'ge', from: string, size: number) => {
    const params: unknown[] = [bucket];
    if (lower !== 'none') params.push(from);
    if (hasUpper) params.push(bounds.upper);
    params.push(size);
    const page = session.execute(table.scan(lower, hasUpper), params, request);
    // Settled even if the consumer stops before awaiting it.
    page.catch(noop);
    return page;
  };
  let remaining = bounds.limit;
  let size = Math.min(remaining, pageSize);
  if (size <= 0) return;
  const firstLower = bounds.exclusive ? 'gt' : bounds.start === '' ? 'none' : 'ge';
  let next = fetch(firstLower, bounds.start, size);
  for (;;) {
    const rows = await next;
    remaining -= rows.length;
    const more = rows.length === size && remaining > 0;
    if (more) {
      size = Math.min(remaining, pageSize);
      next = fetch('gt', String(rows[rows.length - 1]!.get('key')), size);
    }
    for (const row of rows) yield [String(row.get('key')), row.get('value') as Buffer];
    if (!more) return;
  }
}
