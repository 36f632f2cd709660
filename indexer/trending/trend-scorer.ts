import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import { partitionForKey } from '../../platform/partition-for-key';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import type { RetryPolicy } from '../../platform/retry';
import {
  BatchingDeltaConsumer,
  type BuiltFlush,
  type FlushContext,
} from '../counting/batching-delta-consumer';
import { PartitionRowCache } from '../counting/partition-row-cache';
import type { ConsumerMetrics, FlushStats } from '../counting/flush-metrics';
import { parseTrendHit, windowStartOf } from './trend-parser';
import { trendDropReason, type TrendDropReason, type TrendRules } from './trend-pre-processor';
import {
  TREND_TOTALS,
  TREND_WATERMARKS,
  TREND_WINDOWS,
  parseWindowKey,
  windowKey,
  windowPrefix,
} from './trend-tables';

export interface TrendScorerOptions {
  log: EventLog;
  kv: KvStore;
  clock: Clock;
  logger: Logger;
  groupId: string;
  windowMs: number;
  retentionMs: number;
  rules: TrendRules;
  flushEvents: number;
  flushIntervalMs: number;
  onFlush?: (stats: FlushStats) => void;
  retryPolicy?: Partial<RetryPolicy>;
}

export type TrendDrops = Record<TrendDropReason | 'expired', number>;

/** Window keys deleted per flush at most, so one flush after a long pause stays small. */
const PRUNE_LIMIT = 5000;
/** Window and total rows remembered per owned partition. */
const CACHED_ROWS_PER_PARTITION = 250_000;

/**
 * The third stage: counts hits per (window, tag) in `trend_windows` and keeps
 * each tag's total over the retained windows in `trend_totals`. It is a
 * POST_HASHTAG consumer of its own, with the counter's discipline: buffered
 * increments, absolute values, watermarks and checkpoint in one batch.
 * Windows that ended more than `retentionMs` ago are deleted (and taken off
 * the totals) in the same batches.
 */
export class TrendScorer {
  private readonly consumer: BatchingDeltaConsumer<Map<string, number>>;
  private readonly drops: TrendDrops = { removal: 0, stuffing: 0, expired: 0 };
  /** Per owned partition: windows before this start are gone from the store. */
  private readonly prunedBefore = new Map<number, number>();
  /** The scorer is the only writer of its tables (per owned partition), so a flush reads back none of its own writes. */
  private readonly windows: PartitionRowCache<number>;
  private readonly totals: PartitionRowCache<number>;

