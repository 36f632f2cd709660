import { type Clock, systemClock } from '../platform/clock';
import { silentLogger, type Logger } from '../platform/logger';
import type { EventLog } from '../platform/ports/event-log';
import type { KvStore } from '../platform/ports/kv-store';
import type { MediaIndex } from '../platform/ports/media-index';
import type { SearchIndex } from '../platform/ports/search-index';
import type { RetryPolicy } from '../platform/retry';
import { checkpointsReached } from './checkpoints-reached';
import { IndexConsumer } from './consumer/index-consumer';
import { CountingWorker } from './counting/counting-worker';
import type { FlushStats } from './counting/flush-metrics';
import { CuratedTopConsumer } from './top-posts/curated-top-consumer';
import { ensureTopics, TOPICS, type TopicPartitions } from './topics';
import { TrendingPipeline } from './trending/trending-pipeline';

export type PipelineRole = 'index' | 'curated-top' | 'counter' | 'trending';

/** `npm run indexer` runs the first two, `npm run counter` the last two, embedded mode all four. */
export const ALL_ROLES: readonly PipelineRole[] = ['index', 'curated-top', 'counter', 'trending'];

export interface IndexerPipelineOptions {
  log: EventLog;
  kv: KvStore;
  search?: SearchIndex;
  /** Where the index consumer sends media documents (distributed mode). */
  media?: MediaIndex;
  roles?: readonly PipelineRole[];
  logger?: Logger;
  clock?: Clock;
  retryPolicy?: Partial<RetryPolicy>;
  partitions?: TopicPartitions;
  /** Upload events per index batch; default 5000. */
  indexBatchSize?: number;
  counter?: { flushEvents?: number; flushIntervalMs?: number; cacheCounts?: boolean };
  trending?: { flushEvents?: number; flushIntervalMs?: number; windowMs?: number; retentionMs?: number };
  onFlush?: (consumer: 'counter' | 'trending', stats: FlushStats) => void;
}

/**
 * The write path's consumers, wired once: the index consumer (documents,
 * postings, and the repartition to POST_HASHTAG), the curated top lists, the
 * counting worker and the trending scorer. Each keeps its own checkpoint, so
 * any subset can run in a process and several processes can share the work.
 */
export class IndexerPipeline {
  private constructor(
    private readonly options: IndexerPipelineOptions,
    readonly roles: readonly PipelineRole[],
    readonly index: IndexConsumer | undefined,
    readonly curatedTop: CuratedTopConsumer | undefined,
    readonly counter: CountingWorker | undefined,
    readonly trending: TrendingPipeline | undefined,
  ) {}

  static async start(options: IndexerPipelineOptions): Promise<IndexerPipeline> {
    const roles = options.roles ?? ALL_ROLES;
    const logger = options.logger ?? silentLogger;
    const clock = options.clock ?? systemClock;
    const { log, kv, search, media, retryPolicy } = options;
    await ensureTopics(log, options.partitions);
    const has = (r: PipelineRole) => roles.includes(r);
    const index = has('index')
      ? await IndexConsumer.create({
          log,
          kv,
          search,
          media,
          logger,
          clock,
          maxBatchSize: options.indexBatchSize,
        })
      : undefined;
    const curatedTop = has('curated-top') ? new CuratedTopConsumer({ log, kv, logger, clock }) : undefined;
    const counter = has('counter')
      ? new CountingWorker({
          log,
          kv,
          search,
          logger,
          clock,
          retryPolicy,
          ...options.counter,
          onFlush: (s) => options.onFlush?.('counter', s),
        })
      : undefined;
    const trending = has('trending')
      ? new TrendingPipeline({
          log,
          kv,
          logger,
          clock,
          retryPolicy,
          ...options.trending,
          onFlush: (s) => options.onFlush?.('trending', s),
        })
      : undefined;
    const pipeline = new IndexerPipeline(options, roles, index, curatedTop, counter, trending);
    await index?.start();
    await curatedTop?.start();
    await counter?.start();
    await trending?.start();
    return pipeline;
  }

  /** Stops every consumer; the batching ones flush and commit first. */
  async stop(): Promise<void> {
    await this.index?.stop();
    await this.curatedTop?.stop();
    await this.counter?.stop();
    await this.trending?.stop();
  }

  /**
   * True when every running consumer's stored checkpoint covers its topic's
   * current end, and no index batch or counter flush is still finishing.
   */
  async caughtUp(): Promise<boolean> {
    const { log, kv } = this.options;
    const checks: [boolean, string, string][] = [
      [this.index !== undefined, 'indexer', TOPICS.postPublish],
      [this.curatedTop !== undefined, 'curated-top', TOPICS.hashtagTop],
      [this.counter !== undefined, 'counter', TOPICS.postHashtag],
      [this.trending !== undefined, 'trending', TOPICS.postHashtag],
    ];
    for (const [running, consumer, topic] of checks) {
      if (running && !(await checkpointsReached(log, kv, consumer, topic))) return false;
    }
    // Read after the checkpoints: a batch or flush that stored its checkpoint is busy until its metrics are counted.
    return !this.index?.busy && !this.counter?.metrics().flushing && !this.trending?.metrics().flushing;
  }
}
