import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { eventKey } from '../../indexer/event-key';
import { IndexerPipeline } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { loadSearchIndex } from '../../indexer/search/load-search-index';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { TrendRanker } from '../../indexer/trending/trend-ranker';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../../platform/adapters/memory-search';
import { type Clock, systemClock } from '../../platform/clock';
import { silentLogger, type Logger } from '../../platform/logger';
import { parseEvents } from '../../schemas/events';
import { createApiApp } from '../api/create-api-app';
import { generateDemoEvents } from '../demo/demo-events';

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
  snapshotIntervalMs?: number;
}

export interface EmbeddedService {
  url: string;
  /** Resolves once every consumer and the bitmap replica have caught up with the log. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

const WINDOW_MS = 5 * 60_000;
const RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * The whole service in one process, with state on local disk under
 * `dataDir`: the event log (log/), the KV store (kv/) and the bitmap
 * snapshot (bitmaps.snap). The typeahead index is rebuilt from the KV store.
 */
export async function startEmbeddedService(options: EmbeddedServiceOptions): Promise<EmbeddedService> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  await mkdir(options.dataDir, { recursive: true });
  const fresh = !existsSync(path.join(options.dataDir, 'kv'));
  const log = await EmbeddedEventLog.open({
    dir: path.join(options.dataDir, 'log'),
    fsync: options.logFsync ?? 'always',
    logger,
  });
  await ensureTopics(log);
  const kv = LmdbKvStore.open({ path: path.join(options.dataDir, 'kv') });
  const search = MemorySearchIndex.create();
  const loaded = await loadSearchIndex(kv, search);
  const follower = await BitmapFollower.open({
    log,
    snapshotPath: path.join(options.dataDir, 'bitmaps.snap'),
    snapshotIntervalMs: options.snapshotIntervalMs ?? 60_000,
    logger,
    clock,
  });
  await follower.start();
  const pipeline = await IndexerPipeline.start({ log, kv, search, logger, clock, counter: options.counter });
  logger.info({ dataDir: options.dataDir, searchEntries: loaded.entries, fresh }, 'embedded stores open');
  if (fresh && options.seedDemo) {
    const events = parseEvents(generateDemoEvents({ now: clock.now() }));
    for (let i = 0; i < events.length; i += 1000) {
      await log.produce(
        TOPICS.postPublish,
        events.slice(i, i + 1000).map((e) => ({ key: eventKey(e), value: Buffer.from(JSON.stringify(e)) })),
      );
    }
    logger.info({ events: events.length }, 'demo data queued for indexing');
  }

  const caughtUp = async () => (await pipeline.caughtUp()) && (await follower.caughtUp());
  const { app } = createApiApp({
    log,
    kv,
    search,
    index: () => follower.index,
    trending: new TrendRanker({ kv, clock, windowMs: WINDOW_MS, retentionMs: RETENTION_MS }),
    ready: caughtUp,
    adminToken: options.adminToken,
    logger,
    clock,
    tagCache: options.tagCache,
    metricSources: {
      lag: async () => ({
        indexer: [...(pipeline.index?.lagByPartition().values() ?? [])].reduce((a, b) => a + b, 0),
        bitmaps: follower.lag,
      }),
      flushes: () => {
        const out: Record<
          string,
          { flushes: number; events: number; kvWrites: number; lastDurationMs: number }
        > = {};
        for (const [name, c] of [
          ['counter', pipeline.counter],
          ['trending', pipeline.trending],
        ] as const) {
          if (!c) continue;
          const m = c.metrics();
          out[name] = {
            flushes: m.flushes,
            events: m.events,
            kvWrites: m.kvWrites,
            lastDurationMs: m.lastFlush?.durationMs ?? 0,
          };
        }
        return out;
      },
    },
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(options.port, options.host ?? '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address() as AddressInfo;
  const host = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    ready: async () => {
      while (!(await caughtUp())) await clock.sleep(25);
    },
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await pipeline.stop();
        await follower.stop();
        await follower.snapshot();
        await search.close();
        await kv.close();
        await log.close();
      })()),
  };
}
