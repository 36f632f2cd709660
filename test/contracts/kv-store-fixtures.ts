import type { KvOp, KvScanOptions, KvStore } from '../../platform/ports/kv-store';

/** UTF-8 byte order, the order the port promises; an oracle independent of any store. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Drains a scan. */
export async function collect<T>(it: AsyncIterable<[string, T]>): Promise<[string, T][]> {
  const out: [string, T][] = [];
  for await (const entry of it) out.push(entry);
  return out;
}

/** The keys a scan yields, in its order. */
export const keysOf = async (store: KvStore, table: string, options?: KvScanOptions): Promise<string[]> =>
  (await collect(store.scan(table, options))).map(([k]) => k);

/** One put op per entry. */
export const puts = (table: string, entries: [string, unknown][]): KvOp[] =>
  entries.map(([key, value]) => ({ type: 'put', table, key, value }));

/** Gives each test a fresh store; tables are unique per test anyway. */
export type KvStoreFactory = () => Promise<{ store: KvStore; cleanup(): Promise<void> }>;

/** The store of the running test, and table names no other test of the suite uses. */
export interface FreshKvStore {
  readonly store: KvStore;
  freshTable(label: string): string;
}

/** Opens a fresh store from `factory` before each test of the enclosing describe and cleans it up after. */
export function useFreshKvStore(factory: KvStoreFactory): FreshKvStore {
  let store: KvStore;
  let cleanup: () => Promise<void>;
  let tableSeq = 0;
  const freshTable = (label: string) => `${label}_${++tableSeq}`;

  beforeEach(async () => {
    ({ store, cleanup } = await factory());
  });
  afterEach(async () => {
    await cleanup();
  });

  return {
    get store() {
      return store;
    },
    freshTable,
  };
}
