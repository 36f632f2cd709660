import type { Clock } from '../../clock';
import { AppError } from '../../errors';
import type { Logger } from '../../logger';
import type {
  ConsumerHandlers,
  LogConsumer,
  RecordBatch,
  TopicPartition,
  TopicPartitionOffset,
} from '../../ports/event-log';
import { type RetryPolicy, backoffDelay } from '../../retry';
import type { PartitionLog } from './partition-log';

/** What a consumer needs from the log that owns it. */
export interface ConsumerHost {
  logger: Logger;
  clock: Clock;
  /** The partitions of a topic; throws UNKNOWN_TOPIC. */
  partitions(topic: string): Promise<PartitionLog[]>;
  commit(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>;
  committed(groupId: string, topic: string): Promise<TopicPartitionOffset[]>;
  /** Claims the group for this consumer; throws GROUP_BUSY when another one runs it. */
  acquireGroup(groupId: string, consumer: EmbeddedConsumer): void;
  releaseGroup(groupId: string, consumer: EmbeddedConsumer): void;
}

export interface EmbeddedConsumerOptions {
  groupId: string;
  topics: string[];
  maxBatchSize: number;
}

/** Redelivery backoff: 100 ms doubling to 10 s, full jitter; attempts never run out. */
const REDELIVERY_BACKOFF: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
};

interface Cursor extends TopicPartition {
  log: PartitionLog;
  /** Next offset to hand out. */
  position: number;
}

interface RunState {
  handlers: ConsumerHandlers;
  cursors: Cursor[];
  assigned: TopicPartition[];
  abort: AbortController;
  loop: Promise<void>;
  wake: (() => void) | undefined;
  stopped: Promise<void> | undefined;
}

/**
 * The only member of its group (embedded mode has one process), so it is
 * assigned every partition of its topics. One background loop hands out
 * batches one at a time, round-robin over partitions with data, and sleeps
 * on an append notification when it has caught up.
 */
export class EmbeddedConsumer implements LogConsumer {
  private starting: Promise<void> | undefined;
  private state: RunState | undefined;

  constructor(
    private readonly host: ConsumerHost,
    private readonly options: EmbeddedConsumerOptions,
  ) {}

