import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KV } from '../indexer/kv-tables';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { TransientError } from '../platform/errors';
import type { ApiApp } from '../query/api/create-api-app';
import { ReadThroughCache } from '../query/api/read-through-cache';
import { GatedKv } from './support/gated-kv-store';
import { ManualClock } from './support/manual-clock';
import { createSunsetPageApp } from './support/sunset-page-app';
import { pollUntil } from './support/poll';

/** A promise with its resolve and reject in hand. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ReadThroughCache', () => {
  const TTL = 1000;
  function cacheOf(options: { maxEntries?: number; ttlMs?: number } = {}) {
    const clock = new ManualClock();
    const loads: string[] = [];
    const cache = new ReadThroughCache<string>({
      maxEntries: options.maxEntries ?? 10,
      ttlMs: options.ttlMs ?? TTL,
      clock,
      load: async (key) => {
        loads.push(key);
        return `${key}@${clock.now()}`;
      },
    });
    return { clock, loads, cache };
  }

  it('loads a miss once and serves hits until the TTL runs out', async () => {
    const { clock, loads, cache } = cacheOf();
    const first = await cache.get('a');
    clock.advance(TTL - 1);
    expect(await cache.get('a')).toBe(first);
    expect(loads).toEqual(['a']);
    clock.advance(1);
    expect(await cache.get('a')).not.toBe(first);
    expect(loads).toEqual(['a', 'a']);
    expect(cache.stats).toEqual({ hits: 1, misses: 2, loads: 2, coalesced: 0 });
  });

  it('evicts the least recently used entry, where a hit counts as a use', async () => {
    const { loads, cache } = cacheOf({ maxEntries: 2 });
    await cache.get('a');
    await cache.get('b');
    await cache.get('a'); // b is now the least recently used
    await cache.get('c'); // evicts b
    expect(cache.size).toBe(2);
    await cache.get('a');
    await cache.get('c');
    expect(loads).toEqual(['a', 'b', 'c']);
    await cache.get('b'); // reloads b, evicting a
    await cache.get('c');
    await cache.get('a');
    expect(loads).toEqual(['a', 'b', 'c', 'b', 'a']);
  });

  it('matches a brute-force LRU over a long random sequence of gets and clock moves', async () => {
    const { clock, loads, cache } = cacheOf({ maxEntries: 3 });
    // Model: key → expiry, in recency order.
    const model = new Map<string, number>();
    const expected: string[] = [];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let step = 0; step < 500; step++) {
      if (next() % 5 === 0) clock.advance(next() % 400);
      const key = 'kabcde'[next() % 5]!;
      const at = clock.now();
      const entry = model.get(key);
      model.delete(key);
      if (entry !== undefined && entry > at) model.set(key, entry);
      else {
        expected.push(key);
        model.set(key, at + TTL);
        while (model.size > 3) model.delete(model.keys().next().value!);
      }
      await cache.get(key);
    }
    expect(loads).toEqual(expected);
  });

  it('shares one load among concurrent misses (single flight)', async () => {
    const clock = new ManualClock();
    const gate = deferred<string>();
    let calls = 0;
    const cache = new ReadThroughCache<string>({
      maxEntries: 10,
      ttlMs: TTL,
      clock,
      load: () => {
        calls++;
        return gate.promise;
      },
    });
    const waiters = Array.from({ length: 20 }, () => cache.get('hot'));
    gate.resolve('value');
    expect(await Promise.all(waiters)).toEqual(Array(20).fill('value'));
    expect(calls).toBe(1);
    expect(cache.stats).toEqual({ hits: 0, misses: 20, loads: 1, coalesced: 19 });
    expect(await cache.get('hot')).toBe('value');
    expect(calls).toBe(1);
  });

  it('does not cache a failed load, and every waiter gets its error', async () => {
    const clock = new ManualClock();
    const failure = new TransientError('KV_TIMEOUT', 'store timed out');
    let calls = 0;
    let gate = deferred<string>();
    const cache = new ReadThroughCache<string>({
      maxEntries: 10,
      ttlMs: TTL,
      clock,
      load: () => {
        calls++;
        return gate.promise;
      },
    });
    const waiters = Array.from({ length: 5 }, () => cache.get('k'));
    gate.reject(failure);
    const settled = await Promise.allSettled(waiters);
    expect(settled.map((s) => (s.status === 'rejected' ? s.reason : s.value))).toEqual(
      Array(5).fill(failure),
    );
    expect(cache.size).toBe(0);
    gate = deferred<string>();
    const retry = cache.get('k');
    gate.resolve('ok');
    expect(await retry).toBe('ok');
    expect(calls).toBe(2);
  });

  it.each([
    ['ttlMs 0', { ttlMs: 0 }],
    ['maxEntries 0', { maxEntries: 0 }],
  ])('with %s it never keeps a value', async (_what, options) => {
    const { loads, cache } = cacheOf(options);
    await cache.get('a');
    await cache.get('a');
    expect(loads).toEqual(['a', 'a']);
    expect(cache.size).toBe(0);
  });

  it('invalidate drops a key so the next get loads it again', async () => {
    const { loads, cache } = cacheOf();
    await cache.get('a');
    await cache.get('b');
    cache.invalidate('a');
    await cache.get('a');
    await cache.get('b');
    expect(loads).toEqual(['a', 'b', 'a']);
  });

  it.each([-1, 1.5, NaN])('refuses maxEntries %p', (maxEntries) => {
    expect(
      () => new ReadThroughCache({ maxEntries, ttlMs: 1, clock: new ManualClock(), load: async () => 1 }),
    ).toThrow(RangeError);
  });
});

describe('the hashtag-page cache behind GET /v1/tags/:name', () => {
  const clock = new ManualClock();
  const kv = new GatedKv();
  let dir: string;
  let log: EmbeddedEventLog;
  let api: ApiApp;
  let server: Server;
  let base: string;
  const page = {
    tag: 'sunset',
    displayName: 'Sunset',
    totalPosts: 3,
    topPosts: [{ id: '1001', imageUrl: 'https://img.example.com/1001.jpg' }],
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tag-cache-'));
    log = await EmbeddedEventLog.open({ dir, fsync: 'never' });
    api = createSunsetPageApp({
      kv,
      log,
      clock,
      imageUrl: page.topPosts[0]!.imageUrl,
      names: [['flaky', 'flaky']],
    });
    server = api.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1]);
  }

  it('sends concurrent requests for a cold tag to the store once', async () => {
    const open = deferred<void>();
    kv.gate = open.promise;
    const replies = Array.from({ length: 8 }, () => fetch(`${base}/v1/tags/SUNSET`));
    await pollUntil(() => api.tagPages.stats.misses === 8, 'all eight requests to reach the cache');
    open.resolve();
    kv.gate = undefined;
    const responses = await Promise.all(replies);
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(bodies).toEqual(Array(8).fill(page));
    expect(new Set(responses.map((r) => r.headers.get('etag'))).size).toBe(1);
    expect(api.tagPages.stats).toEqual({ hits: 0, misses: 8, loads: 1, coalesced: 7 });
    expect(kv.reads.get(KV.hashtagNames)).toBe(1);
  });

  it('serves hits until the TTL, reports the hit ratio, then reloads', async () => {
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/v1/tags/sunset`)).status).toBe(200);
    expect(kv.reads.get(KV.hashtagNames)).toBe(1);
    expect(await metric('tag_page_cache_hit_ratio')).toBeCloseTo(3 / 11, 12);
    expect(await metric('tag_page_cache_lookups_total{result="hit"}')).toBe(3);
    expect(await metric('tag_page_cache_lookups_total{result="miss"}')).toBe(8);
    clock.advance(60_000);
    expect((await fetch(`${base}/v1/tags/sunset`)).status).toBe(200);
    expect(kv.reads.get(KV.hashtagNames)).toBe(2);
  });

  it('does not cache a failed load: every waiter gets 503 and the next request retries', async () => {
    const open = deferred<void>();
    kv.gate = open.promise;
    kv.failWith = new TransientError('KV_TIMEOUT', 'the store timed out');
    const replies = Array.from({ length: 4 }, () => fetch(`${base}/v1/tags/flaky`));
    await pollUntil(() => api.tagPages.stats.coalesced === 7 + 3, 'the waiters to share one load');
    open.resolve();
    const responses = await Promise.all(replies);
    for (const r of responses) {
      expect([r.status, r.headers.get('retry-after')]).toEqual([503, '1']);
      expect(await r.json()).toEqual({ error: { code: 'KV_TIMEOUT', message: 'the store timed out' } });
    }
    kv.gate = undefined;
    kv.failWith = undefined;
    const retry = await fetch(`${base}/v1/tags/flaky`);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ tag: 'flaky', displayName: 'flaky', totalPosts: 0, topPosts: [] });
  });
});
