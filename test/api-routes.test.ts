import { errorOf, fieldsOf, TestService } from './support/api-service';
import { LOCATIONS, PLACEHOLDER_USER, postId, USERS, WorldOracle } from './support/api-world';

/** Hashtag pages, documents, trending and the operational routes, against a hand-built world. */
describe('query API: pages, documents and operations', () => {
  const world = new WorldOracle();
  let svc: TestService;
  let postsAt: number;

  beforeAll(async () => {
    svc = await TestService.start();
    postsAt = await svc.loadWorld();
  }, 120_000);
  afterAll(() => svc?.close());

  describe('GET /v1/tags/:name', () => {
    it.each([
      ['sunset', 'sunset'],
      ['SUNSET', 'sunset'],
      ['%23Sunset', 'sunset'],
      ['%EF%BC%83sunset', 'sunset'],
      [encodeURIComponent('café'), 'café'],
      [encodeURIComponent('cafe\u0301'), 'café'],
      ['beach', 'beach'],
      ['many', 'many'],
      ['secret', 'secret'],
      ['gone', 'gone'],
    ])('%s is the page of %s: count, first-seen spelling, newest public posts', async (name, tag) => {
      const res = await svc.get(`/v1/tags/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual(world.tagPage(tag));
    });

    it('keeps at most 100 top posts while counting them all', async () => {
      const res = await svc.get('/v1/tags/many');
      expect(res.body.totalPosts).toBe(105);
      expect(res.body.topPosts).toHaveLength(100);
      expect(res.body.topPosts[0].id).toBe(postId('m105'));
      expect(res.body.topPosts[99].id).toBe(postId('m6'));
    });

    it('is CDN-cacheable with a strong ETag that answers If-None-Match with 304', async () => {
      const res = await svc.get('/v1/tags/beach');
      expect(res.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=300');
      const etag = res.headers.get('etag')!;
      expect(etag).toMatch(/^"[^"]+"$/);
      expect((await svc.get('/v1/tags/BEACH')).headers.get('etag')).toBe(etag);
      expect((await svc.get('/v1/tags/sunset')).headers.get('etag')).not.toBe(etag);

      for (const header of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
        const again = await svc.get('/v1/tags/beach', { 'if-none-match': header });
        expect([header, again.status, again.text]).toEqual([header, 304, '']);
        expect(again.headers.get('etag')).toBe(etag);
        expect(again.headers.get('cache-control')).toBe('public, max-age=60, stale-while-revalidate=300');
      }
      const changed = await svc.get('/v1/tags/beach', { 'if-none-match': '"something-else"' });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual(world.tagPage('beach'));
    });

    it('answers 404 NOT_FOUND for a tag never seen', async () => {
      const res = await svc.get('/v1/tags/neverseen');
      expect(res.status).toBe(404);
      expect(errorOf(res).code).toBe('NOT_FOUND');
      expect(res.headers.get('etag')).toBeNull();
    });

    it.each(['16', 'a-b', '%20', '_', 'x'.repeat(101), encodeURIComponent('😀')])(
      'answers 400 naming the field for the malformed name %s',
      async (name) => {
        const res = await svc.get(`/v1/tags/${name}`);
        expect(res.status).toBe(400);
        expect(fieldsOf(res)).toEqual(['name']);
      },
    );
  });

  describe('documents', () => {
    it.each(USERS.map((x) => x.id))('GET /v1/users/%s is the UserDoc with its counts', async (id) => {
      const res = await svc.get(`/v1/users/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(world.userDoc(id));
    });

    it.each(LOCATIONS.map((l) => l.id))('GET /v1/locations/%s is the LocationDoc', async (id) => {
      const res = await svc.get(`/v1/locations/${id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(world.locationDoc(id));
    });

    it.each(['p1', 'p5', 'p19', 'm1'])('GET /v1/media/<%s> is the MediaDoc after edits', async (label) => {
      const res = await svc.get(`/v1/media/${postId(label)}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual(world.mediaDoc(postId(label)));
    });

    it('hides a private account’s post from everyone but the author and followers (404, not 403)', async () => {
      const id = postId('p3'); // carol's
      const expected = world.mediaDoc(id);
      for (const viewer of [undefined, '105', '104', '109', '999']) {
        const res = await svc.get(`/v1/media/${id}${viewer ? `?viewer=${viewer}` : ''}`);
        expect([viewer, res.status, errorOf(res).code]).toEqual([viewer, 404, 'NOT_FOUND']);
      }
      for (const viewer of ['103', '102', '101']) {
        expect(
          world.visible(
            world.posts.find((p) => p.id === id)!,
            viewer,
          ),
        ).toBe(true);
        const res = await svc.get(`/v1/media/${id}?viewer=${viewer}`);
        expect([viewer, res.status, res.body]).toEqual([viewer, 200, expected]);
      }
    });

    it.each([
      ['/v1/users/998', 'user'],
      [`/v1/users/${PLACEHOLDER_USER}`, 'user'],
      ['/v1/locations/299', 'location'],
      ['/v1/media/42', 'media'],
      [`/v1/media/${postId('p18')}`, 'media'],
    ])('%s is 404 NOT_FOUND', async (url, what) => {
      const res = await svc.get(url);
      expect(res.status).toBe(404);
      const err = errorOf(res);
      expect(err.code).toBe('NOT_FOUND');
      expect(Object.keys(err.details)).toEqual([what]);
    });

    it.each([
      ['/v1/users/abc', 'path.id'],
      ['/v1/users/01', 'path.id'],
      ['/v1/users/18446744073709551616', 'path.id'],
      ['/v1/locations/-1', 'path.id'],
      ['/v1/media/1.5', 'path.id'],
      [`/v1/media/${postId('p1')}?viewer=abc`, 'query.viewer'],
      [`/v1/media/${postId('p1')}?viewer=1&viewer=2`, 'query.viewer'],
    ])('%s is 400 naming %s', async (url, field) => {
      const res = await svc.get(url);
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual([field]);
    });
  });

  describe('GET /v1/trending', () => {
    /** Asks until the request did not straddle a window boundary, so the oracle knows which window was "latest". */
    async function trending(query: string) {
      for (;;) {
        const before = Date.now();
        const res = await svc.get(`/v1/trending${query}`);
        const after = Date.now();
        if (before - (before % 300_000) === after - (after % 300_000)) return { res, now: after };
      }
    }

    it.each([
      ['', 20],
      ['?limit=3', 3],
      ['?limit=100', 100],
    ])('ranks tags by P·ln(P/P′) (%s)', async (query, limit) => {
      const { res, now } = await trending(query);
      expect(res.status).toBe(200);
      const expected = world.trending(now, postsAt, limit);
      expect(res.body.tags.map((t: { tag: string }) => t.tag)).toEqual(expected.map((t) => t.tag));
      res.body.tags.forEach((t: Record<string, unknown>, i: number) => {
        const e = expected[i]!;
        expect(Object.keys(t).sort()).toEqual(['count', 'displayName', 'expected', 'score', 'tag']);
        expect([t.tag, t.displayName, t.count]).toEqual([e.tag, e.displayName, e.count]);
        expect(t.expected).toBeCloseTo(e.expected, 12);
        expect(t.score).toBeCloseTo(e.score, 9);
      });
      // Unless the test ran across a window boundary, the world's posts are the latest window.
      if (now - (now % 300_000) - 300_000 === postsAt - (postsAt % 300_000)) {
        expect(res.body.tags[0]).toMatchObject({ tag: 'many', displayName: 'many', count: 105 });
      }
    });

    it.each(['0', '101', 'abc', '-1', '1.5', '1&limit=2'])(
      'limit=%s is 400 on query.limit',
      async (limit) => {
        const res = await svc.get(`/v1/trending?limit=${limit}`);
        expect(res.status).toBe(400);
        expect(fieldsOf(res)).toEqual(['query.limit']);
      },
    );
  });

  describe('operations', () => {
    it('GET /healthz and /readyz answer 200 once caught up', async () => {
      const health = await svc.get('/healthz');
      expect([health.status, health.body]).toEqual([200, { status: 'ok' }]);
      const ready = await svc.get('/readyz');
      expect([ready.status, ready.body]).toEqual([200, { status: 'ready' }]);
    });

    it('GET /metrics is Prometheus text with latency per route, lag, flushes and the cache ratio', async () => {
      await svc.get('/v1/users/101');
      await svc.get('/v1/users/abc');
      await svc.get('/v1/tags/sunset');
      await svc.get('/v1/nothing-here');
      const res = await svc.get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const lines = res.text.split('\n');
      expect(lines).toContain('# TYPE http_request_duration_seconds histogram');
      const count = (labels: string) =>
        lines.find((l) => l.startsWith(`http_request_duration_seconds_count{${labels}}`));
      expect(count('method="GET",route="/v1/users/:id",status="200"')).toBeDefined();
      expect(count('method="GET",route="/v1/users/:id",status="400"')).toBeDefined();
      expect(count('method="GET",route="/v1/tags/:name",status="200"')).toBeDefined();
      expect(count('method="POST",route="/v1/events",status="202"')).toBeDefined();
      expect(count('method="GET",route="unmatched",status="404"')).toBeDefined();
      // Raw paths never become labels: cardinality stays bounded.
      expect(res.text).not.toContain('route="/v1/users/101"');
      expect(lines).toContain('indexer_lag_records{consumer="indexer"} 0');
      expect(lines).toContain('indexer_lag_records{consumer="bitmaps"} 0');
      expect(lines.some((l) => /^counter_flushes_total\{consumer="counter"\} [1-9]/.test(l))).toBe(true);
      expect(lines.some((l) => /^counter_flushed_events_total\{consumer="trending"\} [1-9]/.test(l))).toBe(
        true,
      );
      const ratio = lines.find((l) => l.startsWith('tag_page_cache_hit_ratio '));
      expect(Number(ratio?.split(' ')[1])).toBeGreaterThanOrEqual(0);
      expect(Number(ratio?.split(' ')[1])).toBeLessThanOrEqual(1);
    });

    it.each([
      ['GET', '/v1/nothing'],
      ['GET', '/v2/tags/sunset'],
      ['DELETE', '/v1/users/101'],
      ['PATCH', '/v1/tags/sunset'],
      ['GET', '/v1/events'],
      ['POST', '/v1/search'],
      ['GET', '/v1/tags/sunset/top'],
    ])('%s %s is a 404 JSON error', async (method, url) => {
      const res = await svc.request(method, url, { token: null });
      expect(res.status).toBe(404);
      const err = errorOf(res);
      expect(err.code).toBe('NOT_FOUND');
      expect(err.details).toEqual({ route: `${method} ${url}` });
    });
  });
});
