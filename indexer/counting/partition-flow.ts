import type { PartitionProgress } from './partition-progress';

/** One buffer of one partition: the sink's accumulator and what the flush must record with it. */
export interface DeltaBuffer<A> {
  acc: A;
  events: number;
  applied: number;
  duplicates: number;
  /** Next offset to read, as of this buffer's last record; undefined while empty. */
  nextOffset: number | undefined;
  /** Highest seq per watermark key seen in this buffer. */
  watermarks: Map<string, number>;
}

/**
 * An owned POST_HASHTAG partition's side of the two-buffer swap: its read
 * progress, the active buffer records go into, and the passive buffer's
 * flush while one runs. Partitions flush independently, so a flush covers
 * one partition and has that partition's owner as its only writer.
 */
export class PartitionFlow<A> {
  active: DeltaBuffer<A>;
  flushing: Promise<void> | undefined;
  /** Events in the buffer being flushed, until it is durable. */
  flushingEvents = 0;
  lastFlushAt: number;
  /** Set once the partition is handed back: nothing may flush it from here on. */
  revoked = false;

  constructor(
    readonly progress: PartitionProgress,
    private readonly createAcc: () => A,
    now: number,
  ) {
    this.active = this.newBuffer();
    this.lastFlushAt = now;
  }

  get partition(): number {
    return this.progress.partition;
  }

  get bufferedEvents(): number {
    return this.active.events + this.flushingEvents;
  }

  /** The synchronous swap: the critical section of the design. */
  swap(now: number): DeltaBuffer<A> {
    const passive = this.active;
    this.active = this.newBuffer();
    this.lastFlushAt = now;
    this.flushingEvents = passive.events;
    return passive;
  }

  private newBuffer(): DeltaBuffer<A> {
    return {
      acc: this.createAcc(),
      events: 0,
      applied: 0,
      duplicates: 0,
      nextOffset: undefined,
      watermarks: new Map(),
    };
  }
}
