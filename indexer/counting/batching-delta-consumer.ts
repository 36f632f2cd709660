import { performance } from 'node:perf_hooks';
import type { Clock } from '../../platform/clock';
import { AppError, ValidationError, type FieldIssue } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import type {
  EventLog,
  LogConsumer,
  LogRecord,
  RecordBatch,
  TopicPartition,
} from '../../platform/ports/event-log';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import { retry, type RetryPolicy } from '../../platform/retry';
import { decodeHashtagDelta, type HashtagDelta } from '../hashtag-delta';
import { KV, checkpointKey } from '../kv-tables';
import { TOPICS } from '../topics';
import { FlushMetrics, type ConsumerMetrics, type FlushReason, type FlushStats } from './flush-metrics';
import { PartitionProgress, watermarkKey } from './partition-progress';

export interface FlushContext {
  /** Clock time the flush was built at. */
  now: number;
  /** POST_HASHTAG partitions this consumer owns: only their keys may be written. */
  owned: ReadonlySet<number>;
  partitionCount: number;
  /** Bump once per read round trip, for the metrics. */
  reads: { count: number };
}

export interface BuiltFlush {
  ops: KvOp[];
  /** Idempotent side effects (search-index upserts) that must land before the checkpoint does. */
  beforeWrite?: () => Promise<void>;
  /** Runs once the batch is durable. */
  onCommitted?: () => void;
}

/** The domain half of a consumer: what a buffer holds and how it becomes KV operations. */
export interface DeltaSink<A> {
  create(): A;
  /** Adds an admitted (non-duplicate) record; false when the sink's own rules dropped it. */
  add(acc: A, delta: HashtagDelta, now: number): boolean;
  /** Operations for one flush. Must not change `acc`: it may be called again on a retry. */
  build(acc: A, ctx: FlushContext): Promise<BuiltFlush>;
  /** Work that justifies a timed flush with nothing buffered, such as retention. */
  idleWorkDue?(now: number): boolean;
}

export interface BatchingDeltaConsumerOptions<A> {
  log: EventLog;
  kv: KvStore;
  groupId: string;
  /** Table of the per-(partition, source) seq watermarks. */
  watermarkTable: string;
  sink: DeltaSink<A>;
  flushEvents: number;
  flushIntervalMs: number;
  clock: Clock;
  logger: Logger;
  onFlush?: (stats: FlushStats) => void;
  retryPolicy?: Partial<RetryPolicy>;
}

interface Buffer<A> {
  acc: A;
  events: number;
  applied: number;
  duplicates: number;
  /** Next offset to read per partition, as of this buffer's last record. */
  nextOffsets: Map<number, number>;
  /** Highest seq per watermark key seen in this buffer. */
  watermarks: Map<string, number>;
}

const TOPIC = TOPICS.postHashtag;

/**
 * Consumes POST_HASHTAG into an active buffer and flushes by size or time.
 * At a flush the buffers swap: the passive one is written while consumption
 * goes on into a fresh one, and a flush due while another runs waits for it
 * (backpressure), so at most two buffers' worth of records are in memory.
 * Each flush is one kv.batch() holding the sink's state, the seq watermarks
 * and the checkpoint, written last; start offsets come from that checkpoint,
 * so after a crash records are re-read and duplicates dropped by seq.
 */
