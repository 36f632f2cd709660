import type { EachBatchPayload } from 'kafkajs';
import { systemClock } from '../../clock';
import type { Logger } from '../../logger';
import type { RecordBatch } from '../../ports/event-log';
import { type RetryPolicy, backoffDelay } from '../../retry';
import {
  type Assignment,
  type RunState,
  partitionKey,
  settlesWithin,
  toLogRecord,
} from './consumer-run-state';

export interface DeliveryContext {
  groupId: string;
  maxBatchSize: number;
  heartbeatIntervalMs: number;
  logger: Logger;
  logicalTopic(brokerTopic: string): string;
}

/** Redelivery backoff: 100 ms doubling to 10 s, full jitter; attempts never run out. */
export const REDELIVERY_BACKOFF: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
};

/**
 * kafkajs's eachBatch: hands a fetched batch to the port's eachBatch in
 * slices of at most maxBatchSize records, one at a time, once the partition
 * is taken up (onAssign, seek). Each accepted slice is resolved, so kafkajs
 * fetches after it; a slice whose handler threw is handed over again after
 * a backoff. Delivery stops when the partition is revoked, the consumer
 * stops or a seek makes the batch stale; unresolved records are fetched again.
 */
export async function deliverBatch(
  ctx: DeliveryContext,
  state: RunState,
  payload: EachBatchPayload,
): Promise<void> {
  const { batch } = payload;
  const topic = ctx.logicalTopic(batch.topic);
  const { partition } = batch;
  const assignment = state.assignment;
  if (state.stopping || !assignment || !(await untilReady(ctx, assignment, payload))) return;
  const key = partitionKey(topic, partition);
  const live = () => !state.stopping && state.owned.has(key) && !payload.isStale() && payload.isRunning();
  let finish!: () => void;
  state.inFlight = new Promise<void>((resolve) => (finish = resolve));
  try {
    const highWatermark = Number(batch.highWatermark);
    for (let from = 0; from < batch.messages.length && live(); from += ctx.maxBatchSize) {
      const messages = batch.messages.slice(from, from + ctx.maxBatchSize);
      const records = messages.map((message) => toLogRecord(topic, partition, message));
      const slice = { topic, partition, records, highWatermark };
      if (!(await deliverUntilAccepted(ctx, state, assignment, slice, payload))) return;
      payload.resolveOffset(messages[messages.length - 1].offset);
      await payload.heartbeat();
    }
  } finally {
    state.inFlight = undefined;
    finish();
  }
}

/** Hands the batch over until the handler accepts it; false if the partition went away first. */
async function deliverUntilAccepted(
  ctx: DeliveryContext,
  state: RunState,
  assignment: Assignment,
  batch: RecordBatch,
  payload: EachBatchPayload,
): Promise<boolean> {
  const { signal } = assignment.abort;
  for (let attempt = 1; ; attempt++) {
    try {
      await withHeartbeats(
        ctx,
        state.handlers.eachBatch({ ...batch, records: batch.records.slice() }),
        payload,
      );
      return true;
    } catch (err) {
      const { topic, partition } = batch;
      const firstOffset = batch.records[0].offset;
      ctx.logger.error(
        { err, groupId: ctx.groupId, topic, partition, firstOffset, attempt },
        'eachBatch failed; the batch will be redelivered',
      );
      if (signal.aborted) return false;
      await systemClock.sleep(backoffDelay(REDELIVERY_BACKOFF, attempt), signal).catch(() => undefined);
      if (signal.aborted) return false;
      // Throws when the group rebalances, so kafkajs rejoins instead of waiting on this batch.
      await payload.heartbeat();
    }
  }
}

/** kafkajs only heartbeats between batches; a long handler would otherwise get this member evicted. */
async function withHeartbeats<T>(
  ctx: DeliveryContext,
  work: Promise<T>,
  payload: EachBatchPayload,
): Promise<T> {
  const timer = setInterval(() => {
    payload.heartbeat().catch(() => undefined);
  }, ctx.heartbeatIntervalMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

/** Waits for onAssign and the seeks, heartbeating meanwhile; false if they failed. */
async function untilReady(
  ctx: DeliveryContext,
  assignment: Assignment,
  payload: EachBatchPayload,
): Promise<boolean> {
  while (assignment.status === 'pending') {
    if (!(await settlesWithin(assignment.ready, ctx.heartbeatIntervalMs))) await payload.heartbeat();
  }
  return assignment.status === 'ready';
}
