import os from 'node:os';
import { type PipelineRole, IndexerPipeline } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { blobBitmapSnapshots } from '../../indexer/postings/bitmap-snapshots';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { TrendRanker } from '../../indexer/trending/trend-ranker';
import { DEFAULT_RETENTION_MS, DEFAULT_WINDOW_MS } from '../../indexer/trending/trending-pipeline';
import { type Clock, systemClock } from '../../platform/clock';
import { ValidationError } from '../../platform/errors';
import { silentLogger, type Logger } from '../../platform/logger';
import { createApiApp } from '../api/create-api-app';
import { latchReady } from '../api/latch-ready';
import type { DistributedConfig } from './distributed-config';
import { listenHttp, type Listening } from './listen-http';
import { openDistributedStores } from './open-distributed-stores';
import { pipelineMetricSources } from './pipeline-metric-sources';
import { seedDemoEvents } from './seed-demo-events';

/** What one distributed process runs; `npm start` with MODE=distributed runs all three. */
export type ProcessRole = 'indexer' | 'counter' | 'api';
export const PROCESS_ROLES: readonly ProcessRole[] = ['indexer', 'counter', 'api'];

const PIPELINE_ROLES: Record<ProcessRole, PipelineRole[]> = {
  indexer: ['index', 'curated-top'],
  counter: ['counter', 'trending'],
  api: [],
};

export interface DistributedServiceOptions {
  engines: DistributedConfig;
  roles: readonly ProcessRole[];
  /** The API's port (0 picks a free one); ignored without the api role. */
  port: number;
  host?: string;
  adminToken?: string;
  /** Queue the demo events when POST_PUBLISH is empty (indexer role only). */
  seedDemo?: boolean;
  logger?: Logger;
  clock?: Clock;
  tagCache?: { maxEntries?: number; ttlMs?: number };
  counter?: { flushEvents?: number; flushIntervalMs?: number };
  trending?: { flushEvents?: number; flushIntervalMs?: number };
  snapshotIntervalMs?: number;
  /** Names this process's bitmap consumer group; default host and pid. */
  instanceId?: string;
}

export interface DistributedService {
  /** The API's URL, when this process serves it. */
  url: string | undefined;
  /** Resolves once this process's consumers and bitmap replica have caught up. */
  ready(): Promise<void>;
  caughtUp(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * One distributed process: any of the indexer (index consumer, curated top
 * lists, bitmap snapshots to Cassandra), the counter (counting and trending
 * workers) and the stateless API (bitmap replica from the newest snapshot,
 * then POSTINGS). Copies of a role share its consumer groups: the index
 * consumer and the snapshot writer run active/standby (one id allocator),
 * counter, trending and curated top lists split the partitions, and API
 * copies are independent (see the README, "Distributed mode").
 */
export async function startDistributedService(
  options: DistributedServiceOptions,
): Promise<DistributedService> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const roles = [...new Set(options.roles)];
  if (roles.length === 0 || roles.some((r) => !PROCESS_ROLES.includes(r))) {
    throw new ValidationError('unknown process role', [
      { field: 'roles', reason: `must be some of ${PROCESS_ROLES.join(', ')}` },
    ]);
  }
  const has = (r: ProcessRole) => roles.includes(r);
  const stores = await openDistributedStores(options.engines, { logger, clientId: roles.join('+') });
  const { log, kv, search, media } = stores;
  const instance = options.instanceId ?? `${os.hostname()}-${process.pid}`;
  const started: { stop(): Promise<void> }[] = [];
  let http: Listening | undefined;
  const close = async () => {
    await http?.close();
    for (const s of started.splice(0).reverse())
      await s.stop().catch((err: unknown) => logger.warn({ err }, 'stop failed'));
    await stores.close();
  };
  try {
    const partitions = {
      postPublish: options.engines.POST_PUBLISH_PARTITIONS,
      postHashtag: options.engines.POST_HASHTAG_PARTITIONS,
      hashtagTop: options.engines.HASHTAG_TOP_PARTITIONS,
    };
    await ensureTopics(log, partitions);
    const snapshots = blobBitmapSnapshots(stores.snapshots);
    // The indexer's replica writes the shared snapshots; one copy at a time (exclusive group).
    const snapshotter = has('indexer')
      ? await BitmapFollower.open({
          log,
          snapshots,
          snapshotIntervalMs: options.snapshotIntervalMs,
          groupId: 'bitmap-snapshots',
          exclusive: true,
          logger,
          clock,
        })
      : undefined;
    const replica = has('api')
      ? await BitmapFollower.open({
          log,
          snapshots,
          readOnlySnapshots: true,
          groupId: `bitmaps-api-${instance}`,
          logger,
          clock,
        })
      : undefined;
    if (snapshotter) {
      await snapshotter.start();
      started.push({ stop: () => snapshotter.stop().then(() => snapshotter.snapshot()) });
    }
    if (replica) {
      await replica.start();
      started.push(replica);
    }
    const pipelineRoles = roles.flatMap((r) => PIPELINE_ROLES[r]);
    const pipeline =
      pipelineRoles.length > 0
        ? await IndexerPipeline.start({
            log,
            kv,
            search,
            media,
            roles: pipelineRoles,
            partitions,
            logger,
            clock,
            counter: options.counter,
            trending: options.trending,
          })
        : undefined;
    if (pipeline) started.push(pipeline);
    if (options.seedDemo && has('indexer')) {
      const end = await log.endOffsets(TOPICS.postPublish);
      if (end.every((p) => p.offset === 0)) {
        logger.info({ events: await seedDemoEvents(log, clock) }, 'demo data queued for indexing');
      }
    }
    const caughtUp = async () =>
      (pipeline ? await pipeline.caughtUp() : true) &&
      (snapshotter ? await snapshotter.caughtUp() : true) &&
      (replica ? await replica.caughtUp() : true);
    if (replica) {
      const api = createApiApp({
        log,
        kv,
        search,
        index: () => replica.index,
        trending: new TrendRanker({
          kv,
          clock,
          windowMs: DEFAULT_WINDOW_MS,
          retentionMs: DEFAULT_RETENTION_MS,
        }),
        // An API process is ready once its own replica has caught up; the writers report in their logs.
        ready: latchReady(() => replica.caughtUp()),
        adminToken: options.adminToken,
        logger,
        clock,
        tagCache: options.tagCache,
        metricSources: pipelineMetricSources(pipeline, replica),
      });
      http = await listenHttp(api, options.port, options.host);
    }
    logger.info({ roles, url: http?.url, instance }, 'distributed process started');
    let closing: Promise<void> | undefined;
    return {
      url: http?.url,
      caughtUp,
      ready: async () => {
        while (!(await caughtUp())) await clock.sleep(50);
      },
      close: () => (closing ??= close()),
    };
  } catch (err) {
    await close();
    throw err;
  }
}
