import type { KvOp, KvStore } from '../../platform/ports/kv-store';

/**
 * A batch's view of the KV store: reads go through a cache that also holds
 * this batch's own writes, and the writes are handed over as one list so the
 * store applies them together with the checkpoint.
 */
export class BatchState {
  private readonly cache = new Map<string, unknown>();
  private readonly writes = new Map<string, KvOp>();

  constructor(private readonly kv: KvStore) {}

  async get<T>(table: string, key: string): Promise<T | undefined> {
    const k = cacheKey(table, key);
    if (this.cache.has(k)) return this.cache.get(k) as T | undefined;
    const value = await this.kv.get<T>(table, key);
    this.cache.set(k, value);
    return value;
  }

  /** Loads many keys of one table in one round trip. */
  async prefetch(table: string, keys: Iterable<string>): Promise<void> {
    const missing = [...new Set(keys)].filter((key) => !this.cache.has(cacheKey(table, key)));
    if (missing.length === 0) return;
    const values = await this.kv.getMany(table, missing);
    missing.forEach((key, i) => this.cache.set(cacheKey(table, key), values[i]));
  }

  put(table: string, key: string, value: unknown): void {
    const k = cacheKey(table, key);
    this.cache.set(k, value);
    this.writes.set(k, { type: 'put', table, key, value });
  }

  delete(table: string, key: string): void {
    const k = cacheKey(table, key);
    this.cache.set(k, undefined);
    this.writes.set(k, { type: 'delete', table, key });
  }

  /** Keys under `prefix` as the store has them, overlaid with this batch's writes. */
  async keysWithPrefix(table: string, prefix: string): Promise<string[]> {
    const keys = new Set<string>();
    for await (const [key] of this.kv.scan(table, { prefix })) keys.add(key);
    for (const op of this.writes.values()) {
      if (op.table !== table || !op.key.startsWith(prefix)) continue;
      if (op.type === 'put') keys.add(op.key);
      else keys.delete(op.key);
    }
    return [...keys].sort();
  }

  ops(): KvOp[] {
    return [...this.writes.values()];
  }
}

function cacheKey(table: string, key: string): string {
  return `${table}\u0000${key}`;
}
