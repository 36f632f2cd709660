import type { IMemberAssignment, Kafka } from 'kafkajs';
import { systemClock } from '../../clock';
import { AppError, TransientError, ValidationError } from '../../errors';
import type { Logger } from '../../logger';
import type { ConsumerHandlers, LogConsumer, TopicPartitionOffset } from '../../ports/event-log';
import { backoffDelay } from '../../retry';
import { type DeliveryContext, REDELIVERY_BACKOFF, deliverBatch } from './batch-delivery';
import {
  type Assignment,
  type RunState,
  byTopicPartition,
  deferred,
  partitionKey,
} from './consumer-run-state';
import { exclusiveAssigner } from './exclusive-assigner';
import { type BrokerOffset, commitAsMember, commitWithoutMembers } from './group-commit';
import type { KafkaAdmin, OffsetRange } from './kafka-admin';
import { createKafkaClient, kafkaRetry } from './kafka-client';
import { kafkaCall, toAppError } from './kafka-errors';
import type { KafkaNames } from './kafka-names';
import type { KafkaSettings } from './kafka-settings';
import { membershipGate } from './membership-gate';

/** What a consumer needs from the log that made it. */
export interface KafkaConsumerHost {
  settings: KafkaSettings;
  names: KafkaNames;
  admin: KafkaAdmin;
  /** The log's shared client, for commits of a consumer that is not running. */
  kafka: Kafka;
  logger: Logger;
  /** Partition count of a logical topic; throws UNKNOWN_TOPIC. */
  partitionCount(topic: string): Promise<number>;
  started(consumer: KafkaConsumer): void;
  stopped(consumer: KafkaConsumer): void;
}

export interface KafkaConsumerOptions {
  groupId: string;
  topics: string[];
  maxBatchSize: number;
  exclusive: boolean;
}

/**
 * A member of a Kafka consumer group behind the LogConsumer port. kafkajs
 * fetches; this class hands batches of at most maxBatchSize records to
 * eachBatch one at a time, redelivers a batch whose handler threw, seeks
 * each assigned partition to startOffset, and calls onRevoke before this
 * member's partitions can move (see membership-gate.ts). Commits are manual.
 */
