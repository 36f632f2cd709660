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
import type { HashtagDelta } from '../hashtag-delta';
import { decodeHashtagDelta } from '../hashtag-delta-codec';
import { KV, checkpointKey } from '../kv-tables';
import { TOPICS } from '../topics';
import { FlushMetrics, type ConsumerMetrics, type FlushReason, type FlushStats } from './flush-metrics';
import { GroupOffsetCommitter } from './group-offset-committer';
import { PartitionFlow, type DeltaBuffer } from './partition-flow';
import { PartitionProgress, watermarkKey } from './partition-progress';

export interface FlushContext {
  /** Clock time the flush was built at. */
  now: number;
  /** The POST_HASHTAG partition this flush covers: only keys of its tags may be written. */
  partition: number;
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
  /** Operations for one partition's flush. Must not change `acc`: it may be called again on a retry. */
  build(acc: A, ctx: FlushContext): Promise<BuiltFlush>;
  /** Work that justifies a timed flush of a partition with nothing buffered, such as retention. */
  idleWorkDue?(now: number, partition: number): boolean;
  /** The partition was handed back or is assigned anew: forget what was remembered of its rows. */
  release?(partition: number): void;
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

const TOPIC = TOPICS.postHashtag;

/**
 * Consumes POST_HASHTAG into an active buffer per owned partition and
 * flushes each by size or time. At a flush the partition's buffers swap: the
 * passive one is written while consumption goes on into a fresh one, and a
 * flush due while that partition's previous one runs waits for it
 * (backpressure), so at most two buffers' worth of records per partition are
 * in memory. Each flush is one kv.batch() holding one partition's state, its
 * seq watermarks and its checkpoint, written last, with that partition as
 * the writer: the group splits the partitions among its members, and each
 * member writes only the keys of the partitions it owns. Start offsets come
 * from the checkpoint, so after a crash records are re-read and duplicates
 * dropped by seq.
 */
export class BatchingDeltaConsumer<A> {
  private readonly metricsState = new FlushMetrics();
  private readonly flows = new Map<number, PartitionFlow<A>>();
  private failure: unknown;
  private partitionCount = 0;
  private consumer: LogConsumer | undefined;
  private offsets: GroupOffsetCommitter | undefined;
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
  }

