import type { KvStore } from '../../platform/ports/kv-store';

/**
 * Rows a batching consumer wrote or read, per owned POST_HASHTAG partition,
 * so a flush reads from the store only keys it has not seen. The owner of a
 * partition is the only writer of its keys, so a remembered row is the
 * stored one; a partition's rows are dropped when it is handed back or
 * assigned anew. Rows written by something else while the owner runs (a
 * repair) would be overwritten, so the counter only caches when told
 * nothing else writes (embedded mode).
 */
export class PartitionRowCache<V> {
  private readonly partitions = new Map<number, Map<string, V | undefined>>();

  constructor(
    private readonly kv: KvStore,
    private readonly table: string,
    /** Rows kept per partition, the oldest loaded going first; 0 remembers nothing. */
    private readonly limit: number,
  ) {}

  /** The stored rows of `keys`, from memory where known, the rest in one read. */
  async read(partition: number, keys: readonly string[]): Promise<(V | undefined)[]> {
    if (this.limit === 0) return this.kv.getMany<V>(this.table, [...keys]);
    const rows = this.rows(partition);
    const out = new Array<V | undefined>(keys.length);
    const missing: string[] = [];
    const at: number[] = [];
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const row = rows.get(key);
      if (row !== undefined || rows.has(key)) out[i] = row;
      else {
        missing.push(key);
        at.push(i);
      }
    }
    if (missing.length > 0) {
      const found = await this.kv.getMany<V>(this.table, missing);
      for (let j = 0; j < missing.length; j++) {
        out[at[j]!] = found[j];
        rows.set(missing[j]!, found[j]);
      }
    }
    return out;
  }

  /** How many keys a read would have to fetch from the store. */
  misses(partition: number, keys: readonly string[]): number {
    const rows = this.partitions.get(partition);
    if (rows === undefined) return keys.length;
    let n = 0;
    for (const key of keys) if (!rows.has(key)) n++;
    return n;
  }

  /** Records what a committed flush stored (undefined: deleted). */
  stored(partition: number, key: string, value: V | undefined): void {
    if (this.limit > 0) this.rows(partition).set(key, value);
  }

  /** Keeps each partition within the limit; call between flushes. */
  trim(partition: number): void {
    const rows = this.partitions.get(partition);
    if (rows === undefined || rows.size <= this.limit) return;
    let excess = rows.size - Math.floor(this.limit * 0.9);
    for (const key of rows.keys()) {
      if (excess-- <= 0) break;
      rows.delete(key);
    }
  }

  release(partition: number): void {
    this.partitions.delete(partition);
  }

  private rows(partition: number): Map<string, V | undefined> {
    let rows = this.partitions.get(partition);
    if (rows === undefined) this.partitions.set(partition, (rows = new Map()));
    return rows;
  }
}
