import { ReadThroughCache } from '../query/api/read-through-cache';
import { ManualClock } from './support/manual-clock';

/** `cached`: the fast path's look at the cache, which never loads and counts only what it serves. */
describe('ReadThroughCache.cached', () => {
  function cacheOf(maxEntries = 10) {
    const clock = new ManualClock();
    const loads: string[] = [];
    const cache = new ReadThroughCache<string>({
      maxEntries,
      ttlMs: 1000,
      clock,
      load: async (key) => {
        loads.push(key);
        return `${key}!`;
      },
    });
    return { clock, loads, cache };
  }

  it('is undefined for a key never loaded, counting nothing and loading nothing', () => {
    const { loads, cache } = cacheOf();
    expect(cache.cached('a')).toBeUndefined();
    expect(loads).toEqual([]);
    expect(cache.stats).toEqual({ hits: 0, misses: 0, loads: 0, coalesced: 0 });
  });

  it('serves a fresh value as a hit until the TTL runs out', async () => {
    const { clock, cache } = cacheOf();
    await cache.get('a');
    clock.advance(999);
    expect(cache.cached('a')).toBe('a!');
    expect(cache.stats.hits).toBe(1);
    clock.advance(1);
    expect(cache.cached('a')).toBeUndefined();
    expect(cache.stats).toEqual({ hits: 1, misses: 1, loads: 1, coalesced: 0 });
  });

  it('marks what it serves as used, so the least recently used goes first', async () => {
    const { loads, cache } = cacheOf(2);
    await cache.get('a');
    await cache.get('b');
    expect(cache.cached('a')).toBe('a!');
    await cache.get('c');
    expect([cache.cached('a'), cache.cached('b')]).toEqual(['a!', undefined]);
    expect(loads).toEqual(['a', 'b', 'c']);
  });

  it('leaves a value `usable` turns down alone: not counted, not marked used', async () => {
    const { cache } = cacheOf(2);
    await cache.get('a');
    await cache.get('b');
    expect(cache.cached('a', (v) => v !== 'a!')).toBeUndefined();
    expect(cache.stats.hits).toBe(0);
    await cache.get('c');
    expect([cache.cached('a'), cache.cached('b')]).toEqual([undefined, 'b!']);
    expect(cache.cached('b', (v) => v === 'b!')).toBe('b!');
    expect(cache.stats.hits).toBe(2);
  });
});
