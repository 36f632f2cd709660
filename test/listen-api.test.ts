import { mkdtemp, rm } from 'node:fs/promises';
import http, { IncomingMessage, ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { KV } from '../indexer/kv-tables';
import { TrendRanker } from '../indexer/trending/trend-ranker';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../platform/adapters/memory-search';
import { systemClock } from '../platform/clock';
import { createApiApp, type ApiApp } from '../query/api/create-api-app';
import { createApiServer, listenApi } from '../query/api/listen-api';
import { PostingIndex } from '../query/engine/posting-index';
import { rawRequest, type RawReply } from './support/raw-request';

const TOKEN = 'test-admin-token-123456';
const auth = [`Authorization: Bearer ${TOKEN}`];
const json = (body: string) => [
  'Content-Type: application/json',
  `Content-Length: ${Buffer.byteLength(body)}`,
];

/**
 * `listenApi` serves the app with its own request and response prototypes
 * and the tag-page fast path; the app served by `app.listen` is the
 * reference. Every route, error and edge answers byte for byte the same.
 */
describe('listenApi', () => {
  let dir: string;
  let log: EmbeddedEventLog;
  let kv: LmdbKvStore;
  let api: ApiApp;
  let reference: Server;
  let served: Server;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'listen-api-'));
    log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    const index = new PostingIndex();
    const [ann, bob] = ['101', '102'].map((id) => index.ids.user.getOrAssign(id));
    const post = index.ids.media.getOrAssign('5001');
    index.apply([
      { op: 'add', term: { kind: 'follows', id: ann! }, member: bob! },
      { op: 'add', term: { kind: 'users' }, member: ann! },
      { op: 'add', term: { kind: 'users' }, member: bob! },
      { op: 'add', term: { kind: 'tag', tag: 'sunset' }, member: post },
      { op: 'add', term: { kind: 'author', id: bob! }, member: post },
      { op: 'add', term: { kind: 'public' }, member: post },
      { op: 'add', term: { kind: 'live' }, member: post },
    ]);
    const doc = {
      id: '5001',
      authorId: '102',
      authorUsername: 'bob',
      caption: 'evening #sunset',
      imageUrl: 'https://img.example.com/5001.jpg',
      tags: ['sunset'],
      locationId: null,
      locationName: null,
      createdAt: '2024-06-01T00:00:00.000Z',
    };
    await kv.batch([
      {
        type: 'put',
        table: KV.media,
        key: '5001',
        value: { id: '5001', deleted: false, dense: post, at: 0, doc },
      },
      { type: 'put', table: KV.hashtagNames, key: 'sunset', value: { tag: 'sunset', displayName: 'Sunset' } },
      {
        type: 'put',
        table: KV.users,
        key: '101',
        value: {
          id: '101',
          username: 'ann',
          fullName: 'Ann Example',
          isPrivate: false,
          followerCount: 0,
          followingCount: 1,
          mediaCount: 0,
          known: true,
          at: 0,
        },
      },
    ]);
    const search = MemorySearchIndex.create();
    await search.upsert([
      { kind: 'users', entry: { id: '101', username: 'ann', fullName: 'Ann Example', followerCount: 0 } },
      { kind: 'users', entry: { id: '102', username: 'bob', fullName: 'Bob Sunny', followerCount: 1 } },
      { kind: 'hashtags', entry: { tag: 'sunset', displayName: 'Sunset', totalPosts: 1 } },
    ]);
    api = createApiApp({
      log,
      kv,
      search,
      index: () => index,
      trending: new TrendRanker({ kv, clock: systemClock, windowMs: 300_000, retentionMs: 3_600_000 }),
      ready: async () => true,
      adminToken: TOKEN,
    });
    reference = http.createServer(api.app);
    await new Promise<void>((resolve) => reference.listen(0, '127.0.0.1', resolve));
    served = await listenApi(api, 0);
  });
  afterAll(async () => {
    for (const s of [reference, served]) await new Promise<void>((resolve) => s.close(() => resolve()));
    await kv.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  const port = (s: Server) => (s.address() as AddressInfo).port;
  async function same(method: string, target: string, extra: string[] = [], body = ''): Promise<RawReply> {
    const want = await rawRequest(port(reference), method, target, extra, body);
    const got = await rawRequest(port(served), method, target, extra, body);
    expect(got.raw).toBe(want.raw);
    return got;
  }

  it.each([
    ['GET', '/healthz', 200],
    ['GET', '/readyz', 200],
    ['GET', '/openapi.json', 200],
    ['GET', '/v1/tags/sunset', 200],
    ['GET', '/v1/tags/SUNSET/', 200],
    ['GET', '/v1/tags/a-b', 400],
    ['GET', '/v1/tags/neverseen', 404],
    ['GET', '/v1/search?q=su', 200],
    ['GET', '/v1/search?q=%23su', 200],
    ['GET', '/v1/search?q=b&viewer=101&limit=3', 200],
    ['GET', '/v1/search', 400],
    ['GET', '/v1/search?q=a&q=b', 400],
    ['GET', '/v1/search?q=a&viewer=x', 400],
    ['GET', '/v1/media?q=%23sunset', 200],
    ['GET', '/v1/media?q=%23sunset&viewer=101&limit=1', 200],
    ['GET', '/v1/media?q=sunset', 400],
    ['GET', '/v1/media/5001', 200],
    ['GET', '/v1/media/9999', 404],
    ['GET', '/v1/users/101', 200],
    ['GET', '/v1/users/abc', 400],
    ['GET', '/v1/locations/1', 404],
    ['GET', '/v1/trending', 200],
    ['GET', '/v1/nothing', 404],
    ['DELETE', '/v1/users/101', 404],
    ['HEAD', '/v1/search?q=su', 200],
    ['HEAD', '/v1/tags/sunset', 200],
    ['OPTIONS', '/v1/tags/sunset', 200],
    ['OPTIONS', '/v1/media/query', 200],
    ['GET', '/', 200],
    ['GET', '/static/styles.css', 200],
    ['GET', '/demo/images/5001.svg', 200],
  ])('%s %s (%d)', async (method, target, status) => {
    expect((await same(method, target)).status).toBe(status);
  });

  it.each([
    ['POST', '/v1/media/query', [], '{"query":{"op":"term","kind":"tag","value":"sunset"}}', 200],
    ['POST', '/v1/media/query', [], '{"query":', 400],
    ['POST', '/v1/media/query', [], `{"query":"${'x'.repeat(70_000)}"}`, 413],
    ['POST', '/v1/events', [], '[]', 401],
    ['POST', '/v1/events', auth, '[]', 400],
    ['POST', '/v1/events', auth, '{"type":"nope"}', 400],
    ['PUT', '/v1/tags/sunset/top', [], '{"postIds":[]}', 401],
    ['GET', '/v1/tags/sunset', [], '{"x":', 400],
  ])('%s %s with a body (%#)', async (method, target, extra, body, status) => {
    expect((await same(method, target, [...extra, ...json(body)], body)).status).toBe(status);
  });

  it('answers /metrics the same way (the counts themselves move between the two requests)', async () => {
    const want = await rawRequest(port(reference), 'GET', '/metrics');
    const got = await rawRequest(port(served), 'GET', '/metrics');
    expect(got.status).toBe(want.status);
    expect(got.headers.map(([k]) => k)).toEqual(want.headers.map(([k]) => k));
    expect(got.headers.find(([k]) => k === 'Content-Type')).toEqual(
      want.headers.find(([k]) => k === 'Content-Type'),
    );
  });

  it('hands Express requests and responses that already have the app’s prototypes', async () => {
    let seen: [boolean, boolean, boolean, boolean] | undefined;
    const server = createApiServer({
      app: api.app,
      handler: (req, res) => {
        seen = [
          Object.getPrototypeOf(req) === api.app.request,
          Object.getPrototypeOf(res) === api.app.response,
          req instanceof IncomingMessage,
          res instanceof ServerResponse,
        ];
        api.app(req, res);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      expect((await rawRequest(port(server), 'GET', '/healthz')).status).toBe(200);
      expect(seen).toEqual([true, true, true, true]);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
