import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { TrendRanker } from '../indexer/trending/trend-ranker';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../platform/adapters/memory-search';
import { systemClock } from '../platform/clock';
import { createApiApp, type ApiApp } from '../query/api/create-api-app';
import { PostingIndex } from '../query/engine/posting-index';

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (METHOD, path) the app routes, found by walking Express 5's router stacks. */
function registeredRoutes(app: ApiApp['app']): string[] {
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
        for (const p of paths) {
          for (const [method, on] of Object.entries(layer.route.methods)) {
            if (on && method !== '_all') out.push(`${method.toUpperCase()} ${p.replace(/:(\w+)/g, '{$1}')}`);
          }
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

/** The web page and the demo images are not part of the v1 contract. */
const NOT_IN_CONTRACT = [/^GET \/$/, /^GET \/tags\//, /^GET \/search$/, /^GET \/static\//, /^GET \/demo\//];

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { responses: Record<string, unknown>; security?: unknown[] }>>;
  components: { responses: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

describe('/openapi.json', () => {
  let dir: string;
  let log: EmbeddedEventLog;
  let kv: LmdbKvStore;
  let api: ApiApp;
  let server: Server;
  let doc: Doc;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'openapi-'));
    log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    api = createApiApp({
      log,
      kv,
      search: MemorySearchIndex.create(),
      index: () => new PostingIndex(),
      trending: new TrendRanker({ kv, clock: systemClock, windowMs: 300_000, retentionMs: 3_600_000 }),
      ready: async () => true,
      adminToken: 'test-admin-token-123456',
    });
    server = api.app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Doc;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await kv.close();
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('documents exactly the routes the app registers', () => {
    const routes = registeredRoutes(api.app).filter((r) => !NOT_IN_CONTRACT.some((re) => re.test(r)));
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(new Set(routes).size).toBe(routes.length);
    expect([...documented].sort()).toEqual([...routes].sort());
    // The walk itself found the routes it should have skipped.
    expect(registeredRoutes(api.app)).toEqual(expect.arrayContaining(['GET /', 'GET /tags/{name}']));
  });

  it('is OpenAPI 3 with every $ref resolvable', () => {
    expect(doc.openapi).toMatch(/^3\./);
    const refs = JSON.stringify(doc).match(/"\$ref":"#\/[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const pointer = ref.slice(9, -1).split('/').slice(1);
      const target = pointer.reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
      expect([ref, target]).toEqual([ref, expect.anything()]);
    }
  });

  /** Every status the HTTP tests exercise, by operation. */
  const statuses: [string, string, string[]][] = [
    ['/v1/events', 'post', ['202', '400', '401', '403']],
    ['/v1/tags/{name}', 'get', ['200', '304', '400', '404']],
    ['/v1/tags/{name}/top', 'put', ['202', '400', '401', '403']],
    ['/v1/search', 'get', ['200', '400']],
    ['/v1/media', 'get', ['200', '400']],
    ['/v1/media/query', 'post', ['200', '400']],
    ['/v1/media/{id}', 'get', ['200', '400', '404']],
    ['/v1/users/{id}', 'get', ['200', '400', '404']],
    ['/v1/locations/{id}', 'get', ['200', '400', '404']],
    ['/v1/trending', 'get', ['200', '400']],
    ['/healthz', 'get', ['200']],
    ['/readyz', 'get', ['200', '503']],
    ['/metrics', 'get', ['200']],
    ['/openapi.json', 'get', ['200']],
  ];

  it.each(statuses)('%s %s documents %j', (p, method, codes) => {
    const op = doc.paths[p]?.[method];
    expect(op).toBeDefined();
    expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(codes));
  });

  it('marks exactly the admin operations as needing the bearer token', () => {
    const secured = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.entries(ops)
        .filter(([, op]) => op.security !== undefined)
        .map(([m]) => `${m.toUpperCase()} ${p}`),
    );
    expect(secured.sort()).toEqual([
      'GET /v1/admin/dead-letters',
      'POST /v1/admin/dead-letters/replay',
      'POST /v1/events',
      'PUT /v1/tags/{name}/top',
    ]);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});
