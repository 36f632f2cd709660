import { type Clock, systemClock } from '../../platform/clock';
import { StorageError } from '../../platform/errors';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog, LogConsumer, RecordBatch } from '../../platform/ports/event-log';
import { PostingIndex } from '../../query/engine/posting-index';
import { TOPICS } from '../topics';
import type { BitmapSnapshots } from './bitmap-snapshots';
import { decodePostingChange } from './posting-change';

export interface BitmapFollowerOptions {
  log: EventLog;
  /** Where snapshots live; none means in memory only (rebuilt from the log on start). */
  snapshots?: BitmapSnapshots;
  /** Load from `snapshots` but never write them (API replicas; the indexer writes). Default false. */
  readOnlySnapshots?: boolean;
  /** Snapshot at most this often while changes arrive. */
  snapshotIntervalMs?: number;
  /** Fold the delta tier into the frozen base once it holds this many lists. */
  compactAfterLists?: number;
  groupId?: string;
  /** One member of the group applies at a time; the others stand by (the distributed snapshot writer). */
  exclusive?: boolean;
  logger?: Logger;
  clock?: Clock;
}

/** The position a snapshot covers: the next POSTINGS offset to apply. */
interface FollowerPosition {
  postings: number;
}

/**
 * Keeps a full replica of the bitmap index by applying POSTINGS in order.
 * It starts from its latest snapshot and resumes from the offset the
 * snapshot records; snapshots are its checkpoint, so the bitmaps and the
 * position they cover are always saved together.
 */
export class BitmapFollower {
  private consumer: LogConsumer | undefined;
  private next: number;
  private highWatermark = 0;
  private lastSnapshotAt: number;
  /** The position the newest snapshot covers; an unchanged replica (a standby) does not write again. */
  private snapshotted: number;
  private snapshotting: Promise<unknown> | undefined;
  private readonly abort = new AbortController();
  private ticker: Promise<void> | undefined;
  private readonly logger: Logger;
  private readonly clock: Clock;

  private constructor(
    private readonly options: BitmapFollowerOptions,
    readonly index: PostingIndex,
    position: FollowerPosition,
  ) {
    this.next = position.postings;
    this.logger = (options.logger ?? silentLogger).child({ component: 'bitmap-follower' });
    this.clock = options.clock ?? systemClock;
    this.lastSnapshotAt = this.clock.now();
    this.snapshotted = this.next;
  }

  static async open(options: BitmapFollowerOptions): Promise<BitmapFollower> {
    const loaded = await options.snapshots?.load();
    if (loaded) return new BitmapFollower(options, loaded.index, loaded.meta.position as FollowerPosition);
    return new BitmapFollower(options, new PostingIndex(), { postings: 0 });
  }

  /** Next POSTINGS offset this replica will apply. */
  get position(): number {
    return this.next;
  }

  /** True once every POSTINGS record now in the log has been applied. */
  async caughtUp(): Promise<boolean> {
    const [end] = await this.options.log.endOffsets(TOPICS.postings);
    return this.next >= (end?.offset ?? 0);
  }

  /** POSTINGS records not yet applied, as of the last fetch. */
  get lag(): number {
    return Math.max(0, this.highWatermark - this.next);
  }

  async start(): Promise<void> {
    this.consumer = this.options.log.consumer({
      groupId: this.options.groupId ?? `bitmaps-${process.pid}`,
      topics: [TOPICS.postings],
      maxBatchSize: 64,
      exclusive: this.options.exclusive,
    });
    await this.consumer.run({
      startOffset: async () => this.next,
      eachBatch: (batch) => this.apply(batch),
    });
    if (this.options.snapshots && !this.options.readOnlySnapshots) this.ticker ??= this.snapshotWhenQuiet();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.ticker;
    await this.consumer?.stop();
    this.consumer = undefined;
    await this.snapshotting;
  }

  /** Writes a snapshot now (also used at shutdown). */
  async snapshot(): Promise<void> {
    const { snapshots } = this.options;
    if (!snapshots || this.options.readOnlySnapshots) return;
    // No await once none is running: the claim below and apply()'s check must not interleave.
    while (this.snapshotting) await this.snapshotting.catch(() => undefined);
    if (this.next === this.snapshotted) return;
    const position: FollowerPosition = { postings: this.next };
    this.snapshotting = snapshots.save(this.index, position);
    try {
      await this.snapshotting;
      this.lastSnapshotAt = this.clock.now();
      this.snapshotted = position.postings;
    } finally {
      this.snapshotting = undefined;
    }
  }

  /**
   * Snapshots on a timer too: after a burst the replica may apply nothing for
   * a long time, and until it snapshots, a restart or a new replica replays
   * the burst, which the log may no longer hold.
   */
  private async snapshotWhenQuiet(): Promise<void> {
    const interval = this.options.snapshotIntervalMs ?? 60_000;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const due = this.lastSnapshotAt + interval - this.clock.now();
      if (due > 0) {
        await this.clock.sleep(due, signal).catch(() => undefined);
        continue;
      }
      if (this.next !== this.snapshotted) {
        await this.snapshot().catch((err: unknown) => this.logger.error({ err }, 'snapshot failed'));
      }
      // Written, failed or not needed: the next look is an interval away.
      this.lastSnapshotAt = this.clock.now();
    }
  }

  private async apply(batch: RecordBatch): Promise<void> {
    // Writers wait for a snapshot in progress rather than failing.
    while (this.snapshotting) await this.snapshotting.catch(() => undefined);
    for (const record of batch.records) {
      if (record.offset < this.next) continue;
      const change = decodePostingChange(record.value);
      for (const a of change.assignments) {
        const dense = this.index.ids[a.space].getOrAssign(a.external);
        if (dense !== a.dense) {
          throw new StorageError(
            'REPLICA_DIVERGED',
            `${a.space} ${a.external} is dense ${dense} here but ${a.dense} in POSTINGS at offset ${record.offset}`,
          );
        }
      }
      this.index.apply(change.ops);
      this.next = record.offset + 1;
    }
    this.highWatermark = batch.highWatermark;
    // In slices, so an API sharing this event loop keeps answering; this replica waits meanwhile.
    if (this.index.deltaLists >= (this.options.compactAfterLists ?? 50_000))
      await this.index.compactInSlices();
    const interval = this.options.snapshotIntervalMs ?? 60_000;
    if (this.options.snapshots && this.clock.now() - this.lastSnapshotAt >= interval) {
      this.snapshot().catch((err: unknown) => this.logger.error({ err }, 'snapshot failed'));
    }
  }
}
