import type { Client, helpers } from '@elastic/elasticsearch';
import { type Clock, systemClock } from '../../clock';
import { AppError, TransientError, ValidationError } from '../../errors';
import { type Logger, silentLogger } from '../../logger';
import { backoffDelay, defaultRetryPolicy, type RetryPolicy } from '../../retry';
import { bulkItemDecision } from './bulk-item-decision';
import { mapElasticsearchError } from './map-elasticsearch-error';
import {
  keyOfAction,
  prepareOperation,
  settle,
  type BulkOperation,
  type QueuedOperation,
} from './queued-operation';
import { WriteGroup, type BulkWriteResult, type DroppedOperation } from './write-group';

export type { BulkOperation } from './queued-operation';

export interface BulkWriterOptions {
  /** The dead-letter sink: each operation Elasticsearch refuses for good (mapping errors, 400s). */
  onDrop: (operation: BulkOperation, reason: string, status: number) => void;
  /** Operations per bulk request (1000). */
  maxDocs?: number;
  /** Bytes per bulk request, action lines included (5 MiB); a larger single document goes alone. */
  maxBytes?: number;
  /** The longest a queued operation waits for a full batch (1000 ms). */
  flushIntervalMs?: number;
  /** Bulk requests in flight at once (2). */
  concurrency?: number;
  /** Queued operations beyond which `write` waits (4 batches per slot). */
  maxQueued?: number;
  /** Backoff for 429s; after `maxAttempts` the write is rejected with a TransientError. */
  retry?: Partial<RetryPolicy>;
  requestTimeoutMs?: number;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
}

export interface BulkWriterStats {
  /** Bulk requests sent, 429 re-sends included. */
  flushes: number;
  /** Operations Elasticsearch applied. */
  sent: number;
  /** Operations given to the dead-letter sink. */
  failed: number;
  /** Operations sent again after a 429. */
  retried: number;
  /** Operations whose write was rejected: retries used up, shard unavailable, request failed. */
  errored: number;
  /** Operations replaced by a later one of the same write on the same document. */
  coalesced: number;
  bytes: number;
  queued: number;
  inFlight: number;
}

type Counters = Omit<BulkWriterStats, 'queued' | 'inFlight'>;

/**
 * The project's one bulk layer for Elasticsearch writes, on the client's bulk
 * helper. Operations queue until a batch is full (`maxDocs`/`maxBytes`),
 * `flushIntervalMs` passes, or a caller asks for a flush; at most
 * `concurrency` requests are in flight. Per document, writes keep their order:
 * a document is never in two requests at once, and within one `write` only
 * the last operation per document is sent. Items answered 429 are sent again
 * with the project's backoff (the helper's own fixed-wait retry is off);
 * refused documents go to `onDrop` and into the write's result; everything
 * else that fails rejects the write, so no operation ends unaccounted for.
 */
export class BulkWriter {
  private readonly options: Required<Omit<BulkWriterOptions, 'retry' | 'requestTimeoutMs'>>;
  private readonly policy: RetryPolicy;
  private readonly requestTimeoutMs: number | undefined;
  private queue: QueuedOperation[] = [];
  private queuedBytes = 0;
  private seq = 0;
  private flushSeq = 0;
  private running = 0;
  private inFlightOps = 0;
  private readonly inFlightKeys = new Set<string>();
  private readonly unsettled = new Set<WriteGroup>();
  private spaceWaiters: (() => void)[] = [];
  /** Writes waiting for room in the queue. */
  private admitting = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly counters: Counters = {
    flushes: 0,
    sent: 0,
    failed: 0,
    retried: 0,
    errored: 0,
    coalesced: 0,
    bytes: 0,
  };

  constructor(
    private readonly client: Client,
    options: BulkWriterOptions,
  ) {
    if (typeof options?.onDrop !== 'function') {
      throw new ValidationError('onDrop must be a function', [{ field: 'onDrop', reason: 'not a function' }]);
    }
    const maxDocs = positive('maxDocs', options.maxDocs, 1000);
    const concurrency = positive('concurrency', options.concurrency, 2);
    this.options = {
      onDrop: options.onDrop,
      maxDocs,
      maxBytes: positive('maxBytes', options.maxBytes, 5 * 1024 * 1024),
      flushIntervalMs: positive('flushIntervalMs', options.flushIntervalMs, 1000),
      concurrency,
      maxQueued: positive('maxQueued', options.maxQueued, 4 * maxDocs * concurrency),
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
      logger: options.logger ?? silentLogger,
    };
    this.policy = { ...defaultRetryPolicy, ...options.retry };
    positive('retry.maxAttempts', this.policy.maxAttempts, 1);
    this.requestTimeoutMs =
      options.requestTimeoutMs === undefined
        ? undefined
        : positive('requestTimeoutMs', options.requestTimeoutMs, 1);
  }

