/**
 * `npm run bench -- http [--users N] [--hashtags N] [--media N] [--seconds S]`:
 * the API over loopback with autocannon (in its own process), on a world of
 * N users and N hashtags in the typeahead index and a bitmap index of
 * `media` posts whose documents are in lmdb. Routes: the hashtag page on a
 * cache hit, typeahead with a viewer, and a 3-term media search. The
 * baseline, measured in the same run, is a bare node:http server sending
 * the tag page's exact bytes and headers. The API is served as the service
 * serves it, through `listenApi` (the tag-page fast path in front of Express).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { MediaDoc } from '../../indexer/documents/document-types';
import type { MediaRecord } from '../../indexer/documents/records';
import { KV } from '../../indexer/kv-tables';
import { TrendRanker } from '../../indexer/trending/trend-ranker';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../../platform/adapters/memory-search';
import { systemClock } from '../../platform/clock';
import type { KvOp } from '../../platform/ports/kv-store';
import { createApiApp } from '../../query/api/create-api-app';
import { listenApi } from '../../query/api/listen-api';
import { buildIndex } from './engine-bench';
import { makeCorpus } from './search-bench';
import { generateCorpus } from './support/engine-corpus';
import { printTable } from './support/print-table';
import { runAutocannon, type LoadResult } from './support/run-autocannon';
import { seededRandom } from '../../platform/seeded-random';
import { parseFlags } from './support/seeded-random';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    users: 1_000_000,
    hashtags: 1_000_000,
    media: 200_000,
    seconds: 10,
    connections: 32,
    seed: 11,
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-http-bench-'));
  const servers: Server[] = [];
  try {
    console.log(
      `http benchmark: ${flags.users.toLocaleString()} users + ${flags.hashtags.toLocaleString()} hashtags in the ` +
        `typeahead index, ${flags.media.toLocaleString()} media in the bitmaps and lmdb; ${flags.connections} ` +
        `connections, ${flags.seconds} s per route; load ${os
          .loadavg()
          .map((x) => x.toFixed(1))
          .join(' ')}`,
    );
    process.stdout.write('building the world... ');
    const corpus = generateCorpus({
      media: flags.media,
      users: flags.users,
      tags: 20_000,
      locations: 1000,
      avgTagsPerPost: 4,
      avgFollows: 10,
      seed: flags.seed,
    });
    const { index } = buildIndex(corpus);
    const search = MemorySearchIndex.create();
    const names = makeCorpus(flags.users, flags.hashtags, seededRandom(flags.seed));
    await search.upsert(names.users);
    await search.upsert(names.hashtags);
    const kv = LmdbKvStore.open({ path: path.join(dir, 'kv'), noSync: true });
    await loadDocuments(kv, index.ids.media, corpus.media);
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    // The builders' garbage is not the server's: collect it (with --expose-gc) before measuring.
    (globalThis as { gc?: () => void }).gc?.();
    console.log('done');

    const apiApp = createApiApp({
      log,
      kv,
      search,
      index: () => index,
      trending: new TrendRanker({ kv, clock: systemClock, windowMs: 300_000, retentionMs: 7 * 86_400_000 }),
      ready: async () => true,
      web: false,
      tagCache: { ttlMs: 3_600_000 },
    });
    const api = await listen(await listenApi(apiApp, 0, '127.0.0.1'));
    servers.push(api.server);
    const page = await fetch(`${api.url}/v1/tags/t0`);
    if (page.status !== 200) throw new Error(`tag page answered ${page.status}`);
    const body = Buffer.from(await page.arrayBuffer());
    const header = (name: string) => page.headers.get(name) ?? '';
    const bare = await listen(
      http.createServer((_req, res) => {
        res.writeHead(200, {
          'content-type': header('content-type'),
          'cache-control': header('cache-control'),
          etag: header('etag'),
        });
        res.end(body);
      }),
    );
    servers.push(bare.server);

    const random = seededRandom(flags.seed + 1);
    const viewers = Array.from({ length: 200 }, () => String(1e15 + Math.floor(random() * flags.users) * 13));
    const letters = 'abcdefghijklmnoprstuvwyzáéj';
    const prefixes = Array.from({ length: 400 }, () => {
      const len = 1 + Math.floor(random() * 3);
      let p = '';
      for (let i = 0; i < len; i++) p += letters[Math.floor(random() * letters.length)];
      return p;
    });
    const searchPaths = prefixes.map(
      (p, i) => `/v1/search?q=${encodeURIComponent(p)}&viewer=${viewers[i % viewers.length]}&limit=5`,
    );
    const mediaPaths = Array.from({ length: 200 }, () => {
      const t = () => Math.floor(Math.pow(random(), 2) * 200);
      return `/v1/media?q=${encodeURIComponent(`#t${t()} #t${t()} -#t${t() + 200}`)}&limit=30`;
    });
    const tagPaths = ['/v1/tags/t0'];

    const runs: [string, string, string[], LoadResult | undefined][] = [
      ['bare node:http, same bytes', bare.url, tagPaths, undefined],
      ['GET /v1/tags/:name (cache hit)', api.url, tagPaths, undefined],
      ['GET /v1/search (typeahead, viewer)', api.url, searchPaths, undefined],
      ['GET /v1/media (3-term query)', api.url, mediaPaths, undefined],
    ];
    for (const r of runs) {
      // A short warm-up so JIT and caches are hot before the measured run.
      await runAutocannon(r[1], r[2], flags.connections, 2);
      r[3] = await runAutocannon(r[1], r[2], flags.connections, flags.seconds);
    }
    const base = runs[0]![3]!;
    printTable(
      ['route', 'req/s', 'p50 ms', 'p99 ms', 'max ms', 'non-2xx', 'vs bare'],
      runs.map(([name, , , res]) => [
        name,
        Math.round(res!.requestsPerSecond).toLocaleString(),
        String(res!.p50),
        String(res!.p99),
        String(res!.max),
        String(res!.non2xx + res!.errors + res!.timeouts),
        (res!.requestsPerSecond / base.requestsPerSecond).toFixed(2),
      ]),
    );
    const tag = runs[1]![3]!;
    const typeahead = runs[2]![3]!;
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    console.log(
      `\ntargets: tag page >= 10,000 req/s: ${verdict(tag.requestsPerSecond >= 10_000)}; tag page p99 <= 10 ms: ` +
        `${verdict(tag.p99 <= 10)}; typeahead p99 <= 10 ms: ${verdict(typeahead.p99 <= 10)}; tag page >= 0.5 x bare: ` +
        `${verdict(tag.requestsPerSecond >= 0.5 * base.requestsPerSecond)}`,
    );
    await kv.close();
    await log.close();
  } finally {
    for (const s of servers) s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function listen(server: Server): Promise<{ server: Server; url: string }> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.keepAliveTimeout = 60_000;
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Media documents for every post, and names and counts for the 200 most used tags. */
async function loadDocuments(
  kv: LmdbKvStore,
  ids: { external(dense: number): string },
  media: number,
): Promise<void> {
  let ops: KvOp[] = [];
  for (let m = 0; m < media; m++) {
    const id = ids.external(m);
    const doc: MediaDoc = {
      id,
      authorId: '1',
      authorUsername: 'someone',
      caption: 'a caption #t0',
      imageUrl: `/demo/images/${id}.svg`,
      tags: ['t0'],
      locationId: null,
      locationName: null,
      createdAt: new Date(1.7e12 + m * 1000).toISOString(),
    };
    ops.push({
      type: 'put',
      table: KV.media,
      key: id,
      value: { id, deleted: false, dense: m, at: m, doc } satisfies MediaRecord,
    });
    if (ops.length >= 10_000) {
      await kv.batch(ops);
      ops = [];
    }
  }
  for (let t = 0; t < 200; t++) {
    ops.push({
      type: 'put',
      table: KV.hashtagNames,
      key: `t${t}`,
      value: { tag: `t${t}`, displayName: `T${t}` },
    });
    ops.push({
      type: 'put',
      table: KV.hashtagCounts,
      key: `t${t}`,
      value: { tag: `t${t}`, count: 1000 - t, updatedAt: new Date(0).toISOString() },
    });
  }
  await kv.batch(ops);
}
