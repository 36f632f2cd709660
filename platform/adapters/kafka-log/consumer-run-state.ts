import type { Consumer, KafkaMessage } from 'kafkajs';
import type { ConsumerHandlers, LogRecord, TopicPartition } from '../../ports/event-log';

/** The partitions one group generation gave this member, and the work to take them up. */
export interface Assignment {
  partitions: TopicPartition[];
  /** Aborted when the partitions are revoked or the consumer stops. */
  abort: AbortController;
  status: 'pending' | 'ready' | 'failed';
  /** onAssign has been called, so onRevoke is owed. */
  assignCalled: boolean;
  /** Settles after onAssign and the startOffset seeks; never rejects unobserved. */
  ready: Promise<void>;
}

/** One `run()` of a consumer, from start to stop. */
export interface RunState {
  handlers: ConsumerHandlers;
  consumer: Consumer;
  assignment: Assignment | undefined;
  /** Keys of partitions whose batches may still be delivered. */
  owned: Set<string>;
  revoking: Promise<void> | undefined;
  /** The eachBatch call of kafkajs in progress, if any. */
  inFlight: Promise<void> | undefined;
  /** Joined a generation and not crashed since, so commits may go through the group. */
  member: boolean;
  stopping: boolean;
  stopped: Promise<void> | undefined;
  firstAssignment: Deferred;
}

export interface Deferred {
  promise: Promise<void>;
  settled: boolean;
  resolve(): void;
  reject(err: unknown): void;
}

export function deferred(): Deferred {
  const result = { settled: false } as Deferred;
  result.promise = new Promise<void>((resolve, reject) => {
    result.resolve = () => {
      result.settled = true;
      resolve();
    };
    result.reject = (err) => {
      result.settled = true;
      reject(err);
    };
  });
  // Observed by run(); this keeps a rejection after run() gave up from being unhandled.
  result.promise.catch(() => undefined);
  return result;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

export function byTopicPartition(a: TopicPartition, b: TopicPartition): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;
}

const EMPTY = Buffer.alloc(0);

export function toLogRecord(topic: string, partition: number, message: KafkaMessage): LogRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key ? message.key.toString('utf8') : '',
    value: message.value ?? EMPTY,
    timestamp: Number(message.timestamp),
  };
}

/** Resolves true when `promise` settles first, false after `ms`; the timer never outlives it. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const settled = promise.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, timeout]).finally(() => clearTimeout(timer));
}
