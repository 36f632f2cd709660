import { systemClock, type Clock } from '../../platform/clock';
import { ValidationError, type FieldIssue } from '../../platform/errors';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvStore } from '../../platform/ports/kv-store';
import type { RetryPolicy } from '../../platform/retry';
import type { ConsumerMetrics, FlushStats } from '../counting/flush-metrics';
import { defaultTrendRules } from './trend-pre-processor';
import { TrendRanker, type TrendingTag } from './trend-ranker';
import { TrendScorer, type TrendDrops } from './trend-scorer';

export interface TrendingPipelineOptions {
  log: EventLog;
  kv: KvStore;
  clock?: Clock;
  logger?: Logger;
  /** Window length; default 5 minutes. */
  windowMs?: number;
  /** How long windows are kept, a multiple of windowMs and at least two windows; default 7 days. */
  retentionMs?: number;
  /** Records per partition that trigger a flush; default 1000. */
  flushEvents?: number;
  /** Longest a partition's records wait for a flush, ms; default 5000. */
  flushIntervalMs?: number;
  /** Tags of one upload event that may count (the stuffing rule); default 10. */
  maxTagsPerPost?: number;
  /** Consumer group and checkpoint name; default 'trending'. */
  groupId?: string;
  onFlush?: (stats: FlushStats) => void;
  retryPolicy?: Partial<RetryPolicy>;
}

export const DEFAULT_WINDOW_MS = 5 * 60_000;
export const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Trending hashtags in Instagram's four stages: pre-processor (drops what
 * cannot count), parser (record → tag and window), scorer (windowed counts
 * in the KV store, consumed from POST_HASHTAG) and ranker (P·ln(P/P′)).
 */
export class TrendingPipeline {
  private readonly scorer: TrendScorer;
  private readonly ranker: TrendRanker;

  constructor(options: TrendingPipelineOptions) {
    const windowMs = options.windowMs ?? DEFAULT_WINDOW_MS;
    const retentionMs = options.retentionMs ?? DEFAULT_RETENTION_MS;
    const maxTagsPerPost = options.maxTagsPerPost ?? defaultTrendRules.maxTagsPerPost;
    validate(windowMs, retentionMs, maxTagsPerPost);
    const clock = options.clock ?? systemClock;
    const groupId = options.groupId ?? 'trending';
    this.scorer = new TrendScorer({
      log: options.log,
      kv: options.kv,
      clock,
      logger: (options.logger ?? silentLogger).child({ component: 'trending', groupId }),
      groupId,
      windowMs,
      retentionMs,
      rules: { maxTagsPerPost },
      flushEvents: options.flushEvents ?? 1000,
      flushIntervalMs: options.flushIntervalMs ?? 5000,
      onFlush: options.onFlush,
      retryPolicy: options.retryPolicy,
    });
    this.ranker = new TrendRanker({ kv: options.kv, clock, windowMs, retentionMs });
  }

  start(): Promise<void> {
    return this.scorer.start();
  }

  /** Flushes buffered counts, commits, and leaves the group. */
  stop(): Promise<void> {
    return this.scorer.stop();
  }

  /** Trending tags, highest score first; only those above their expected rate. */
  rank(limit: number): Promise<TrendingTag[]> {
    return this.ranker.rank(limit);
  }

  metrics(): ConsumerMetrics & { dropped: TrendDrops } {
    return this.scorer.metrics();
  }
}

function validate(windowMs: number, retentionMs: number, maxTagsPerPost: number): void {
  const issues: FieldIssue[] = [];
  if (!Number.isSafeInteger(windowMs) || windowMs < 1) {
    issues.push({ field: 'windowMs', reason: 'must be a positive integer' });
  } else if (
    !Number.isSafeInteger(retentionMs) ||
    retentionMs % windowMs !== 0 ||
    retentionMs < 2 * windowMs
  ) {
    issues.push({ field: 'retentionMs', reason: 'must be a multiple of windowMs, at least two windows' });
  }
  if (!Number.isSafeInteger(maxTagsPerPost) || maxTagsPerPost < 1) {
    issues.push({ field: 'maxTagsPerPost', reason: 'must be a positive integer' });
  }
  if (issues.length > 0) throw new ValidationError('invalid trending pipeline options', issues);
}