  /**
   * Queues operations and resolves once each is applied or dropped, with the
   * dropped ones. Rejects (TransientError or StorageError) when some could
   * not be completed; the others may have been applied, and applying them
   * again is harmless. `flush: true` sends them without waiting for a full
   * batch. Waits first while `maxQueued` operations are queued.
   */
  async write(ops: readonly BulkOperation[], options: { flush?: boolean } = {}): Promise<BulkWriteResult> {
    this.requireOpen();
    if (!Array.isArray(ops)) {
      throw new ValidationError('ops must be an array', [{ field: 'ops', reason: 'not an array' }]);
    }
    const prepared = ops.map((op, i) => prepareOperation(op, i));
    const last = new Map<string, number>();
    prepared.forEach((p, i) => last.set(p.key, i));
    const kept = prepared.filter((p, i) => last.get(p.key) === i);
    this.counters.coalesced += prepared.length - kept.length;
    if (kept.length === 0) return { dropped: [] };
    this.admitting++;
    try {
      while (this.queue.length >= this.options.maxQueued) {
        await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
      }
    } finally {
      this.admitting--;
    }
    const group = new WriteGroup(kept.length, (g) => this.unsettled.delete(g));
    this.unsettled.add(group);
    for (const p of kept) {
      p.seq = ++this.seq;
      p.group = group;
      this.queue.push(p);
      this.queuedBytes += p.bytes;
    }
    if (options.flush) this.flushSeq = this.seq;
    this.pump();
    return group.done;
  }

  /** Sends everything queued now and waits until it is settled. Never rejects: the writes do. */
  async flush(): Promise<void> {
    this.flushSeq = Math.max(this.flushSeq, this.seq);
    const groups = [...this.unsettled];
    this.pump();
    await Promise.allSettled(groups.map((g) => g.done));
  }

  /** Flushes, waits for everything in flight, and refuses later writes. Closing twice is fine. */
  async close(): Promise<void> {
    this.closed = true;
    this.flushSeq = Number.POSITIVE_INFINITY;
    while (this.unsettled.size > 0 || this.admitting > 0) {
      this.pump();
      await Promise.allSettled([...this.unsettled].map((g) => g.done));
      // Writes that were waiting for room were accepted before the close: let them queue.
      if (this.unsettled.size === 0 && this.admitting > 0) await new Promise((r) => setImmediate(r));
    }
    this.armTimer();
  }

  stats(): BulkWriterStats {
    return { ...this.counters, queued: this.queue.length, inFlight: this.inFlightOps };
  }

  private requireOpen(): void {
    if (this.closed) throw new AppError('BULK_WRITER_CLOSED', 'the bulk writer is closed');
  }

