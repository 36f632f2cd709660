/**
 * `npm run bench -- ingest --mode distributed [--posts N]`: the write path
 * end to end through Kafka into Cassandra, Elasticsearch and the bitmaps
 * (engines started on loopback if they are not running), then the hashtag
 * page's latency against Cassandra with the API's cache off and on.
 * Baseline, in the same run: reading and validating the same events from Kafka.
 */
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { checkpointsReached } from '../../indexer/checkpoints-reached';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { loadDistributedConfig } from '../../query/service/distributed-config';
import { startDistributedService, type DistributedService } from '../../query/service/distributed-service';
import { openDistributedStores } from '../../query/service/open-distributed-stores';
import { distributedEnv, enginesUp } from '../engines/index';
import { appendEvents, generate, readAndValidate, type Flags } from './support/ingest-events';
import { printCaughtUp, waitCaughtUp } from './support/caught-up-times';
import { printTable } from './support/print-table';
import { runAutocannon, type LoadResult } from './support/run-autocannon';

/** Without --posts: a size this 2-core machine ingests through three JVMs in about a minute. */
const SMALL = { posts: 20_000, users: 2_000, locations: 200, follows: 10_000, tags: 10_000 };

export async function runDistributedIngest(flags: Flags, sized: boolean): Promise<void> {
  const shape = sized ? flags : { ...flags, ...SMALL };
  const endpoints = await enginesUp(undefined, { log: (m) => console.error(m) });
  const prefix = `bench_${Date.now().toString(36)}`;
  const engines = loadDistributedConfig(distributedEnv(endpoints, prefix));
  const { records, posts, tagsPerPost } = generate(shape);
  console.log(
    `distributed ingest benchmark: ${posts.toLocaleString()} posts (${tagsPerPost.toFixed(2)} tags/post), ` +
      `${shape.users} users, ${shape.locations} locations, ${shape.follows} follows; ` +
      `${records.length.toLocaleString()} events; prefix ${prefix}; load ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
  );
  const stores = await openDistributedStores(engines, { clientId: 'bench' });
  const services: DistributedService[] = [];
  try {
    await ensureTopics(stores.log, {
      postPublish: engines.POST_PUBLISH_PARTITIONS,
      postHashtag: engines.POST_HASHTAG_PARTITIONS,
      hashtagTop: engines.HASHTAG_TOP_PARTITIONS,
    });
    let started = performance.now();
    await appendEvents(stores.log, records);
    const produceSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await readAndValidate(stores.log, records.length);
    const baselineSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    const all = await startDistributedService({
      engines,
      roles: ['indexer', 'counter', 'api'],
      port: 0,
      tagCache: { ttlMs: 0 },
      // Short flush intervals, so the measurement ends when the work does, not at the next timed flush.
      counter: { flushIntervalMs: 200 },
      trending: { flushIntervalMs: 200 },
    });
    services.push(all);
    const { seconds: pipelineSeconds, caughtUpAt } = await waitCaughtUp(
      [
        ['index consumer', () => checkpointsReached(stores.log, stores.kv, 'indexer', TOPICS.postPublish)],
        ['counting worker', () => checkpointsReached(stores.log, stores.kv, 'counter', TOPICS.postHashtag)],
        ['trending', () => checkpointsReached(stores.log, stores.kv, 'trending', TOPICS.postHashtag)],
      ],
      () => all.caughtUp(),
      started,
    );

    const cached = await startDistributedService({ engines, roles: ['api'], port: 0 });
    services.push(cached);
    await cached.ready();
    const paths = await hotTagPaths(all.url!);
    const seconds = 10;
    const uncachedLoad = await runAutocannon(all.url!, paths, 16, seconds);
    const cachedLoad = await runAutocannon(cached.url!, paths, 16, seconds);

    const rate = (n: number, s: number) => Math.round(n / s).toLocaleString();
    printTable(
      ['stage', 'seconds', 'events/s', 'posts/s', 'vs baseline'],
      [
        ['produce to Kafka', produceSeconds.toFixed(2), rate(records.length, produceSeconds), '', ''],
        [
          'baseline: read + validate from Kafka',
          baselineSeconds.toFixed(2),
          rate(records.length, baselineSeconds),
          rate(posts, baselineSeconds),
          '1.00',
        ],
        [
          'whole pipeline (Kafka → Cassandra, ES, bitmaps)',
          pipelineSeconds.toFixed(2),
          rate(records.length, pipelineSeconds),
          rate(posts, pipelineSeconds),
          (baselineSeconds / pipelineSeconds).toFixed(2),
        ],
      ],
    );
    printCaughtUp(caughtUpAt);
    console.log(
      `\nGET /v1/tags/:name over the ${paths.length} most used tags, 16 connections, ${seconds} s each:`,
    );
    const row = (name: string, r: LoadResult) => [
      name,
      Math.round(r.requestsPerSecond).toLocaleString(),
      String(r.p50),
      String(r.p99),
      String(r.non2xx + r.errors + r.timeouts),
    ];
    printTable(
      ['API cache', 'req/s', 'p50 ms', 'p99 ms', 'failed'],
      [
        row('off (every request reads Cassandra)', uncachedLoad),
        row('on (read-through LRU, TTL 5 s)', cachedLoad),
      ],
    );
    console.log(
      `p99 cache off / on: ${(uncachedLoad.p99 / Math.max(cachedLoad.p99, 1)).toFixed(1)}x; ` +
        `throughput on / off: ${(cachedLoad.requestsPerSecond / uncachedLoad.requestsPerSecond).toFixed(1)}x`,
    );
  } finally {
    for (const s of services.reverse()) await s.close();
    await stores.close();
  }
}

/** The tags with pages, most posts first (trending ranks by recent counts, so read the search box instead). */
async function hotTagPaths(url: string): Promise<string[]> {
  const tags = new Set<string>();
  for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') {
    const res = await fetch(`${url}/v1/search?q=${encodeURIComponent(`#t${c}`)}&limit=10`);
    const body = (await res.json()) as { hashtags?: { tag: string }[] };
    for (const h of body.hashtags ?? []) tags.add(h.tag);
  }
  if (tags.size === 0) throw new Error('no hashtag pages after ingest');
  return [...tags].slice(0, 100).map((t) => `/v1/tags/${encodeURIComponent(t)}`);
}
