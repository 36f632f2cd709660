import { systemClock, type Clock } from '../../platform/clock';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import type { RetryPolicy } from '../../platform/retry';
import type { SearchEntry, SearchIndex } from '../../platform/ports/search-index';
import type { HashtagNameRecord } from '../documents/records';
import { KV } from '../kv-tables';
import { BatchingDeltaConsumer, type BuiltFlush, type FlushContext } from './batching-delta-consumer';
import type { ConsumerMetrics, FlushStats } from './flush-metrics';
import { HashtagTally } from './hashtag-tally';
import { PartitionRowCache } from './partition-row-cache';
import type { HashtagCountRecord } from './read-hashtag-count';

/** `<groupId>:<POST_HASHTAG partition>:<source partition>` → highest seq applied. */
export const COUNTER_WATERMARKS = 'counter_watermarks';

export interface CountingWorkerOptions {
  log: EventLog;
  kv: KvStore;
  /** Flush a partition once this many of its records are buffered; default 1000. */
  flushEvents?: number;
  /** Flush each partition at least this often while it has records buffered; default 5000. */
  flushIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Consumer group and checkpoint name; default 'counter'. */
  groupId?: string;
  onFlush?: (stats: FlushStats) => void;
  /** Retries of a flush's reads and write; defaults to platform/retry's policy. */
  retryPolicy?: Partial<RetryPolicy>;
  /** Where hashtag typeahead entries go, with their new counts. */
  search?: SearchIndex;
  /**
   * Remember the counts of owned partitions between flushes instead of
   * reading them back. Only when nothing else writes `hashtag_counts` while
   * the worker runs: embedded mode, where the service holds the data dir
   * (distributed, `verify --repair` may fix a count live). Default false.
   */
  cacheCounts?: boolean;
}

/** Counts remembered per owned partition when cacheCounts is on. */
const CACHED_COUNTS_PER_PARTITION = 250_000;
/** Display names remembered (they never change once stored). */
const CACHED_NAMES = 250_000;

/**
 * The hashtag page's post counter: consumes POST_HASHTAG and keeps the
 * absolute count per tag in `hashtag_counts`, exactly once across crashes,
 * with one KV write per flush instead of one per delta.
 */
export class CountingWorker {
  private readonly consumer: BatchingDeltaConsumer<HashtagTally>;

  constructor(options: CountingWorkerOptions) {
    const clock = options.clock ?? systemClock;
    const groupId = options.groupId ?? 'counter';
    const logger = (options.logger ?? silentLogger).child({ component: 'counting-worker', groupId });
    const { kv } = options;
    const counts = new PartitionRowCache<HashtagCountRecord>(
      kv,
      KV.hashtagCounts,
      options.cacheCounts ? CACHED_COUNTS_PER_PARTITION : 0,
    );
    const names = new Map<string, string>();
    this.consumer = new BatchingDeltaConsumer<HashtagTally>({
      log: options.log,
      kv,
      groupId,
      watermarkTable: COUNTER_WATERMARKS,
      flushEvents: options.flushEvents ?? 1000,
      flushIntervalMs: options.flushIntervalMs ?? 5000,
      clock,
      logger,
      onFlush: options.onFlush,
      retryPolicy: options.retryPolicy,
      sink: {
        create: () => new HashtagTally(),
        add: (tally, delta) => {
          tally.add(delta.tag, delta.delta, delta.display);
          return true;
        },
        build: (tally, ctx) => buildCountOps({ kv, counts, names }, tally, ctx, logger, options.search),
        release: (partition) => counts.release(partition),
      },
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  /** Flushes what is buffered, commits, and leaves the group. */
  stop(): Promise<void> {
    return this.consumer.stop();
  }

  metrics(): ConsumerMetrics {
    return this.consumer.metrics();
  }
}

interface CountStores {
  kv: KvStore;
  counts: PartitionRowCache<HashtagCountRecord>;
  names: Map<string, string>;
}

/** Reads the tallied tags' counts in one round trip (none when remembered) and writes the new absolute counts. */
async function buildCountOps(
  stores: CountStores,
  tally: HashtagTally,
  ctx: FlushContext,
  logger: Logger,
  search: SearchIndex | undefined,
): Promise<BuiltFlush> {
  const { kv, counts, names: knownNames } = stores;
  const tags = tally.tags();
  if (tags.length === 0) return { ops: [] };
  if (counts.misses(ctx.partition, tags) > 0) ctx.reads.count++;
  const rows = await counts.read(ctx.partition, tags);
  const updatedAt = new Date(ctx.now).toISOString();
  const ops: KvOp[] = [];
  const changed: HashtagCountRecord[] = [];
  tags.forEach((tag, i) => {
    const row = rows[i];
    const current = row?.count ?? 0;
    const { count, clampedBy } = tally.apply(tag, current);
    if (clampedBy > 0) {
      logger.warn({ tag, current, clampedBy }, 'hashtag count would go below 0; clamped at 0');
    }
    if (row !== undefined ? count === current : count === 0) return;
    const value: HashtagCountRecord = { tag, count, updatedAt };
    changed.push(value);
    ops.push({ type: 'put', table: KV.hashtagCounts, key: tag, value });
  });
  const onCommitted = () => {
    for (const row of changed) counts.stored(ctx.partition, row.tag, row);
    counts.trim(ctx.partition);
  };
  if (search === undefined || ops.length === 0) return { ops, onCommitted };
  const unnamed = changed.filter((r) => !knownNames.has(r.tag)).map((r) => r.tag);
  if (unnamed.length > 0) {
    ctx.reads.count++;
    const stored = await kv.getMany<HashtagNameRecord>(KV.hashtagNames, unnamed);
    if (knownNames.size + unnamed.length > CACHED_NAMES) knownNames.clear();
    stored.forEach((name, i) => {
      if (name !== undefined) knownNames.set(unnamed[i]!, name.displayName);
    });
  }
  const entries: SearchEntry[] = [];
  const gone: string[] = [];
  changed.forEach((row) => {
    if (row.count === 0) gone.push(row.tag);
    else
      entries.push({
        kind: 'hashtags',
        entry: {
          tag: row.tag,
          // The index consumer stores names in the same batch as it publishes deltas, so it can lag.
          displayName: knownNames.get(row.tag) ?? tally.display(row.tag) ?? row.tag,
          totalPosts: row.count,
        },
      });
  });
  return {
    ops,
    onCommitted,
    beforeWrite: async () => {
      const { failed } = await search.upsert(entries);
      for (const f of failed) logger.warn({ tag: f.id, reason: f.reason }, 'hashtag not indexed for search');
      if (gone.length > 0) await search.remove('hashtags', gone);
    },
  };
}
