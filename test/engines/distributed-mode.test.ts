import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extractHashtags } from '../../indexer/hashtags/extract-hashtags';
import { generateDemoEvents } from '../../query/demo/demo-events';
import { startDistributedService, type DistributedService } from '../../query/service/distributed-service';
import { loadDistributedConfig, type DistributedConfig } from '../../query/service/distributed-config';
import { CassandraSnapshotBlobStore } from '../../platform/adapters/cassandra-kv';
import { startEmbeddedService, type EmbeddedService } from '../../query/service/embedded-service';
import { distributedEnv } from '../../scripts/engines/index';
import { pollUntil } from '../support/poll';
import { testEndpoints, uniqueName } from './support/test-endpoints';

/*
 * The same events into both modes, then the same questions to both APIs.
 * One partition per topic, so both index consumers see one order and assign
 * the same dense ids: answers, cursors included, must match byte for byte.
 */
const TOKEN = 'distributed-mode-test-token';
const ONE = { postPublish: 1, postHashtag: 1, hashtagTop: 1 };
const events = generateDemoEvents({ now: Date.parse('2026-11-01T12:00:00Z'), posts: 1500, users: 300 });

let dir: string;
let embedded: EmbeddedService;
let distributed: DistributedService;
let prefix: string;

async function post(base: string, body: unknown): Promise<void> {
  const res = await fetch(`${base}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`POST /v1/events: ${res.status} ${await res.text()}`);
}

/** Answers with something in them, so that a run where both modes answer empty cannot pass. */
let nonEmpty = 0;

async function get(base: string, route: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${base}${route}`);
  const body = (await res.json()) as Record<string, unknown>;
  const lists = ['users', 'hashtags', 'locations', 'items', 'topPosts'].map((k) => body[k]);
  if (lists.some((l) => Array.isArray(l) && l.length > 0)) nonEmpty++;
  return { status: res.status, body };
}

function engines(): DistributedConfig {
  return loadDistributedConfig({
    ...distributedEnv(testEndpoints(), prefix),
    POST_PUBLISH_PARTITIONS: '1',
    POST_HASHTAG_PARTITIONS: '1',
    HASHTAG_TOP_PARTITIONS: '1',
  });
}

beforeAll(async () => {
  prefix = uniqueName('mode');
  dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-modes-'));
  embedded = await startEmbeddedService({
    dataDir: dir,
    port: 0,
    seedDemo: false,
    adminToken: TOKEN,
    logFsync: 'never',
    partitions: ONE,
    counter: { flushEvents: 500, flushIntervalMs: 50 },
  });
  distributed = await startDistributedService({
    engines: engines(),
    roles: ['indexer', 'counter', 'api'],
    port: 0,
    adminToken: TOKEN,
    counter: { flushEvents: 500, flushIntervalMs: 50 },
    snapshotIntervalMs: 1000,
  });
  for (let i = 0; i < events.length; i += 1000) {
    const chunk = events.slice(i, i + 1000);
    await post(embedded.url, chunk);
    await post(distributed.url!, chunk);
  }
  await embedded.ready();
  await distributed.ready();
}, 600_000);

