export type FlushReason = 'size' | 'time' | 'revoke';

/** What one flush did. */
export interface FlushStats {
  reason: FlushReason;
  /** The POST_HASHTAG partition flushed. */
  partition: number;
  /** Records consumed into the flushed buffer, duplicates and invalid ones included. */
  events: number;
  /** Records that changed state (not duplicates, not invalid, not dropped by the consumer's rules). */
  applied: number;
  duplicates: number;
  /** KV read round trips (getMany, scan) made to build the flush. */
  kvReads: number;
  /** KV write round trips: batch() calls, retries included. */
  kvWrites: number;
  /** Operations in the batch. */
  rowsWritten: number;
  /** Wall time of the flush, ms (performance.now, not the injected clock). */
  durationMs: number;
  /** Clock time at which the flush became durable. */
  at: number;
}

export interface ConsumerMetrics {
  flushes: number;
  events: number;
  applied: number;
  duplicates: number;
  invalid: number;
  kvReads: number;
  kvWrites: number;
  rowsWritten: number;
  /** Consumed but not yet durable: per owned partition, the active buffer plus the one being flushed. */
  bufferedEvents: number;
  /** Highest `bufferedEvents` seen; backpressure keeps it within 2 × flushEvents per owned partition. */
  maxBufferedEvents: number;
  flushing: boolean;
  /** Set once a flush failed for good; the worker then refuses records until restarted. */
  failed: boolean;
  lastFlushAt: number | undefined;
  lastFlush: FlushStats | undefined;
  /** Durations of the most recent flushes, oldest first, for a histogram. */
  recentFlushDurationsMs: number[];
}

/** Durations kept for `recentFlushDurationsMs`. */
const RECENT_FLUSHES = 128;

/** Cumulative counters plus a bounded window of recent flush durations. */
export class FlushMetrics {
  private readonly totals = {
    flushes: 0,
    events: 0,
    applied: 0,
    duplicates: 0,
    invalid: 0,
    kvReads: 0,
    kvWrites: 0,
    rowsWritten: 0,
  };
  private maxBuffered = 0;
  private last: FlushStats | undefined;
  private readonly recent: number[] = [];

  recordInvalid(): void {
    this.totals.invalid++;
  }

  observeBuffered(events: number): void {
    if (events > this.maxBuffered) this.maxBuffered = events;
  }

  recordFlush(stats: FlushStats): void {
    const t = this.totals;
    t.flushes++;
    t.events += stats.events;
    t.applied += stats.applied;
    t.duplicates += stats.duplicates;
    t.kvReads += stats.kvReads;
    t.kvWrites += stats.kvWrites;
    t.rowsWritten += stats.rowsWritten;
    this.last = stats;
    this.recent.push(stats.durationMs);
    if (this.recent.length > RECENT_FLUSHES) this.recent.shift();
  }

  /** Counts the write attempts of a flush that failed, so round trips are never under-reported. */
  recordFailedWrites(kvReads: number, kvWrites: number): void {
    this.totals.kvReads += kvReads;
    this.totals.kvWrites += kvWrites;
  }

  snapshot(state: { bufferedEvents: number; flushing: boolean; failed: boolean }): ConsumerMetrics {
    return {
      ...this.totals,
      ...state,
      maxBufferedEvents: this.maxBuffered,
      lastFlushAt: this.last?.at,
      lastFlush: this.last,
      recentFlushDurationsMs: [...this.recent],
    };
  }
}