export class KafkaConsumer implements LogConsumer {
  private readonly groupId: string;
  private readonly brokerTopics: string[];
  private readonly delivery: DeliveryContext;
  private starting: Promise<void> | undefined;
  private state: RunState | undefined;
  private offlineCommits: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: KafkaConsumerHost,
    private readonly options: KafkaConsumerOptions,
  ) {
    this.groupId = host.names.groupId(options.groupId);
    this.brokerTopics = options.topics.map((topic, i) => host.names.topic(topic, `topics[${i}]`));
    this.delivery = {
      groupId: options.groupId,
      maxBatchSize: options.maxBatchSize,
      heartbeatIntervalMs: host.settings.consumer.heartbeatIntervalMs,
      logger: host.logger,
      logicalTopic: (brokerTopic) => host.names.logicalTopic(brokerTopic),
    };
  }

  async run(handlers: ConsumerHandlers): Promise<void> {
    if (this.starting || this.state) {
      throw new AppError('CONSUMER_RUNNING', `consumer of group ${this.options.groupId} is already running`);
    }
    if (typeof handlers?.eachBatch !== 'function') {
      throw new ValidationError('run needs an eachBatch handler', [
        { field: 'eachBatch', reason: 'not a function' },
      ]);
    }
    this.starting = this.start(handlers);
    try {
      await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    const brokerOffsets = await this.toBrokerOffsets(offsets);
    if (brokerOffsets.length === 0) return;
    const state = this.state;
    if (state) {
      if (!state.member && state.stopping) {
        throw new AppError('NOT_GROUP_MEMBER', `consumer of group ${this.options.groupId} is stopping`, {
          details: { groupId: this.options.groupId },
        });
      }
      if (!state.member) {
        throw new TransientError(
          'GROUP_REJOINING',
          `consumer of group ${this.options.groupId} is rejoining`,
          {
            details: { groupId: this.options.groupId },
          },
        );
      }
      return commitAsMember(state.consumer, brokerOffsets, this.groupId);
    }
    const { kafka, admin, settings, logger } = this.host;
    const commit = this.offlineCommits.then(() =>
      commitWithoutMembers(kafka, admin, settings, this.groupId, brokerOffsets, logger),
    );
    this.offlineCommits = commit.catch(() => undefined);
    return commit;
  }

  async committed(topic: string): Promise<TopicPartitionOffset[]> {
    const brokerTopic = this.host.names.topic(topic);
    const partitions = await this.host.partitionCount(topic);
    const offsets = await this.host.admin.committed(this.groupId, brokerTopic, partitions);
    return offsets.map((offset, partition) => ({ topic, partition, offset }));
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const state = this.state;
    if (!state) return;
    state.stopped ??= this.shutdown(state);
    await state.stopped;
  }

  private async start(handlers: ConsumerHandlers): Promise<void> {
    for (const topic of this.options.topics) await this.host.partitionCount(topic);
    const { settings, logger } = this.host;
    const kafka = createKafkaClient(settings, {
      clientIdSuffix: 'consumer',
      intercept: membershipGate(() => this.revoke(state), settings.consumer.rebalanceTimeoutMs, logger),
    });
    const consumer = kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: settings.consumer.sessionTimeoutMs,
      heartbeatInterval: settings.consumer.heartbeatIntervalMs,
      rebalanceTimeout: settings.consumer.rebalanceTimeoutMs,
      maxWaitTimeInMs: settings.consumer.maxWaitMs,
      maxBytesPerPartition: settings.consumer.maxBytesPerPartition,
      allowAutoTopicCreation: false,
      retry: kafkaRetry(settings),
      ...(this.options.exclusive
        ? { partitionAssigners: [exclusiveAssigner(() => (this.state?.owned.size ?? 0) > 0)] }
        : {}),
    });
    const state: RunState = {
      handlers,
      consumer,
      assignment: undefined,
      owned: new Set(),
      revoking: undefined,
      inFlight: undefined,
      member: false,
      stopping: false,
      stopped: undefined,
      firstAssignment: deferred(),
    };
    consumer.on(consumer.events.GROUP_JOIN, (event) =>
      this.onGroupJoin(state, event.payload.memberAssignment),
    );
    consumer.on(consumer.events.CRASH, (event) =>
      this.onCrash(state, event.payload.error, event.payload.restart),
    );
    this.state = state;
    this.host.started(this);
    try {
      await kafkaCall('starting a Kafka consumer', async () => {
        await consumer.connect();
        await consumer.subscribe({ topics: this.brokerTopics, fromBeginning: true });
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: 1,
          eachBatch: (payload) => deliverBatch(this.delivery, state, payload),
        });
      });
      await state.firstAssignment.promise;
    } catch (err) {
      // A start that failed took up no partitions, so there is nothing to revoke.
      state.stopping = true;
      state.owned = new Set();
      state.assignment?.abort.abort();
      await consumer.disconnect().catch((e: unknown) => logger.warn({ err: e }, 'disconnecting failed'));
      this.state = undefined;
      this.host.stopped(this);
      throw toAppError(err, 'joining the consumer group', { groupId: this.options.groupId });
    }
  }

  private async shutdown(state: RunState): Promise<void> {
    state.stopping = true;
    state.assignment?.abort.abort();
    try {
      state.consumer.pause(this.brokerTopics.map((topic) => ({ topic })));
    } catch {
      // Not running (crashed without restart): nothing to pause.
    }
    let revokeError: unknown;
    await this.revoke(state)?.catch((err: unknown) => (revokeError = err));
    while (state.inFlight) await state.inFlight;
    state.member = false;
    await state.consumer.disconnect().catch((err: unknown) => {
      this.host.logger.warn({ err, groupId: this.groupId }, 'disconnecting a Kafka consumer failed');
    });
    this.state = undefined;
    this.host.stopped(this);
    if (revokeError !== undefined) throw revokeError;
  }

  private onGroupJoin(state: RunState, memberAssignment: IMemberAssignment): void {
    if (state.stopping) return;
    state.member = true;
    const partitions = Object.entries(memberAssignment)
      .flatMap(([topic, list]) =>
        list.map((partition) => ({ topic: this.host.names.logicalTopic(topic), partition })),
      )
      .sort(byTopicPartition);
    const previous = state.assignment;
    const assignment: Assignment = {
      partitions,
      abort: new AbortController(),
      status: 'pending',
      assignCalled: false,
      ready: Promise.resolve(),
    };
    state.assignment = assignment;
    state.owned = new Set(partitions.map((tp) => partitionKey(tp.topic, tp.partition)));
    const first = !state.firstAssignment.settled;
    assignment.ready = this.prepare(state, assignment, previous, first).then(
      () => {
        assignment.status = 'ready';
        if (first) state.firstAssignment.resolve();
      },
      (err: unknown) => {
        assignment.status = 'failed';
        if (first) state.firstAssignment.reject(err);
      },
    );
  }

  private onCrash(state: RunState, error: Error, restart: boolean): void {
    state.member = false;
    if (!state.firstAssignment.settled) {
      state.firstAssignment.reject(error);
      return;
    }
    this.host.logger.error(
      { err: error, groupId: this.groupId, restart },
      restart ? 'Kafka consumer crashed; kafkajs restarts it' : 'Kafka consumer crashed and will not restart',
    );
  }

  /** onAssign, then the startOffset seeks; later generations retry until revoked instead of failing. */
  private async prepare(
    state: RunState,
    assignment: Assignment,
    previous: Assignment | undefined,
    first: boolean,
  ): Promise<void> {
    // Read now: a later revoke is of this very assignment and waits for it.
    const priorRevoke = state.revoking;
    await previous?.ready;
    await priorRevoke?.catch(() => undefined);
    if (assignment.partitions.length === 0) return;
    const { signal } = assignment.abort;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.takeUp(state, assignment);
      } catch (err) {
        if (first || signal.aborted) throw err;
        this.host.logger.error(
          { err, groupId: this.groupId, attempt },
          'taking up assigned partitions failed; retrying',
        );
        await systemClock.sleep(backoffDelay(REDELIVERY_BACKOFF, attempt), signal).catch(() => undefined);
        if (signal.aborted) throw err;
      }
    }
  }

  private async takeUp(state: RunState, assignment: Assignment): Promise<void> {
    const { handlers, consumer } = state;
    if (!assignment.assignCalled) {
      assignment.assignCalled = true;
      await handlers.onAssign?.(assignment.partitions.map((tp) => ({ ...tp })));
    }
    const ranges = new Map<string, OffsetRange[]>();
    for (const tp of assignment.partitions) {
      const start = await handlers.startOffset?.({ ...tp });
      if (start === undefined) continue;
      const brokerTopic = this.host.names.topic(tp.topic);
      let topicRanges = ranges.get(brokerTopic);
      if (!topicRanges)
        ranges.set(brokerTopic, (topicRanges = await this.host.admin.offsetRanges(brokerTopic)));
      const range = topicRanges.find((r) => r.partition === tp.partition);
      if (!range || !Number.isSafeInteger(start) || start < range.low || start > range.high) {
        throw new AppError(
          'OFFSET_OUT_OF_RANGE',
          `start offset ${String(start)} of ${tp.topic}/${tp.partition} is outside [${range?.low}, ${range?.high}]`,
          {
            details: {
              groupId: this.options.groupId,
              ...tp,
              offset: start,
              low: range?.low,
              high: range?.high,
            },
          },
        );
      }
      if (assignment.abort.signal.aborted) return;
      consumer.seek({ topic: brokerTopic, partition: tp.partition, offset: String(start) });
    }
  }

  /**
   * Gives up this member's partitions: stops delivery, waits for the batch in
   * flight, then onRevoke. Shared by rebalances (through the membership gate),
   * crashes and stop(); undefined when nothing is owned.
   */
  private revoke(state: RunState): Promise<void> | undefined {
    if (state.revoking) return state.revoking;
    const assignment = state.assignment;
    if (!assignment || state.owned.size === 0) return undefined;
    state.owned = new Set();
    assignment.abort.abort();
    const revoking = (async () => {
      await assignment.ready;
      while (state.inFlight) await state.inFlight;
      if (assignment.assignCalled) {
        await state.handlers.onRevoke?.(assignment.partitions.map((tp) => ({ ...tp })));
      }
    })();
    state.revoking = revoking;
    void revoking.finally(() => (state.revoking = undefined)).catch(() => undefined);
    return revoking;
  }

  private async toBrokerOffsets(offsets: TopicPartitionOffset[]): Promise<BrokerOffset[]> {
    if (!Array.isArray(offsets)) {
      throw new ValidationError('commit expects an array of offsets', [
        { field: 'offsets', reason: 'not an array' },
      ]);
    }
    const result: BrokerOffset[] = [];
    for (let i = 0; i < offsets.length; i++) {
      const { topic, partition, offset } = offsets[i] ?? ({} as TopicPartitionOffset);
      const brokerTopic = this.host.names.topic(topic, `[${i}].topic`);
      const partitions = await this.host.partitionCount(topic);
      if (!Number.isSafeInteger(partition) || partition < 0 || partition >= partitions) {
        throw new ValidationError(`offsets[${i}]: topic ${topic} has no partition ${String(partition)}`, [
          { field: `[${i}].partition`, reason: `not in [0, ${partitions - 1}]` },
        ]);
      }
      if (!Number.isSafeInteger(offset) || offset < 0) {
        throw new ValidationError(`offsets[${i}]: offset ${String(offset)} is not a non-negative integer`, [
          { field: `[${i}].offset`, reason: 'not a non-negative safe integer' },
        ]);
      }
      result.push({ topic: brokerTopic, partition, offset });
    }
    return result;
  }
}
