import { AppError } from '../../platform/errors';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';

/**
 * A batch's view of the KV store: reads go through a cache that also holds
 * this batch's own writes, and the writes are handed over as one list so the
 * store applies them together with the checkpoint.
 *
 * Handlers read with the synchronous `peek`, after `prefetch` loaded what
 * they need: an await per read cost more than the read itself.
 */
export class BatchState {
  /** Per table: key → value (undefined: absent from the store). */
  private readonly cache = new Map<string, Map<string, unknown>>();
  private readonly writes = new Map<string, Map<string, KvOp>>();

  constructor(private readonly kv: KvStore) {}

  /** The value as of this batch; the key must have been prefetched or written. */
  peek<T>(table: string, key: string): T | undefined {
    const values = this.cache.get(table);
    if (values === undefined || !values.has(key)) {
      throw new AppError('BATCH_READ_NOT_LOADED', `${table}/${key} was read before it was prefetched`);
    }
    return values.get(key) as T | undefined;
  }

  loaded(table: string, key: string): boolean {
    return this.cache.get(table)?.has(key) ?? false;
  }

  async get<T>(table: string, key: string): Promise<T | undefined> {
    if (!this.loaded(table, key)) await this.prefetch(table, [key]);
    return this.peek<T>(table, key);
  }

  /** Loads many keys of one table in one round trip. */
  async prefetch(table: string, keys: Iterable<string>): Promise<void> {
    const values = this.tableCache(table);
    const wanted = new Set<string>();
    for (const key of keys) if (!values.has(key)) wanted.add(key);
    if (wanted.size === 0) return;
    const missing = [...wanted];
    const found = await this.kv.getMany(table, missing);
    for (let i = 0; i < missing.length; i++) {
      // A value loaded or written while the read was in flight is at least as new.
      if (!values.has(missing[i]!)) values.set(missing[i]!, found[i]);
    }
  }

  put(table: string, key: string, value: unknown): void {
    this.tableCache(table).set(key, value);
    this.tableWrites(table).set(key, { type: 'put', table, key, value });
  }

  delete(table: string, key: string): void {
    this.tableCache(table).set(key, undefined);
    this.tableWrites(table).set(key, { type: 'delete', table, key });
  }

  /** Keys under `prefix` as the store has them, overlaid with this batch's writes. */
  async keysWithPrefix(table: string, prefix: string): Promise<string[]> {
    const keys = new Set<string>();
    for await (const [key] of this.kv.scan(table, { prefix })) keys.add(key);
    for (const op of this.writes.get(table)?.values() ?? []) {
      if (!op.key.startsWith(prefix)) continue;
      if (op.type === 'put') keys.add(op.key);
      else keys.delete(op.key);
    }
    return [...keys].sort();
  }

  ops(): KvOp[] {
    const out: KvOp[] = [];
    for (const ops of this.writes.values()) for (const op of ops.values()) out.push(op);
    return out;
  }

  private tableCache(table: string): Map<string, unknown> {
    let values = this.cache.get(table);
    if (values === undefined) this.cache.set(table, (values = new Map()));
    return values;
  }

  private tableWrites(table: string): Map<string, KvOp> {
    let ops = this.writes.get(table);
    if (ops === undefined) this.writes.set(table, (ops = new Map()));
    return ops;
  }
}
