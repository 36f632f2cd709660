import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { IndexerPipeline } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { fileBitmapSnapshots } from '../../indexer/postings/bitmap-snapshots';
import { loadSearchIndex } from '../../indexer/search/load-search-index';
import { ensureTopics, type TopicPartitions } from '../../indexer/topics';
import { TrendRanker } from '../../indexer/trending/trend-ranker';
import { DEFAULT_RETENTION_MS, DEFAULT_WINDOW_MS } from '../../indexer/trending/trending-pipeline';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../../platform/adapters/memory-search';
import { type Clock, systemClock } from '../../platform/clock';
import { acquireDataDirLock, type DataDirLock } from '../../platform/fs/data-dir-lock';
import { silentLogger, type Logger } from '../../platform/logger';
import { createApiApp } from '../api/create-api-app';
import { latchReady } from '../api/latch-ready';
import { listenHttp } from './listen-http';
import { pipelineMetricSources } from './pipeline-metric-sources';
import { seedDemoEvents } from './seed-demo-events';

export interface EmbeddedServiceOptions {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  seedDemo: boolean;
  adminToken?: string;
  logger?: Logger;
  clock?: Clock;
  logFsync?: 'always' | 'never';
  tagCache?: { maxEntries?: number; ttlMs?: number };
  counter?: { flushEvents?: number; flushIntervalMs?: number };
  trending?: { flushEvents?: number; flushIntervalMs?: number };
  snapshotIntervalMs?: number;
  /** Topic partition counts for a new data dir (tests compare modes with one partition each). */
  partitions?: TopicPartitions;
}

export interface EmbeddedService {
  url: string;
  /** Whether every consumer and the bitmap replica have caught up with the log now. */
  caughtUp(): Promise<boolean>;
  /** Resolves once every consumer and the bitmap replica have caught up with the log. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The whole service in one process, with state on local disk under
 * `dataDir`: the event log (log/), the KV store (kv/) and the bitmap
 * snapshot (bitmaps.snap). The typeahead index is rebuilt from the KV store.
 */
export async function startEmbeddedService(options: EmbeddedServiceOptions): Promise<EmbeddedService> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  await mkdir(options.dataDir, { recursive: true });
  // The embedded log has no cross-process coordination: one process per data dir (the ops CLIs check too).
  const lock = await acquireDataDirLock(options.dataDir, 'the picsearch service');
  try {
    return await startLocked(options, logger, clock, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(
  options: EmbeddedServiceOptions,
  logger: Logger,
  clock: Clock,
  lock: DataDirLock,
): Promise<EmbeddedService> {
  const fresh = !existsSync(path.join(options.dataDir, 'kv'));
  const log = await EmbeddedEventLog.open({
    dir: path.join(options.dataDir, 'log'),
    fsync: options.logFsync ?? 'always',
    logger,
  });
  await ensureTopics(log, options.partitions);
  const kv = LmdbKvStore.open({ path: path.join(options.dataDir, 'kv') });
  const search = MemorySearchIndex.create();
  const loaded = await loadSearchIndex(kv, search);
  const follower = await BitmapFollower.open({
    log,
    snapshots: fileBitmapSnapshots(path.join(options.dataDir, 'bitmaps.snap')),
    snapshotIntervalMs: options.snapshotIntervalMs ?? 60_000,
    logger,
    clock,
  });
  await follower.start();
  const pipeline = await IndexerPipeline.start({
    log,
    kv,
    search,
    logger,
    clock,
    // This process holds the data dir, so nothing else writes the counts.
    counter: { ...options.counter, cacheCounts: true },
    trending: options.trending,
    partitions: options.partitions,
  });
  logger.info({ dataDir: options.dataDir, searchEntries: loaded.entries, fresh }, 'embedded stores open');
  if (fresh && options.seedDemo) {
    const events = await seedDemoEvents(log, clock);
    logger.info({ events }, 'demo data queued for indexing');
  }

  const caughtUp = async () => (await pipeline.caughtUp()) && (await follower.caughtUp());
  const api = createApiApp({
    log,
    kv,
    search,
    index: () => follower.index,
    trending: new TrendRanker({ kv, clock, windowMs: DEFAULT_WINDOW_MS, retentionMs: DEFAULT_RETENTION_MS }),
    ready: latchReady(caughtUp),
    adminToken: options.adminToken,
    logger,
    clock,
    tagCache: options.tagCache,
    metricSources: pipelineMetricSources(pipeline, follower),
  });
  const http = await listenHttp(api, options.port, options.host);

  let closing: Promise<void> | undefined;
  return {
    url: http.url,
    caughtUp,
    ready: async () => {
      while (!(await caughtUp())) await clock.sleep(25);
    },
    close: () =>
      (closing ??= (async () => {
        await http.close();
        await pipeline.stop();
        await follower.stop();
        await follower.snapshot();
        await search.close();
        await kv.close();
        await log.close();
        await lock.release();
      })()),
  };
}
