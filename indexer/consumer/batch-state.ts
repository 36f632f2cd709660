import { AppError } from '../../platform/errors';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import { OwnerCache } from './owner-cache';

const DELETED = Symbol('deleted');

/**
 * A batch's view of the KV store: reads go through a cache that also holds
 * this batch's own writes, and the writes are handed over as one list so the
 * store applies them together with the checkpoint.
 *
 * Handlers read with the synchronous `peek`, after `prefetch` loaded what
 * they need: an await per read cost more than the read itself. Records of
 * cached tables come from the consumer's OwnerCache when it has them, so a
 * user or tag seen in an earlier batch costs no read at all.
 */
export class BatchState {
  /** Per uncached table: key → value (undefined: absent from the store). */
  private readonly local = new Map<string, Map<string, unknown>>();
  /** Per table: key → value written (DELETED for a delete), turned into KvOps once, at the end. */
  private readonly writes = new Map<string, Map<string, unknown>>();

  constructor(
    private readonly kv: KvStore,
    private readonly cache: OwnerCache = new OwnerCache({}),
  ) {}

  /** The value as of this batch; the key must have been prefetched or written. */
  peek<T>(table: string, key: string): T | undefined {
    const values = this.values(table);
    const value = values.get(key);
    if (value === undefined && !values.has(key)) {
      throw new AppError('BATCH_READ_NOT_LOADED', `${table}/${key} was read before it was prefetched`);
    }
    return value as T | undefined;
  }

  loaded(table: string, key: string): boolean {
    return this.values(table).has(key);
  }

  async get<T>(table: string, key: string): Promise<T | undefined> {
    if (!this.loaded(table, key)) await this.prefetch(table, [key]);
    return this.peek<T>(table, key);
  }

  /** Loads many keys of one table in one round trip; keys already known cost nothing. */
  async prefetch(table: string, keys: Iterable<string>): Promise<void> {
    const values = this.values(table);
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
    this.values(table).set(key, value);
    this.tableWrites(table).set(key, value);
  }

  delete(table: string, key: string): void {
    this.values(table).set(key, undefined);
    this.tableWrites(table).set(key, DELETED);
  }

  /** Keys under `prefix` as the store has them, overlaid with this batch's writes. */
  async keysWithPrefix(table: string, prefix: string): Promise<string[]> {
    const keys = new Set<string>();
    for await (const [key] of this.kv.scan(table, { prefix })) keys.add(key);
    for (const [key, value] of this.writes.get(table) ?? []) {
      if (!key.startsWith(prefix)) continue;
      if (value === DELETED) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort();
  }

  ops(): KvOp[] {
    const out: KvOp[] = [];
    for (const [table, writes] of this.writes) {
      for (const [key, value] of writes) {
        out.push(value === DELETED ? { type: 'delete', table, key } : { type: 'put', table, key, value });
      }
    }
    return out;
  }

  private values(table: string): Map<string, unknown> {
    const cached = this.cache.table(table);
    if (cached !== undefined) return cached;
    let values = this.local.get(table);
    if (values === undefined) this.local.set(table, (values = new Map()));
    return values;
  }

  private tableWrites(table: string): Map<string, unknown> {
    let ops = this.writes.get(table);
    if (ops === undefined) this.writes.set(table, (ops = new Map()));
    return ops;
  }
}
