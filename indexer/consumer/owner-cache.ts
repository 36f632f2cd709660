/** Per table, how many records stay cached between batches. */
export type CacheLimits = Readonly<Record<string, number>>;

/**
 * Records the index consumer read or wrote, kept across batches. It is the
 * only writer of its tables (one active copy owns every partition), so a
 * cached record is the stored one as long as the batches that wrote it were
 * stored: on a failed batch, or when ownership changes, the whole cache is
 * dropped and refilled from the store. Tables without a limit are not
 * cached. `undefined` values record keys known to be absent.
 */
export class OwnerCache {
  private readonly tables = new Map<string, Map<string, unknown>>();

  constructor(private readonly limits: CacheLimits) {}

  /** The table's cache, or undefined for tables that are not cached. */
  table(name: string): Map<string, unknown> | undefined {
    let values = this.tables.get(name);
    if (values === undefined && (this.limits[name] ?? 0) > 0) this.tables.set(name, (values = new Map()));
    return values;
  }

  clear(): void {
    this.tables.clear();
  }

  /**
   * Drops the entries first loaded longest ago from tables over their limit
   * (re-inserting on every write, to keep the hot ones, cost more than the
   * reads it would save).
   */
  trim(): void {
    for (const [name, values] of this.tables) {
      const limit = this.limits[name] ?? 0;
      if (values.size <= limit) continue;
      let excess = values.size - Math.floor(limit * 0.9);
      for (const key of values.keys()) {
        if (excess-- <= 0) break;
        values.delete(key);
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const values of this.tables.values()) n += values.size;
    return n;
  }
}