  async run(handlers: ConsumerHandlers): Promise<void> {
    if (this.starting || this.state) {
      throw new AppError('CONSUMER_RUNNING', `consumer of group ${this.options.groupId} is already running`);
    }
    this.starting = this.start(handlers);
    try {
      await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  commit(offsets: TopicPartitionOffset[]): Promise<void> {
    return this.host.commit(this.options.groupId, offsets);
  }

  committed(topic: string): Promise<TopicPartitionOffset[]> {
    return this.host.committed(this.options.groupId, topic);
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const state = this.state;
    if (!state) return;
    state.stopped ??= this.shutdown(state);
    await state.stopped;
  }

  private async start(handlers: ConsumerHandlers): Promise<void> {
    const { groupId } = this.options;
    this.host.acquireGroup(groupId, this);
    try {
      const cursors: Cursor[] = [];
      for (const topic of this.options.topics) {
        (await this.host.partitions(topic)).forEach((log, partition) =>
          cursors.push({ topic, partition, log, position: 0 }),
        );
      }
      const assigned = cursors.map(({ topic, partition }) => ({ topic, partition }));
      await handlers.onAssign?.(assigned);
      const committed = new Map<string, TopicPartitionOffset[]>();
      for (const cursor of cursors) {
        let start = await handlers.startOffset?.({ topic: cursor.topic, partition: cursor.partition });
        if (start === undefined) {
          if (!committed.has(cursor.topic)) {
            committed.set(cursor.topic, await this.host.committed(groupId, cursor.topic));
          }
          start = committed.get(cursor.topic)![cursor.partition].offset;
        }
        const end = cursor.log.endOffset;
        if (!Number.isSafeInteger(start) || start < 0 || start > end) {
          throw new AppError(
            'OFFSET_OUT_OF_RANGE',
            `start offset ${String(start)} of ${cursor.topic}/${cursor.partition} is outside [0, ${end}]`,
            {
              details: {
                groupId,
                topic: cursor.topic,
                partition: cursor.partition,
                offset: start,
                endOffset: end,
              },
            },
          );
        }
        cursor.position = start;
      }
      const state: RunState = {
        handlers,
        cursors,
        assigned,
        abort: new AbortController(),
        loop: Promise.resolve(),
        wake: undefined,
        stopped: undefined,
      };
      state.loop = this.loop(state).catch((err: unknown) => {
        this.host.logger.error({ err, groupId }, 'consumer loop crashed');
      });
      this.state = state;
    } catch (err) {
      this.host.releaseGroup(groupId, this);
      throw err;
    }
  }

  private async shutdown(state: RunState): Promise<void> {
    state.abort.abort();
    state.wake?.();
    await state.loop;
    try {
      await state.handlers.onRevoke?.(state.assigned);
    } finally {
      this.host.releaseGroup(this.options.groupId, this);
      this.state = undefined;
    }
  }

  private async loop(state: RunState): Promise<void> {
    const { cursors } = state;
    const { signal } = state.abort;
    let next = 0;
    let readFailures = 0;
    while (!signal.aborted) {
      const index = this.nextReady(cursors, next);
      if (index < 0) {
        await this.waitForAppend(state);
        continue;
      }
      next = (index + 1) % cursors.length;
      const cursor = cursors[index];
      let records;
      try {
        records = await cursor.log.read(cursor.position, this.options.maxBatchSize);
        readFailures = 0;
      } catch (err) {
        readFailures++;
        this.host.logger.error(
          { err, groupId: this.options.groupId, topic: cursor.topic, partition: cursor.partition },
          'reading the log failed; retrying',
        );
        await this.backoff(readFailures, signal);
        continue;
      }
      if (records.length === 0) continue;
      const batch: RecordBatch = {
        topic: cursor.topic,
        partition: cursor.partition,
        records,
        highWatermark: cursor.log.endOffset,
      };
      if (!(await this.deliver(state, batch))) return;
      cursor.position = records[records.length - 1].offset + 1;
    }
  }

  /** Hands the batch over until the handler accepts it; false if the consumer stopped first. */
  private async deliver(state: RunState, batch: RecordBatch): Promise<boolean> {
    const { signal } = state.abort;
    for (let attempt = 1; ; attempt++) {
      try {
        await state.handlers.eachBatch({ ...batch, records: batch.records.slice() });
        return true;
      } catch (err) {
        this.host.logger.error(
          {
            err,
            groupId: this.options.groupId,
            topic: batch.topic,
            partition: batch.partition,
            firstOffset: batch.records[0].offset,
            attempt,
          },
          'eachBatch failed; the batch will be redelivered',
        );
        if (signal.aborted) return false;
        await this.backoff(attempt, signal);
        if (signal.aborted) return false;
      }
    }
  }

  private async backoff(attempt: number, signal: AbortSignal): Promise<void> {
    await this.host.clock.sleep(backoffDelay(REDELIVERY_BACKOFF, attempt), signal).catch(() => undefined);
  }

  private nextReady(cursors: Cursor[], from: number): number {
    for (let k = 0; k < cursors.length; k++) {
      const i = (from + k) % cursors.length;
      if (cursors[i].position < cursors[i].log.endOffset) return i;
    }
    return -1;
  }

  /** Resolves on the next append to any assigned partition, or on stop. */
  private waitForAppend(state: RunState): Promise<void> {
    return new Promise<void>((resolve) => {
      if (state.abort.signal.aborted) return resolve();
      const unsubscribe = state.cursors.map((cursor) => cursor.log.subscribe(() => wake()));
      const wake = () => {
        for (const off of unsubscribe) off();
        state.wake = undefined;
        resolve();
      };
      state.wake = wake;
    });
  }
}
