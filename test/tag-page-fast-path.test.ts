import { mkdtemp, rm } from 'node:fs/promises';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import pino from 'pino';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { TransientError } from '../platform/errors';
import type { ApiApp } from '../query/api/create-api-app';
import { listenApi } from '../query/api/listen-api';
import { RequestTiming } from '../query/api/request-timing';
import { tagPageFastPath } from '../query/api/tag-page-fast-path';
import { GatedKv } from './support/gated-kv-store';
import { ManualClock } from './support/manual-clock';
import { createSunsetPageApp } from './support/sunset-page-app';
import { pollUntil } from './support/poll';
import { rawRequest } from './support/raw-request';

const SUNSET_PAGE = {
  tag: 'sunset',
  displayName: 'Sunset',
  totalPosts: 3,
  topPosts: [{ id: '1001', imageUrl: 'https://img.example.com/1001.jpg' }],
};

describe('the fast path for cached hashtag pages', () => {
  const clock = new ManualClock();
  const kv = new GatedKv();
  const warnings: Record<string, unknown>[] = [];
  let dir: string;
  let log: EmbeddedEventLog;
  let api: ApiApp;
  /** The Express app alone: the reference for every answer. */
  let express: Server;
  /** The fast path in front of the same app, counting what it hands on. */
  let fast: Server;
  let handedOn: string[];
  let etag: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tag-fast-path-'));
    log = await EmbeddedEventLog.open({ dir, fsync: 'never' });
    api = createSunsetPageApp({
      kv,
      log,
      clock,
      imageUrl: SUNSET_PAGE.topPosts[0]!.imageUrl,
      names: [
        ['café', 'Café'],
        ['plage', 'Plage'],
      ],
      web: false,
    });
    const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
    express = await listening(http.createServer(api.app));
    handedOn = [];
    // Every answer slower than 0 ms is slow, so each one's log line can be checked.
    const timing = new RequestTiming(api.metrics, logger, 0);
    fast = await listening(
      http.createServer(
        tagPageFastPath({ pages: api.tagPages, timing }, (req: IncomingMessage, res: ServerResponse) => {
          handedOn.push(`${req.method} ${req.url}`);
          api.app(req, res);
        }),
      ),
    );
    const first = await rawRequest(port(express), 'GET', '/v1/tags/sunset');
    expect(first.status).toBe(200);
    etag = first.headers.find(([k]) => k === 'ETag')![1];
  });
  afterAll(async () => {
    for (const s of [express, fast]) await new Promise<void>((resolve) => s.close(() => resolve()));
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const port = (s: Server) => (s.address() as AddressInfo).port;
  async function listening(server: Server): Promise<Server> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  }
  /** The same request to both servers: the answers must be byte for byte the same. */
  async function both(method: string, target: string, extra: string[] = [], body = '') {
    const reference = await rawRequest(port(express), method, target, extra, body);
    handedOn = [];
    const reply = await rawRequest(port(fast), method, target, extra, body);
    expect(reply.raw).toBe(reference.raw);
    return { reply, handedOn: handedOn.length > 0 };
  }

  it('answers a cached page itself, with the route’s exact status, headers and body', async () => {
    const hitsBefore = api.tagPages.stats.hits;
    const { reply, handedOn } = await both('GET', '/v1/tags/sunset');
    expect(handedOn).toBe(false);
    expect(reply.status).toBe(200);
    expect(reply.headers).toEqual([
      ['Cache-Control', 'public, max-age=60, stale-while-revalidate=300'],
      ['ETag', etag],
      ['Content-Type', 'application/json; charset=utf-8'],
      ['Content-Length', String(Buffer.byteLength(reply.body))],
      ['Date', '-'],
      ['Connection', 'close'],
    ]);
    expect(JSON.parse(reply.body)).toEqual(SUNSET_PAGE);
    expect(api.tagPages.stats.hits).toBe(hitsBefore + 2);
  });

  it.each(['/v1/tags/SUNSET', '/v1/tags/%23Sunset', '/v1/tags/%EF%BC%83sunset', '/v1/tags/sunset?x=1&y'])(
    'answers %s, another spelling of a cached page, itself',
    async (target) => {
      const { reply, handedOn } = await both('GET', target);
      expect([reply.status, handedOn]).toEqual([200, false]);
    },
  );

  it.each([[() => etag], [() => `"nope", ${etag}`], [() => `W/${etag}`], [() => '*']])(
    'answers a matching If-None-Match (%#) with 304 itself',
    async (header) => {
      const { reply, handedOn } = await both('GET', '/v1/tags/sunset', [`If-None-Match: ${header()}`]);
      expect(handedOn).toBe(false);
      expect(reply.status).toBe(304);
      expect(reply.headers).toEqual([
        ['Cache-Control', 'public, max-age=60, stale-while-revalidate=300'],
        ['ETag', etag],
        ['Date', '-'],
        ['Connection', 'close'],
      ]);
      expect(reply.body).toBe('');
    },
  );

  it.each([
    ['another validator', ['If-None-Match: "other"'], 200],
    ['validators without commas', ['If-None-Match: "other" ETAG'], 200],
    ['validators with a tab', ['If-None-Match: "other",\tETAG'], 304],
    ['If-Modified-Since', ['If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT'], 200],
    [
      'a matching tag and If-Modified-Since',
      ['If-None-Match: ETAG', 'If-Modified-Since: Mon, 01 Jan 2024 00:00:00 GMT'],
      304,
    ],
    ['Cache-Control: no-cache', ['If-None-Match: ETAG', 'Cache-Control: no-cache'], 304],
  ])('answers a request with %s itself, as the route does', async (_what, extra, status) => {
    const headers = extra.map((h) => h.replace('ETAG', etag));
    const { reply, handedOn } = await both('GET', '/v1/tags/sunset', headers);
    expect([reply.status, handedOn]).toEqual([status, false]);
  });

  it.each([
    ['HEAD', 'HEAD', '/v1/tags/sunset', [], 200],
    ['a trailing slash', 'GET', '/v1/tags/sunset/', [], 200],
    ['another casing of the path', 'GET', '/V1/Tags/sunset', [], 200],
    ['a tag never seen', 'GET', '/v1/tags/neverseen', [], 404],
    ['a malformed name', 'GET', '/v1/tags/a-b', [], 400],
    ['an undecodable name', 'GET', '/v1/tags/%E0%A4%A', [], 400],
    ['another route', 'GET', '/v1/tags/sunset/top', [], 404],
    ['a method the route lacks', 'POST', '/v1/tags/sunset', [], 404],
  ])('hands %s to Express', async (_what, method, target, extra, status) => {
    // Twice: a 404 is cached too, and must still go through Express.
    for (let i = 0; i < 2; i++) {
      const { reply, handedOn } = await both(method, target, extra);
      expect([reply.status, handedOn]).toEqual([status, true]);
    }
  });

  it('answers any mix of path spellings and validators exactly as Express does', async () => {
    const pathPart = fc.constantFrom(
      'sunset',
      'SUNSET',
      'caf%C3%A9',
      'cafe%CC%81',
      '%23',
      '%EF%BC%83',
      'never',
      'a-b',
      '16',
      '_',
      '%',
      '%E0%A4',
      '.',
      '~',
      ';',
      '@',
      '/',
      '//',
      '?x=1',
      '#',
      '%20',
    );
    const validator = fc.constantFrom(
      () => etag,
      () => `W/${etag}`,
      () => '"other"',
      () => '*',
      () => 'W/"x"',
    );
    const separator = fc.constantFrom(',', ', ', ' ', '\t,', ',,');
    await fc.assert(
      fc.asyncProperty(
        fc.array(pathPart, { minLength: 1, maxLength: 4 }),
        fc.option(fc.array(fc.tuple(validator, separator), { minLength: 1, maxLength: 3 })),
        async (parts, validators) => {
          const extra =
            validators === null ? [] : [`If-None-Match: ${validators.map(([v, sep]) => v() + sep).join('')}`];
          await both('GET', `/v1/tags/${parts.join('')}`, extra);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('hands a request with a body to Express, which parses it', async () => {
    const { reply, handedOn } = await both(
      'GET',
      '/v1/tags/sunset',
      ['Content-Type: application/json', 'Content-Length: 3'],
      '{x:',
    );
    expect([reply.status, JSON.parse(reply.body).error.code, handedOn]).toEqual([400, 'INVALID_JSON', true]);
  });

  it('hands a miss to Express, which loads it; the next request is answered from the cache', async () => {
    // Requested nowhere else in this file, so not cached yet.
    const target = '/v1/tags/Plage';
    handedOn = [];
    const miss = await rawRequest(port(fast), 'GET', target);
    expect([miss.status, handedOn]).toEqual([200, [`GET ${target}`]]);
    expect(JSON.parse(miss.body)).toEqual({
      tag: 'plage',
      displayName: 'Plage',
      totalPosts: 0,
      topPosts: [],
    });
    const { reply, handedOn: again } = await both('GET', target);
    expect([reply.status, again]).toEqual([200, false]);
    expect(reply.body).toBe(miss.body);
  });

  it('hands an expired page to Express, and a failed reload answers the route’s 503', async () => {
    clock.advance(60_000);
    kv.failWith = new TransientError('KV_TIMEOUT', 'the store timed out');
    try {
      const { reply, handedOn } = await both('GET', '/v1/tags/sunset');
      expect([reply.status, handedOn]).toEqual([503, true]);
      expect(reply.headers).toContainEqual(['Retry-After', '1']);
      expect(JSON.parse(reply.body)).toEqual({
        error: { code: 'KV_TIMEOUT', message: 'the store timed out' },
      });
    } finally {
      kv.failWith = undefined;
    }
    expect((await rawRequest(port(fast), 'GET', '/v1/tags/sunset')).status).toBe(200);
  });

  it('records its answers in the latency histogram under the route’s label, and logs slow ones', async () => {
    const count = async (status: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port(express)}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) =>
          l.startsWith(
            `http_request_duration_seconds_count{method="GET",route="/v1/tags/:name",status="${status}"}`,
          ),
        );
      return Number(line?.split(' ')[1] ?? 0);
    };
    const [ok, notModified] = [await count(200), await count(304)];
    warnings.length = 0;
    for (let i = 0; i < 3; i++) await rawRequest(port(fast), 'GET', '/v1/tags/sunset');
    await rawRequest(port(fast), 'GET', '/v1/tags/sunset', [`If-None-Match: ${etag}`]);
    await pollUntil(async () => (await count(304)) === notModified + 1, 'the 304 to be recorded');
    expect(await count(200)).toBe(ok + 3);
    await pollUntil(() => warnings.length === 4, 'four slow-request lines');
    for (const w of warnings) {
      expect(w).toMatchObject({
        msg: 'slow request',
        method: 'GET',
        url: '/v1/tags/sunset',
        route: '/v1/tags/:name',
      });
      expect(typeof (w.timings as { page: number }).page).toBe('number');
    }
    expect(warnings.map((w) => w.status)).toEqual([200, 200, 200, 304]);
  });

  it('is what createApiApp serves through listenApi', async () => {
    const server = await listenApi(api, 0);
    try {
      const hits = api.tagPages.stats.hits;
      const reference = await rawRequest(port(express), 'GET', '/v1/tags/sunset');
      const reply = await rawRequest(port(server), 'GET', '/v1/tags/sunset');
      expect(reply.raw).toBe(reference.raw);
      expect(api.tagPages.stats.hits).toBe(hits + 2);
      expect((await rawRequest(port(server), 'GET', '/healthz')).status).toBe(200);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('listenApi rejects when the port is taken', async () => {
    await expect(listenApi(api, port(express))).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
