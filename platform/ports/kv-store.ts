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

export interface KvBatchOptions {
  /**
   * The single writer this batch belongs to (a consumer). With it, a store
   * without transactions makes the batch atomic across partitions through a
   * redo record, which `recover(writer)` completes after a crash.
   */
  writer?: string;
}

export interface KvStore {
  get<T = KvValue>(table: string, key: string): Promise<T | undefined>;
  getMany<T = KvValue>(table: string, keys: string[]): Promise<(T | undefined)[]>;
  /**
   * Applies the operations. Embedded stores apply them in one transaction;
   * stores without multi-key transactions apply them in order, so a
   * checkpoint written last never covers state that is not yet stored.
   */
  batch(ops: KvOp[], options?: KvBatchOptions): Promise<void>;
  /**
   * Finishes a batch of `writer` that a crash left half-applied (stores
   * without multi-key transactions keep a redo record); true if there was
   * one. A writer calls it before reading the state its batches cover.
   */
  recover(writer: string): Promise<boolean>;
  /** Keys in ascending byte order. */
  scan<T = KvValue>(table: string, options?: KvScanOptions): AsyncIterable<[string, T]>;
  count(table: string): Promise<number>;
  close(): Promise<void>;
}
