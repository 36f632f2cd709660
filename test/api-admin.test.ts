import { isDeepStrictEqual } from 'node:util';
import { ManualClock } from './support/manual-clock';
import { ADMIN_TOKEN, errorOf, fieldsOf, TestService } from './support/api-service';
import { postId, WorldOracle } from './support/api-world';
import { pollUntil } from './support/poll';

/** The admin routes (events in, curated top posts) and their auth, plus readiness. */
describe('query API: admin routes', () => {
  const world = new WorldOracle();
  let svc: TestService;

  beforeAll(async () => {
    svc = await TestService.start();
    await svc.loadWorld();
  }, 120_000);
  afterAll(() => svc?.close());

  const place = (id: string, name = `Place ${id}`) => ({
    ...svc.envelope('location.upserted'),
    location: { id, name },
  });
  const status = async (url: string) => (await svc.get(url)).status;

  /** Appends a marker and waits for it, so anything appended before it has been indexed too. */
  async function settle(markerId: string): Promise<void> {
    await svc.publish([place(markerId)]);
    await svc.waitReady();
    expect(await status(`/v1/locations/${markerId}`)).toBe(200);
  }

  describe('POST /v1/events', () => {
    it('accepts one event or an array with 202 { accepted }, and indexes them', async () => {
      const one = await svc.request('POST', '/v1/events', { body: place('250', 'Lisboa') });
      expect([one.status, one.body]).toEqual([202, { accepted: 1 }]);
      const many = await svc.request('POST', '/v1/events', {
        body: [place('251'), place('252'), place('253')],
      });
      expect([many.status, many.body]).toEqual([202, { accepted: 3 }]);
      const lowerCaseScheme = await svc.request('POST', '/v1/events', {
        token: null,
        headers: { authorization: `bearer ${ADMIN_TOKEN}` },
        body: place('254'),
      });
      expect(lowerCaseScheme.status).toBe(202);
      await svc.waitReady();
      const doc = await svc.get('/v1/locations/250');
      expect(doc.body).toEqual({ id: '250', name: 'Lisboa', lat: null, lon: null, mediaCount: 0 });
      for (const id of ['251', '252', '253', '254']) expect(await status(`/v1/locations/${id}`)).toBe(200);
    });

    it('takes exactly 1000 events in one request', async () => {
      const batch = Array.from({ length: 1000 }, (_, i) => place(String(5000 + i)));
      const res = await svc.request('POST', '/v1/events', { body: batch });
      expect([res.status, res.body]).toEqual([202, { accepted: 1000 }]);
      await svc.waitReady();
      expect(await status('/v1/locations/5999')).toBe(200);
    });

    it('refuses a batch with 400 naming every failing index and field, and appends none of it', async () => {
      const valid = place('260');
      const badPost = svc.postEvent({ id: '9001', authorId: '101', caption: 'x' });
      badPost.post.id = 'abc';
      const res = await svc.request('POST', '/v1/events', {
        body: [
          valid,
          badPost,
          { ...svc.envelope('nope') },
          {
            ...svc.envelope('user.upserted'),
            user: { id: '120', username: 'x', fullName: '', isPrivate: false, extra: 1 },
          },
          { ...svc.envelope('follow.added'), followerId: '101', followeeId: '101' },
          { ...svc.envelope('location.upserted'), location: { id: '261', name: 'Half', lat: 1 } },
          { ...svc.postEvent({ id: '9002', authorId: '101', caption: 'y' }), occurredAt: 'yesterday' },
        ],
      });
      expect(res.status).toBe(400);
      const err = errorOf(res);
      expect(err.code).toBe('VALIDATION_FAILED');
      expect(err.message).toMatch(/6 of 7/);
      expect(err.details.issues.map((i: { field: string }) => i.field)).toEqual([
        '[1].post.id',
        '[2].type',
        '[3].user.extra',
        '[4].followeeId',
        '[5].location.lon',
        '[6].occurredAt',
      ]);
      for (const issue of err.details.issues) expect(issue.reason).toEqual(expect.any(String));
      await settle('262');
      expect(await status('/v1/locations/260')).toBe(404);
    });

    it('names the field of a single invalid event too', async () => {
      const res = await svc.request('POST', '/v1/events', {
        body: { ...place('263'), location: { id: '01', name: 'x' } },
      });
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(['[0].location.id']);
    });

    it.each([
      ['an empty array', '[]', 'VALIDATION_FAILED'],
      [
        '1001 events',
        JSON.stringify(Array.from({ length: 1001 }, (_, i) => ({ type: 'x', i }))),
        'VALIDATION_FAILED',
      ],
      ['a JSON string', '"events"', 'INVALID_JSON'],
      ['a JSON null', 'null', 'INVALID_JSON'],
    ])('refuses %s with 400 %s', async (_what, raw, code) => {
      const res = await svc.request('POST', '/v1/events', { raw });
      expect(res.status).toBe(400);
      const err = errorOf(res);
      expect(err.code).toBe(code);
      if (code === 'VALIDATION_FAILED') expect(fieldsOf(res)).toEqual(['']);
    });

    it('refuses 1001 valid events without appending any', async () => {
      const res = await svc.request('POST', '/v1/events', {
        body: Array.from({ length: 1001 }, (_, i) => place(String(7000 + i))),
      });
      expect(res.status).toBe(400);
      expect(errorOf(res).details.issues[0].reason).toMatch(/1 to 1000 events, got 1001/);
      await settle('264');
      expect(await status('/v1/locations/7000')).toBe(404);
    });

    it('refuses a body that is not JSON (INVALID_JSON) or not sent as JSON', async () => {
      const bad = await svc.request('POST', '/v1/events', { raw: '{"type": "post.published",' });
      expect(bad.status).toBe(400);
      expect(errorOf(bad).code).toBe('INVALID_JSON');
      const text = await svc.request('POST', '/v1/events', {
        raw: JSON.stringify(place('265')),
        headers: { 'content-type': 'text/plain' },
      });
      expect(text.status).toBe(400);
      expect(fieldsOf(text)).toEqual(['']);
    });

    it.each<[string, Record<string, string>]>([
      ['no Authorization header', {}],
      ['a wrong token', { authorization: 'Bearer wrong-token-wrong-token' }],
      ['a token prefix', { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` }],
      ['the token with a suffix', { authorization: `Bearer ${ADMIN_TOKEN}x` }],
      ['another scheme', { authorization: `Basic ${ADMIN_TOKEN}` }],
      ['a bare token', { authorization: ADMIN_TOKEN }],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ])('answers 401 UNAUTHORIZED to %s, and appends nothing', async (_what, headers) => {
      const res = await svc.request('POST', '/v1/events', { token: null, headers, body: place('266') });
      expect(res.status).toBe(401);
      expect(errorOf(res).code).toBe('UNAUTHORIZED');
    });

    it('the refused events never show up', async () => {
      await settle('267');
      for (const id of ['263', '265', '266']) expect(await status(`/v1/locations/${id}`)).toBe(404);
    });
  });

  describe('PUT /v1/tags/:name/top', () => {
    const put = (name: string, body: unknown, token?: string | null) =>
      svc.request('PUT', `/v1/tags/${name}/top`, { body, token });

    it('queues the curated list (202) and the page then shows it, minus private, deleted and unknown posts', async () => {
      const ids = ['p14', 'p3', 'p1', 'p18', 'm1'].map(postId);
      const res = await put('%23BEACH', { postIds: [...ids.slice(0, 3), '99999', ...ids.slice(3)] });
      expect([res.status, res.body]).toEqual([202, { tag: 'beach', accepted: 6 }]);
      const topPosts = ['p14', 'p1', 'm1'].map((l) => ({
        id: postId(l),
        imageUrl: world.mediaItem(postId(l)).imageUrl,
      }));
      const expected = { ...world.tagPage('beach'), topPosts };
      await pollUntil(
        async () => isDeepStrictEqual((await svc.get('/v1/tags/beach')).body, expected),
        'the curated beach page',
      );
    });

    it('an empty list restores newest first', async () => {
      expect((await put('summer', { postIds: [postId('p2')] })).status).toBe(202);
      await svc.waitReady();
      expect((await put('summer', { postIds: [] })).body).toEqual({ tag: 'summer', accepted: 0 });
      await svc.waitReady();
      await pollUntil(
        async () => isDeepStrictEqual((await svc.get('/v1/tags/summer')).body, world.tagPage('summer')),
        'the newest-first summer page',
      );
    });

    it.each<[string, string, unknown, string[]]>([
      [
        '101 posts',
        'sunset',
        { postIds: Array.from({ length: 101 }, (_, i) => String(i)) },
        ['body.postIds'],
      ],
      ['a bad id', 'sunset', { postIds: ['x1', '1'] }, ['body.postIds[0]']],
      ['a numeric id', 'sunset', { postIds: ['1', 2] }, ['body.postIds[1]']],
      ['no postIds', 'sunset', {}, ['body.postIds']],
      ['an unknown field', 'sunset', { postIds: [], order: 'asc' }, ['body.order']],
      ['a malformed tag', 'a-b', { postIds: [] }, ['name']],
    ])('answers 400 to %s', async (_what, name, body, fields) => {
      const res = await put(name, body);
      expect(res.status).toBe(400);
      expect(fieldsOf(res)).toEqual(fields);
    });

    it.each([
      ['no token', null],
      ['a wrong token', 'x'.repeat(ADMIN_TOKEN.length)],
    ])('answers 401 UNAUTHORIZED to %s, before looking at the body', async (_what, token) => {
      const res = await put('a-b', { postIds: ['bad'] }, token);
      expect(res.status).toBe(401);
      expect(errorOf(res).code).toBe('UNAUTHORIZED');
    });
  });
});

describe('query API without ADMIN_TOKEN', () => {
  let svc: TestService;
  beforeAll(async () => {
    svc = await TestService.start({ adminToken: undefined });
  });
  afterAll(() => svc?.close());

  it.each([
    ['POST', '/v1/events', { type: 'x' }],
    ['PUT', '/v1/tags/sunset/top', { postIds: [] }],
  ])('%s %s is 403 ADMIN_DISABLED with or without a token', async (method, url, body) => {
    for (const token of [null, ADMIN_TOKEN, '']) {
      const res = await svc.request(method, url, { token, body });
      expect([token, res.status, errorOf(res).code]).toEqual([token, 403, 'ADMIN_DISABLED']);
    }
  });

  it('still serves the read routes', async () => {
    expect((await svc.get('/healthz')).status).toBe(200);
    expect((await svc.get('/v1/tags/sunset')).status).toBe(404);
  });
});

describe('GET /readyz', () => {
  const clock = new ManualClock();
  let svc: TestService;
  beforeAll(async () => {
    // The batching consumers flush only when this clock moves, so catching up is ours to release.
    const slow = { flushIntervalMs: 1000, flushEvents: 1_000_000 };
    svc = await TestService.start({ clock, seedDemo: true, counter: slow, trending: slow });
  });
  afterAll(() => svc?.close());

  it('answers 503 NOT_READY with Retry-After until the index first catches up, then stays 200', async () => {
    // The demo data's hashtag counts wait in the counter's buffer.
    const res = await svc.get('/readyz');
    expect(res.status).toBe(503);
    expect(errorOf(res).code).toBe('NOT_READY');
    expect(res.headers.get('retry-after')).toBe('1');
    // Each step moves past both flush intervals; a step before the counts are buffered flushes nothing.
    await pollUntil(async () => {
      clock.advance(10_000);
      return (await svc.get('/readyz')).status === 200;
    }, 'readiness after the flush');

    // New writes lag behind until the next flush, and the process stays in rotation meanwhile.
    await svc.publish([svc.postEvent({ id: '1', authorId: '101', caption: '#waiting' })]);
    expect(await svc.service.caughtUp()).toBe(false);
    expect((await svc.get('/readyz')).status).toBe(200);
    await pollUntil(async () => {
      clock.advance(10_000);
      return svc.service.caughtUp();
    }, 'the new post to be counted');
    expect((await svc.get('/v1/tags/waiting')).body.totalPosts).toBe(1);
  });
});