  constructor(private readonly options: TrendScorerOptions) {
    this.windows = new PartitionRowCache(options.kv, TREND_WINDOWS, CACHED_ROWS_PER_PARTITION);
    this.totals = new PartitionRowCache(options.kv, TREND_TOTALS, CACHED_ROWS_PER_PARTITION);
    this.consumer = new BatchingDeltaConsumer<Map<string, number>>({
      log: options.log,
      kv: options.kv,
      groupId: options.groupId,
      watermarkTable: TREND_WATERMARKS,
      flushEvents: options.flushEvents,
      flushIntervalMs: options.flushIntervalMs,
      clock: options.clock,
      logger: options.logger,
      onFlush: options.onFlush,
      retryPolicy: options.retryPolicy,
      sink: {
        create: () => new Map(),
        add: (hits, delta, now) => {
          const reason = trendDropReason(delta, this.options.rules);
          if (reason !== undefined) {
            this.drops[reason]++;
            return false;
          }
          const hit = parseTrendHit(delta, this.options.windowMs);
          // An event stamped ahead of our clock counts now rather than in a window still to come.
          const windowStart = Math.min(hit.windowStart, windowStartOf(now, this.options.windowMs));
          if (windowStart < this.cutoff(now)) {
            this.drops.expired++;
            return false;
          }
          const key = windowKey(windowStart, hit.tag);
          hits.set(key, (hits.get(key) ?? 0) + 1);
          return true;
        },
        build: (hits, ctx) => this.build(hits, ctx),
        idleWorkDue: (now, partition) => this.cutoff(now) > this.prunedUpTo(partition),
        release: (partition) => {
          this.windows.release(partition);
          this.totals.release(partition);
        },
      },
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  metrics(): ConsumerMetrics & { dropped: TrendDrops } {
    return { ...this.consumer.metrics(), dropped: { ...this.drops } };
  }

  private prunedUpTo(partition: number): number {
    return this.prunedBefore.get(partition) ?? Number.NEGATIVE_INFINITY;
  }

  /** Start of the oldest window kept at `now`: later windows still overlap the last `retentionMs`. */
  private cutoff(now: number): number {
    return windowStartOf(now, this.options.windowMs) - this.options.retentionMs;
  }

  private async build(hits: Map<string, number>, ctx: FlushContext): Promise<BuiltFlush> {
    const cutoff = this.cutoff(ctx.now);
    // Hits buffered just before their window expired would be deleted in this very batch.
    const fresh = [...hits].filter(([key]) => parseWindowKey(key).windowStart >= cutoff);
    const prune = cutoff > this.prunedUpTo(ctx.partition) ? await this.findExpired(cutoff, ctx) : undefined;

    const totalDeltas = new Map<string, number>();
    const bump = (tag: string, by: number) => totalDeltas.set(tag, (totalDeltas.get(tag) ?? 0) + by);
    for (const [key, n] of fresh) bump(parseWindowKey(key).tag, n);
    for (const [key, n] of prune?.expired ?? []) bump(parseWindowKey(key).tag, -n);

    const ops: KvOp[] = [];
    const { partition } = ctx;
    if (fresh.length > 0) {
      const keys = fresh.map(([key]) => key);
      if (this.windows.misses(partition, keys) > 0) ctx.reads.count++;
      const stored = await this.windows.read(partition, keys);
      fresh.forEach(([key, n], i) =>
        ops.push({ type: 'put', table: TREND_WINDOWS, key, value: (stored[i] ?? 0) + n }),
      );
    }
    for (const [key] of prune?.expired ?? []) ops.push({ type: 'delete', table: TREND_WINDOWS, key });
    const tags = [...totalDeltas.keys()];
    if (tags.length > 0) {
      if (this.totals.misses(partition, tags) > 0) ctx.reads.count++;
      const totals = await this.totals.read(partition, tags);
      tags.forEach((tag, i) => {
        const total = (totals[i] ?? 0) + totalDeltas.get(tag)!;
        if (total > 0) ops.push({ type: 'put', table: TREND_TOTALS, key: tag, value: total });
        else ops.push({ type: 'delete', table: TREND_TOTALS, key: tag });
      });
    }
    // The consumer appends its watermarks and checkpoint to `ops`.
    const written = ops.slice();
    return {
      ops,
      onCommitted: () => {
        for (const op of written) {
          const cache = op.table === TREND_WINDOWS ? this.windows : this.totals;
          cache.stored(partition, op.key, op.type === 'put' ? (op.value as number) : undefined);
        }
        this.windows.trim(partition);
        this.totals.trim(partition);
        if (prune?.complete) this.prunedBefore.set(partition, cutoff);
      },
    };
  }

  /**
   * Window keys before `cutoff` of the partition being flushed: only the
   * owner of a tag's partition may change its totals. Keys sort by window,
   * so the scan stops at the first kept window.
   */
  private async findExpired(
    cutoff: number,
    ctx: FlushContext,
  ): Promise<{ expired: [string, number][]; complete: boolean }> {
    const keep = windowPrefix(cutoff);
    const expired: [string, number][] = [];
    let seen = 0;
    ctx.reads.count++;
    for await (const [key, n] of this.options.kv.scan<number>(TREND_WINDOWS, { limit: PRUNE_LIMIT })) {
      if (key >= keep) return { expired, complete: true };
      seen++;
      const { tag } = parseWindowKey(key);
      if (partitionForKey(tag, ctx.partitionCount) === ctx.partition) expired.push([key, n]);
    }
    return { expired, complete: seen < PRUNE_LIMIT };
  }
}