afterAll(async () => {
  await distributed?.close();
  await embedded?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const tags = [
  ...new Set(
    events.flatMap((e) =>
      e.type === 'post.published' ? extractHashtags(e.post.caption).map((h) => h.key) : [],
    ),
  ),
];
const users = events.flatMap((e) => (e.type === 'user.upserted' ? [e.user] : []));
const follower = events.find((e) => e.type === 'follow.added');

describe('distributed mode answers exactly as embedded mode', () => {
  it('has ingested a real corpus (guards the comparisons below against two empty answers)', async () => {
    expect(tags.length).toBeGreaterThan(50);
    const page = await get(distributed.url!, `/v1/tags/${encodeURIComponent(tags[0]!)}`);
    expect(page.status).toBe(200);
    expect((page.body as { totalPosts: number }).totalPosts).toBeGreaterThan(0);
  });

  it('hashtag pages', async () => {
    for (const tag of [...tags.slice(0, 40), 'nosuchtag_xyz']) {
      const route = `/v1/tags/${encodeURIComponent(tag)}`;
      expect({ route, ...(await get(distributed.url!, route)) }).toEqual({
        route,
        ...(await get(embedded.url, route)),
      });
    }
  });

  it('typeahead, with and without a viewer', async () => {
    const before = nonEmpty;
    const viewer = follower?.type === 'follow.added' ? follower.followerId : undefined;
    const prefixes = [
      's',
      'su',
      'ma',
      '#s',
      '#l',
      '@a',
      'par',
      'lo',
      'ö',
      ...users.slice(0, 5).map((u) => u.username.slice(0, 3)),
    ];
    for (const q of prefixes) {
      for (const v of [undefined, viewer]) {
        const route = `/v1/search?q=${encodeURIComponent(q)}&limit=10${v ? `&viewer=${v}` : ''}`;
        expect({ route, ...(await get(distributed.url!, route)) }).toEqual({
          route,
          ...(await get(embedded.url, route)),
        });
      }
    }
    expect(nonEmpty - before).toBeGreaterThan(20);
  });

  it('set-operation search, documents and errors', async () => {
    const [a, b, c] = tags;
    const author = users[0]!.id;
    const viewer = follower?.type === 'follow.added' ? follower.followerId : users[1]!.id;
    const queries = [
      `#${a}`,
      `#${a} -#${b}`,
      `(or tag:${a} tag:${b} tag:${c})`,
      `(apply author: (term follows:${viewer}))`,
      `(and (apply author: (apply follows: (term follows:${viewer}))) (not tag:${a}))`,
      `@${users[0]!.username}`,
      `(and tag:${a}`,
    ];
    for (const q of queries) {
      for (const v of [undefined, viewer]) {
        let route = `/v1/media?q=${encodeURIComponent(q)}&limit=7${v ? `&viewer=${v}` : ''}`;
        // Follow the cursor for two pages: cursors must be interchangeable too.
        for (let page = 0; page < 2; page++) {
          const [d, e] = [await get(distributed.url!, route), await get(embedded.url, route)];
          expect({ route, ...d }).toEqual({ route, ...e });
          const next = (d.body as { nextCursor?: string }).nextCursor;
          if (!next) break;
          route = `${route.replace(/&cursor=[^&]*/, '')}&cursor=${next}`;
        }
      }
    }
    expect(nonEmpty).toBeGreaterThan(60);
    const post = events.flatMap((e) => (e.type === 'post.published' ? [e.post] : []))[0]!;
    for (const route of [
      `/v1/users/${author}`,
      `/v1/media/${post.id}`,
      `/v1/locations/${post.locationId ?? '1'}`,
    ]) {
      expect({ route, ...(await get(distributed.url!, route)) }).toEqual({
        route,
        ...(await get(embedded.url, route)),
      });
    }
  });

  it('a new API process builds its replica from the snapshot in Cassandra, then follows Kafka', async () => {
    const endpoints = testEndpoints();
    const blobs = await CassandraSnapshotBlobStore.connect({
      contactPoints: endpoints.cassandraContactPoints,
      localDataCenter: endpoints.cassandraLocalDc,
      keyspace: prefix,
    });
    try {
      // The indexer's replica snapshots within a second of its last change.
      await pollUntil(async () => {
        const latest = await blobs.getLatestSnapshot('bitmaps');
        return ((latest?.meta.position as { postings: number } | undefined)?.postings ?? 0) > 0;
      }, 'a bitmap snapshot in Cassandra');
    } finally {
      await blobs.close();
    }
    const api = await startDistributedService({ engines: engines(), roles: ['api'], port: 0 });
    try {
      await api.ready();
      for (const route of [
        `/v1/tags/${encodeURIComponent(tags[1]!)}`,
        `/v1/media?q=${encodeURIComponent(`(or tag:${tags[2]} tag:${tags[3]})`)}&limit=50`,
      ]) {
        expect({ route, ...(await get(api.url!, route)) }).toEqual({
          route,
          ...(await get(embedded.url, route)),
        });
      }
    } finally {
      await api.close();
    }
  });
});