  async start(): Promise<void> {
    if (this.state !== 'new') {
      throw new AppError('CONSUMER_ALREADY_STARTED', `${this.options.groupId} consumer can start only once`);
    }
    this.state = 'running';
    const { log, kv, groupId, flushEvents } = this.options;
    // The topic's owner creates it; a consumer only reads its layout.
    this.partitionCount = await log.partitionCount(TOPIC);
    // Flushes used to be one batch under the group's name: finish one a crash cut short before an upgrade.
    await kv.recover(groupId);
    const consumer = log.consumer({ groupId, topics: [TOPIC], maxBatchSize: flushEvents });
    this.consumer = consumer;
    this.offsets = new GroupOffsetCommitter(
      TOPIC,
      (offsets) => consumer.commit(offsets),
      (err) => this.options.logger.warn({ err }, `${groupId} could not commit group offsets`),
    );
    await consumer.run({
      startOffset: async (tp) => (await this.assign(tp.partition)).progress.nextOffset,
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
    const flushing = [...this.flows.values()].some((flow) => flow.flushing !== undefined);
    return this.metricsState.snapshot({
      bufferedEvents: this.bufferedEvents(),
      flushing,
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
    // The consumer calls onRevoke, which flushes; the flush below covers partitions it did not hand back.
    await this.consumer?.stop();
    await this.flushAll([...this.flows.values()], 'revoke');
    await this.offsets?.settled();
    this.state = 'stopped';
  }

  private async assign(partition: number): Promise<PartitionFlow<A>> {
    const { kv, groupId, watermarkTable, sink, clock } = this.options;
    // Finish a flush a crash cut short before reading the state it wrote.
    await kv.recover(writerOf(groupId, partition));
    sink.release?.(partition);
    const progress = await PartitionProgress.load(kv, { groupId, topic: TOPIC, partition, watermarkTable });
    const flow = new PartitionFlow(progress, () => sink.create(), clock.now());
    this.flows.set(partition, flow);
    return flow;
  }

  private async eachBatch(batch: RecordBatch): Promise<void> {
    this.throwIfFailed();
    const { flushEvents } = this.options;
    const flow = this.flows.get(batch.partition) ?? (await this.assign(batch.partition));
    for (const record of batch.records) {
      // A batch handed over again (after an error) holds records already buffered.
      if (record.offset < flow.progress.nextOffset) continue;
      flow.progress.nextOffset = record.offset + 1;
      this.take(flow, record);
      if (flow.active.events >= flushEvents) {
        await this.rotate(flow, 'size', () => flow.active.events >= flushEvents);
        this.throwIfFailed();
      }
    }
    if (flow.active.events > 0 && this.timeIsUp(flow)) {
      await this.rotate(flow, 'time', () => flow.active.events > 0 && this.timeIsUp(flow));
    }
  }

  private take(flow: PartitionFlow<A>, record: LogRecord): void {
    const buffer = flow.active;
    buffer.events++;
    buffer.nextOffset = record.offset + 1;
    this.metricsState.observeBuffered(this.bufferedEvents());
    let delta: HashtagDelta;
    try {
      delta = decodeHashtagDelta(record);
    } catch (err) {
      // Skipped, not retried: the same bytes would fail again and block the partition.
      this.metricsState.recordInvalid();
      this.options.logger.warn(
        { err, partition: record.partition, offset: record.offset },
        'invalid POST_HASHTAG record skipped',
      );
      return;
    }
    if (!flow.progress.admit(delta.source, delta.seq)) {
      buffer.duplicates++;
      return;
    }
    buffer.watermarks.set(watermarkKey(this.options.groupId, record.partition, delta.source), delta.seq);
    if (this.options.sink.add(buffer.acc, delta, this.options.clock.now())) buffer.applied++;
  }

  /**
   * Swaps the partition's buffers and starts flushing the passive one, unless
   * `wanted` no longer holds. A flush of that partition still running is
   * awaited first: that wait is the backpressure.
   */
  private async rotate(flow: PartitionFlow<A>, reason: FlushReason, wanted: () => boolean): Promise<void> {
    for (;;) {
      // A timed flush waiting here must not write a partition that has moved to another member.
      if (this.failure !== undefined || flow.revoked || !wanted()) return;
      if (flow.flushing !== undefined) {
        await flow.flushing;
        continue;
      }
      const passive = flow.swap(this.options.clock.now());
      flow.flushing = this.flush(flow, passive, reason).finally(() => {
        flow.flushing = undefined;
        flow.flushingEvents = 0;
      });
      return;
    }
  }

  /** Flushes the partitions' buffers side by side and waits until all are durable. */
  private async flushAll(flows: PartitionFlow<A>[], reason: FlushReason): Promise<void> {
    await Promise.all(
      flows.map(async (flow) => {
        await this.rotate(flow, reason, () => flow.active.events > 0);
        await flow.flushing;
      }),
    );
  }

  private async revoke(partitions: TopicPartition[]): Promise<void> {
    const flows = partitions.flatMap((tp) => this.flows.get(tp.partition) ?? []);
    await this.flushAll(flows, 'revoke');
    await this.offsets?.settled();
    // The next owner may move these partitions on; reload from the store if they come back.
    for (const flow of flows) {
      flow.revoked = true;
      this.flows.delete(flow.partition);
      this.options.sink.release?.(flow.partition);
    }
  }

  /** Never rejects: a failure is kept and surfaces on the next batch. */
  private async flush(flow: PartitionFlow<A>, buffer: DeltaBuffer<A>, reason: FlushReason): Promise<void> {
    const { kv, clock, logger, groupId, watermarkTable, sink } = this.options;
    const { partition } = flow;
    const started = performance.now();
    const reads = { count: 0 };
    let writes = 0;
    const retryOptions = { clock, logger, policy: this.options.retryPolicy };
    try {
      const ctx = { partition, partitionCount: this.partitionCount, reads };
      const built = await retry(() => sink.build(buffer.acc, { ...ctx, now: clock.now() }), {
        ...retryOptions,
        operation: `${groupId} flush read`,
      });
      const ops = built.ops;
      const beforeWrite = built.beforeWrite;
      if (beforeWrite) await retry(beforeWrite, { ...retryOptions, operation: `${groupId} flush publish` });
      for (const [key, seq] of buffer.watermarks)
        ops.push({ type: 'put', table: watermarkTable, key, value: seq });
      // Last, so a store that applies ops in order never checkpoints past state it has not stored.
      if (buffer.nextOffset !== undefined) {
        const key = checkpointKey(groupId, TOPIC, partition);
        ops.push({ type: 'put', table: KV.checkpoints, key, value: buffer.nextOffset });
      }
      if (ops.length > 0) {
        // Retrying the same ops is safe because they carry absolute values computed once, before
        // the first attempt, by the single owner of the partition: a batch that did land and is
        // written again changes nothing. Cassandra counter columns would count a retried
        // increment twice; that is why counts are read, summed here and written whole.
        await retry(
          async () => {
            writes++;
            await kv.batch(ops, { writer: writerOf(groupId, partition) });
          },
          { ...retryOptions, operation: `${groupId} flush write` },
        );
      }
      built.onCommitted?.();
      // A timed flush that found nothing to do is not worth a data point.
      if (buffer.events === 0 && ops.length === 0) return;
      // Durable now: stop counting these as buffered before they count as flushed.
      flow.flushingEvents = 0;
      const stats: FlushStats = {
        reason,
        partition,
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
      if (buffer.nextOffset !== undefined) this.offsets?.offer(partition, buffer.nextOffset);
    } catch (err) {
      this.metricsState.recordFailedWrites(reads.count, writes);
      this.failure = err;
      logger.error(
        { err, partition, events: buffer.events },
        `${groupId} flush failed; records after the last checkpoint are re-read on restart`,
      );
    }
  }

  /** Flushes on time the partitions that nothing arrives for to trigger it from eachBatch. */
  private async tick(): Promise<void> {
    const { clock, flushIntervalMs, sink } = this.options;
    const signal = this.abort.signal;
    const hasWork = (flow: PartitionFlow<A>) =>
      flow.active.events > 0 || (sink.idleWorkDue?.(clock.now(), flow.partition) ?? false);
    while (!signal.aborted && this.failure === undefined) {
      const flows = [...this.flows.values()];
      const due = flows.filter((flow) => this.timeIsUp(flow));
      if (due.length === 0) {
        const next = Math.min(
          clock.now() + flushIntervalMs,
          ...flows.map((f) => f.lastFlushAt + flushIntervalMs),
        );
        await clock.sleep(next - clock.now(), signal).catch(() => undefined);
        continue;
      }
      await Promise.all(
        due.map((flow) => {
          if (hasWork(flow)) return this.rotate(flow, 'time', () => this.timeIsUp(flow) && hasWork(flow));
          flow.lastFlushAt = clock.now();
          return undefined;
        }),
      );
    }
  }

  private timeIsUp(flow: PartitionFlow<A>): boolean {
    return this.options.clock.now() - flow.lastFlushAt >= this.options.flushIntervalMs;
  }

  private bufferedEvents(): number {
    let n = 0;
    for (const flow of this.flows.values()) n += flow.bufferedEvents;
    return n;
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
}

/** A flush covers one partition, whose owner is its only writer. */
function writerOf(groupId: string, partition: number): string {
  return `${groupId}:${partition}`;
}