export class BatchingDeltaConsumer<A> {
  private readonly metricsState = new FlushMetrics();
  private readonly progress = new Map<number, PartitionProgress>();
  private active: Buffer<A>;
  private flushing: Promise<void> | undefined;
  private flushingEvents = 0;
  private failure: unknown;
  private lastFlushAt = 0;
  private partitionCount = 0;
  private consumer: LogConsumer | undefined;
  private ticker: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private state: 'new' | 'running' | 'stopped' = 'new';
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: BatchingDeltaConsumerOptions<A>) {
    const issues: FieldIssue[] = [];
    if (!Number.isSafeInteger(options.flushEvents) || options.flushEvents < 1) {
      issues.push({ field: 'flushEvents', reason: 'must be a positive integer' });
    }
    if (!Number.isFinite(options.flushIntervalMs) || options.flushIntervalMs <= 0) {
      issues.push({ field: 'flushIntervalMs', reason: 'must be a positive number of milliseconds' });
    }
    if (issues.length > 0) throw new ValidationError(`invalid ${options.groupId} consumer options`, issues);
    this.active = this.newBuffer();
  }

  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new AppError('CONSUMER_ALREADY_STARTED', `${this.options.groupId} consumer can start only once`);
    }
    this.state = 'running';
    const { log, groupId, flushEvents } = this.options;
    // The topic's owner creates it; a consumer only reads its layout.
    this.partitionCount = await log.partitionCount(TOPIC);
    this.lastFlushAt = this.options.clock.now();
    // A flush spans every owned partition in one batch, so the group has one writer at a time.
    this.consumer = log.consumer({ groupId, topics: [TOPIC], maxBatchSize: flushEvents, exclusive: true });
    await this.consumer.run({
      startOffset: async (tp) => (await this.assign(tp.partition)).nextOffset,
      eachBatch: (batch) => this.eachBatch(batch),
      onRevoke: (partitions) => this.revoke(partitions),
    });
    this.ticker = this.tick();
  }

  /** Stops consuming, flushes what is buffered and commits. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  metrics(): ConsumerMetrics {
    return this.metricsState.snapshot({
      bufferedEvents: this.bufferedEvents(),
      flushing: this.flushing !== undefined,
      failed: this.failure !== undefined,
    });
  }

  private async shutdown(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.abort.abort();
    await this.ticker;
    // The consumer calls onRevoke, which flushes; the flush below covers a consumer that never got partitions.
    await this.consumer?.stop();
    await this.flushAll('revoke');
    this.state = 'stopped';
  }

  private async assign(partition: number): Promise<PartitionProgress> {
    // Finish a flush a crash cut short before reading the state it wrote.
    await this.options.kv.recover(this.options.groupId);
    const loaded = await PartitionProgress.load(this.options.kv, {
      groupId: this.options.groupId,
      topic: TOPIC,
      partition,
      watermarkTable: this.options.watermarkTable,
    });
    this.progress.set(partition, loaded);
    return loaded;
  }

  private async eachBatch(batch: RecordBatch): Promise<void> {
    this.throwIfFailed();
    const { flushEvents, flushIntervalMs, clock } = this.options;
    const progress = this.progress.get(batch.partition) ?? (await this.assign(batch.partition));
    for (const record of batch.records) {
      // A batch handed over again (after an error) holds records already buffered.
      if (record.offset < progress.nextOffset) continue;
      progress.nextOffset = record.offset + 1;
      this.take(progress, record);
      if (this.active.events >= flushEvents) {
        await this.rotate('size', () => this.active.events >= flushEvents);
        this.throwIfFailed();
      }
    }
    if (this.active.events > 0 && clock.now() - this.lastFlushAt >= flushIntervalMs) {
      await this.rotate('time', () => this.active.events > 0 && this.timeIsUp());
    }
  }

  private take(progress: PartitionProgress, record: LogRecord): void {
    const buffer = this.active;
    buffer.events++;
    buffer.nextOffsets.set(record.partition, record.offset + 1);
    this.metricsState.observeBuffered(this.bufferedEvents());
    let delta: HashtagDelta;
    try {
      delta = decodeHashtagDelta(record.value);
    } catch (err) {
      // Skipped, not retried: the same bytes would fail again and block the partition.
      this.metricsState.recordInvalid();
      this.options.logger.warn(
        { err, partition: record.partition, offset: record.offset },
        'invalid POST_HASHTAG record skipped',
      );
      return;
    }
    if (!progress.admit(delta.source, delta.seq)) {
      buffer.duplicates++;
      return;
    }
    buffer.watermarks.set(watermarkKey(this.options.groupId, record.partition, delta.source), delta.seq);
    if (this.options.sink.add(buffer.acc, delta, this.options.clock.now())) buffer.applied++;
  }

  /**
   * Swaps the buffers and starts flushing the passive one, unless `wanted`
   * no longer holds. A flush still running is awaited first: that wait is
   * the backpressure. The swap itself is synchronous, the only critical section.
   */
  private async rotate(reason: FlushReason, wanted: () => boolean): Promise<void> {
    for (;;) {
      if (this.failure !== undefined || !wanted()) return;
      if (this.flushing !== undefined) {
        await this.flushing;
        continue;
      }
      const passive = this.active;
      this.active = this.newBuffer();
      this.lastFlushAt = this.options.clock.now();
      this.flushingEvents = passive.events;
      this.flushing = this.flush(passive, reason).finally(() => {
        this.flushing = undefined;
        this.flushingEvents = 0;
      });
      return;
    }
  }

  private async flushAll(reason: FlushReason): Promise<void> {
    await this.rotate(reason, () => this.active.events > 0);
    await this.flushing;
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    await this.flushAll('revoke');
    // The next owner may move these partitions on; reload from the store if they come back.
    for (const tp of partitions) this.progress.delete(tp.partition);
  }

  /** Never rejects: a failure is kept and surfaces on the next batch. */
  private async flush(buffer: Buffer<A>, reason: FlushReason): Promise<void> {
    const { kv, clock, logger, groupId, watermarkTable, sink } = this.options;
    const started = performance.now();
    const reads = { count: 0 };
    let writes = 0;
    const retryOptions = { clock, logger, policy: this.options.retryPolicy };
    try {
      const owned = new Set(this.progress.keys());
      for (const p of buffer.nextOffsets.keys()) owned.add(p);
      const built = await retry(
        () => sink.build(buffer.acc, { now: clock.now(), owned, partitionCount: this.partitionCount, reads }),
        { ...retryOptions, operation: `${groupId} flush read` },
      );
      const ops = built.ops;
      const beforeWrite = built.beforeWrite;
      if (beforeWrite) await retry(beforeWrite, { ...retryOptions, operation: `${groupId} flush publish` });
      for (const [key, seq] of buffer.watermarks)
        ops.push({ type: 'put', table: watermarkTable, key, value: seq });
      // Last, so a store that applies ops in order never checkpoints past state it has not stored.
      for (const [partition, next] of buffer.nextOffsets) {
        ops.push({
          type: 'put',
          table: KV.checkpoints,
          key: checkpointKey(groupId, TOPIC, partition),
          value: next,
        });
      }
      if (ops.length > 0) {
        // Retrying the same ops is safe because they carry absolute values computed once, before
        // the first attempt, by the single owner of each partition: a batch that did land and is
        // written again changes nothing. Cassandra counter columns would count a retried
        // increment twice; that is why counts are read, summed here and written whole.
        await retry(
          async () => {
            writes++;
            await kv.batch(ops, { writer: groupId });
          },
          { ...retryOptions, operation: `${groupId} flush write` },
        );
      }
      built.onCommitted?.();
      // A timed flush that found nothing to do is not worth a data point.
      if (buffer.events === 0 && ops.length === 0) return;
      // Durable now: stop counting these as buffered before they count as flushed.
      this.flushingEvents = 0;
      const stats: FlushStats = {
        reason,
        events: buffer.events,
        applied: buffer.applied,
        duplicates: buffer.duplicates,
        kvReads: reads.count,
        kvWrites: writes,
        rowsWritten: ops.length,
        durationMs: performance.now() - started,
        at: clock.now(),
      };
      this.metricsState.recordFlush(stats);
      this.options.onFlush?.(stats);
      await this.commitGroupOffsets(buffer.nextOffsets);
    } catch (err) {
      this.metricsState.recordFailedWrites(reads.count, writes);
      this.failure = err;
      logger.error(
        { err, events: buffer.events },
        `${groupId} flush failed; records after the last checkpoint are re-read on restart`,
      );
    }
  }

  /** Group offsets only feed lag monitoring: the checkpoint in the store is what restarts use. */
  private async commitGroupOffsets(nextOffsets: Map<number, number>): Promise<void> {
    if (nextOffsets.size === 0 || this.consumer === undefined) return;
    try {
      await this.consumer.commit(
        [...nextOffsets].map(([partition, offset]) => ({ topic: TOPIC, partition, offset })),
      );
    } catch (err) {
      this.options.logger.warn({ err }, `${this.options.groupId} could not commit group offsets`);
    }
  }

  /** Flushes on time when nothing arrives to trigger it from eachBatch. */
  private async tick(): Promise<void> {
    const { clock, flushIntervalMs, sink } = this.options;
    const signal = this.abort.signal;
    const hasWork = () => this.active.events > 0 || (sink.idleWorkDue?.(clock.now()) ?? false);
    while (!signal.aborted && this.failure === undefined) {
      const wait = this.lastFlushAt + flushIntervalMs - clock.now();
      if (wait > 0) {
        await clock.sleep(wait, signal).catch(() => undefined);
        continue;
      }
      if (hasWork()) await this.rotate('time', () => this.timeIsUp() && hasWork());
      else this.lastFlushAt = clock.now();
    }
  }

  private timeIsUp(): boolean {
    return this.options.clock.now() - this.lastFlushAt >= this.options.flushIntervalMs;
  }

  private bufferedEvents(): number {
    return this.active.events + this.flushingEvents;
  }

  private throwIfFailed(): void {
    if (this.failure === undefined) return;
    throw new AppError(
      'CONSUMER_FLUSH_FAILED',
      `${this.options.groupId} consumer stopped after a failed flush`,
      {
        cause: this.failure,
        details: { groupId: this.options.groupId },
      },
    );
  }

  private newBuffer(): Buffer<A> {
    return {
      acc: this.options.sink.create(),
      events: 0,
      applied: 0,
      duplicates: 0,
      nextOffsets: new Map(),
      watermarks: new Map(),
    };
  }
}