  private ready(): boolean {
    const { maxDocs, maxBytes } = this.options;
    return (
      this.queue.length >= maxDocs || this.queuedBytes >= maxBytes || this.queue[0]!.seq <= this.flushSeq
    );
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0 && this.ready()) {
      const batch = this.take();
      if (batch.length === 0) break;
      this.running++;
      void this.run(batch);
    }
    this.armTimer();
    if (this.queue.length < this.options.maxQueued && this.spaceWaiters.length > 0) {
      const waiters = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** The next batch in queue order, skipping documents already in flight (and their later operations). */
  private take(): QueuedOperation[] {
    const { maxDocs, maxBytes } = this.options;
    const batch: QueuedOperation[] = [];
    const rest: QueuedOperation[] = [];
    const held = new Set<string>();
    let bytes = 0;
    let i = 0;
    for (; i < this.queue.length; i++) {
      const p = this.queue[i]!;
      if (batch.length >= maxDocs || (batch.length > 0 && bytes + p.bytes > maxBytes)) break;
      if (this.inFlightKeys.has(p.key) || held.has(p.key)) {
        held.add(p.key);
        rest.push(p);
        continue;
      }
      held.add(p.key);
      batch.push(p);
      bytes += p.bytes;
    }
    this.queue = i < this.queue.length ? rest.concat(this.queue.slice(i)) : rest;
    this.queuedBytes -= bytes;
    for (const p of batch) this.inFlightKeys.add(p.key);
    this.inFlightOps += batch.length;
    return batch;
  }

  private armTimer(): void {
    const last = this.queue[this.queue.length - 1];
    if (last === undefined || last.seq <= this.flushSeq) {
      clearTimeout(this.timer);
      this.timer = undefined;
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flushSeq = Math.max(this.flushSeq, this.seq);
        this.pump();
      }, this.options.flushIntervalMs);
    }
  }

  private async run(batch: QueuedOperation[]): Promise<void> {
    let pending = batch;
    try {
      for (let attempt = 1; pending.length > 0; attempt++) {
        const { retry, error } = await this.send(pending);
        if (error !== undefined && error.code !== 'ES_TOO_MANY_REQUESTS') {
          this.fail(pending, error);
          return;
        }
        pending = error === undefined ? retry : pending;
        if (pending.length === 0) return;
        if (attempt >= this.policy.maxAttempts) {
          const message = `elasticsearch answered 429 to ${pending.length} bulk operations ${attempt} times`;
          this.fail(pending, error ?? new TransientError('ES_TOO_MANY_REQUESTS', message));
          return;
        }
        const delayMs = backoffDelay(this.policy, attempt, this.options.random);
        this.options.logger.warn({ operations: pending.length, attempt, delayMs }, 'bulk 429, retrying');
        this.counters.retried += pending.length;
        await this.options.clock.sleep(delayMs);
      }
    } catch (err) {
      this.fail(pending, mapElasticsearchError(err, 'bulk'));
    } finally {
      for (const p of batch) this.inFlightKeys.delete(p.key);
      this.inFlightOps -= batch.length;
      this.running--;
      this.pump();
    }
  }

  /** One bulk request; settles every item but the 429s, which it returns. */
  private async send(pending: QueuedOperation[]): Promise<{ retry: QueuedOperation[]; error?: AppError }> {
    const byKey = new Map(pending.map((p) => [p.key, p]));
    const handled = new Set<QueuedOperation>();
    const retry: QueuedOperation[] = [];
    this.counters.flushes++;
    for (const p of pending) this.counters.bytes += p.bytes;
    const onDrop = (item: helpers.OnDropDocument<QueuedOperation>) => {
      const p = byKey.get(keyOfAction(item.operation));
      if (p === undefined) return;
      const decision = bulkItemDecision(item.status, p.op.action, item.error?.type);
      if (decision === 'ok') return;
      handled.add(p);
      if (decision === 'retry') retry.push(p);
      else
        this.settleFailed(
          p,
          item.status,
          `${item.error?.type ?? 'error'}: ${item.error?.reason ?? ''}`,
          decision,
        );
    };
    try {
      await this.client.helpers.bulk<QueuedOperation>(
        {
          datasource: pending,
          onDocument: (p) =>
            p.body === undefined ? (p.action as { delete: object }) : [p.action as { index: object }, p.body],
          flushBytes: Number.MAX_SAFE_INTEGER,
          concurrency: 1,
          retries: 0,
          onDrop,
        },
        this.requestTimeoutMs === undefined ? {} : { requestTimeout: this.requestTimeoutMs },
      );
    } catch (err) {
      return { retry: [], error: mapElasticsearchError(err, 'bulk') };
    }
    for (const p of pending) {
      if (handled.has(p)) continue;
      this.counters.sent++;
      settle(p, (g) => g.applied());
    }
    return { retry };
  }

  private settleFailed(p: QueuedOperation, status: number, reason: string, decision: 'drop' | 'fail'): void {
    const text = `HTTP ${status} ${reason}`;
    if (decision === 'fail') {
      this.fail(
        [p],
        new TransientError('ES_UNAVAILABLE', `elasticsearch could not apply a bulk item: ${text}`),
      );
      return;
    }
    this.counters.failed++;
    const dropped: DroppedOperation = { operation: p.op, status, reason: text };
    try {
      this.options.onDrop(p.op, text, status);
    } catch (err) {
      this.options.logger.error({ err, index: p.op.index, id: p.op.id, reason: text }, 'bulk onDrop threw');
    }
    settle(p, (g) => g.drop(dropped));
  }

  private fail(pending: QueuedOperation[], error: AppError): void {
    this.counters.errored += pending.filter((p) => !p.settled).length;
    for (const p of pending) settle(p, (g) => g.fail(error));
  }
}

function positive(field: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`${field} must be a positive integer`, [
      { field, reason: 'not a positive integer' },
    ]);
  }
  return value;
}
