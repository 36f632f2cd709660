import type { Clock } from '../../platform/clock';

export interface ReadThroughCacheOptions<V> {
  /** Entries kept at most; the least recently used goes first. */
  maxEntries: number;
  ttlMs: number;
  load: (key: string) => Promise<V>;
  clock: Clock;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * An in-process LRU with a TTL in front of a slow store. Concurrent misses
 * for one key share a single load (single flight), so a hot key that expires
 * reaches the store once, not once per waiting request.
 */
export class ReadThroughCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly inFlight = new Map<string, Promise<V>>();
  readonly stats = { hits: 0, misses: 0, loads: 0, coalesced: 0 };

  constructor(private readonly options: ReadThroughCacheOptions<V>) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 0) {
      throw new RangeError('maxEntries must be a non-negative integer');
    }
  }

  async get(key: string): Promise<V> {
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.expiresAt > this.options.clock.now()) return this.use(key, hit);
    if (hit !== undefined) this.entries.delete(key);
    this.stats.misses++;
    const pending = this.inFlight.get(key);
    if (pending !== undefined) {
      this.stats.coalesced++;
      return pending;
    }
    const load = this.load(key);
    this.inFlight.set(key, load);
    try {
      return await load;
    } finally {
      this.inFlight.delete(key);
    }
  }

  /**
   * The fresh cached value of `key` when there is one and `usable` accepts
   * it, counted as a hit and marked used; otherwise undefined, counting
   * nothing, so the caller can go on to `get`. Never loads.
   */
  cached(key: string, usable?: (value: V) => boolean): V | undefined {
    const hit = this.entries.get(key);
    if (hit === undefined || hit.expiresAt <= this.options.clock.now()) return undefined;
    if (usable !== undefined && !usable(hit.value)) return undefined;
    return this.use(key, hit);
  }

  /** Drops a key, e.g. after an admin write, so the next read sees the store. */
  invalidate(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private use(key: string, hit: Entry<V>): V {
    this.stats.hits++;
    // A Map iterates in insertion order: re-inserting keeps the least recently used first.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  private async load(key: string): Promise<V> {
    this.stats.loads++;
    const value = await this.options.load(key);
    if (this.options.maxEntries === 0 || this.options.ttlMs <= 0) return value;
    this.entries.set(key, { value, expiresAt: this.options.clock.now() + this.options.ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    return value;
  }
}
