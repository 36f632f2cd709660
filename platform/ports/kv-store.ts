/**
 * The KV store port: named tables of JSON-like values under string keys.
 * Embedded: lmdb. Distributed: Cassandra, one CQL table per logical table.
 */
export type KvValue = unknown;

export type KvOp =
  | { type: 'put'; table: string; key: string; value: KvValue }
  | { type: 'delete'; table: string; key: string };

export interface KvScanOptions {
  /** Only keys starting with this prefix. */
  prefix?: string;
  /** Exclusive lower bound on the key, to resume a scan. */
  after?: string;
  limit?: number;
}

export interface KvStore {
  get<T = KvValue>(table: string, key: string): Promise<T | undefined>;
  getMany<T = KvValue>(table: string, keys: string[]): Promise<(T | undefined)[]>;
  /**
   * Applies the operations. Embedded stores apply them in one transaction;
   * stores without multi-key transactions apply them in order, so a
   * checkpoint written last never covers state that is not yet stored.
   */
  batch(ops: KvOp[]): Promise<void>;
  /** Keys in ascending byte order. */
  scan<T = KvValue>(table: string, options?: KvScanOptions): AsyncIterable<[string, T]>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}
