import type { Consumer, Kafka } from 'kafkajs';
import { AppError, TransientError } from '../../errors';
import type { Logger } from '../../logger';
import type { KafkaAdmin } from './kafka-admin';
import { kafkaRetry } from './kafka-client';
import { kafkaCall } from './kafka-errors';
import type { KafkaSettings } from './kafka-settings';

/** Offsets on broker topic names. */
export interface BrokerOffset {
  topic: string;
  partition: number;
  offset: number;
}

function commitKey(offsets: { topic: string; partition: number; offset: unknown }[]): string {
  return offsets
    .map((o) => `${o.topic}\0${o.partition}\0${String(o.offset)}`)
    .sort()
    .join('\n');
}

/**
 * Commits through a running kafkajs consumer with its group generation.
 * kafkajs silently skips a commit when its consumer is no longer running
 * (stopping, crashed), so success is confirmed by the commit event kafkajs
 * emits only after the broker accepted the offsets.
 */
export async function commitAsMember(
  consumer: Consumer,
  offsets: BrokerOffset[],
  groupId: string,
): Promise<void> {
  const wanted = commitKey(offsets);
  let accepted = false;
  const unsubscribe = consumer.on(consumer.events.COMMIT_OFFSETS, (event) => {
    const committed = event.payload.topics.flatMap(({ topic, partitions }) =>
      partitions.map(({ partition, offset }) => ({ topic, partition, offset })),
    );
    if (commitKey(committed) === wanted) accepted = true;
  });
  try {
    await kafkaCall(
      'committing offsets',
      () => consumer.commitOffsets(offsets.map((o) => ({ ...o, offset: String(o.offset) }))),
      { groupId },
    );
  } finally {
    unsubscribe();
  }
  if (!accepted) {
    throw new AppError(
      'NOT_GROUP_MEMBER',
      `consumer of group ${groupId} is not a group member right now (stopping or restarting); the commit was not applied`,
      { details: { groupId } },
    );
  }
}

/**
 * Commits for a group none of whose members runs, e.g. from a consumer that
 * never ran or has stopped. Kafka only takes offsets from a group member, so
 * this joins the empty group briefly, commits and leaves. A group with live
 * members is GROUP_BUSY: only they may move its offsets.
 */
export async function commitWithoutMembers(
  kafka: Kafka,
  admin: KafkaAdmin,
  settings: KafkaSettings,
  groupId: string,
  offsets: BrokerOffset[],
  logger: Logger,
): Promise<void> {
  const state = await admin.groupState(groupId);
  if (state !== 'Empty' && state !== 'Dead') {
    throw new AppError(
      'GROUP_BUSY',
      `consumer group ${groupId} has running members (${state}); only they can commit`,
      { details: { groupId, state } },
    );
  }
  const topics = [...new Set(offsets.map((o) => o.topic))];
  const consumer = kafka.consumer({
    groupId,
    sessionTimeout: settings.consumer.sessionTimeoutMs,
    heartbeatInterval: settings.consumer.heartbeatIntervalMs,
    rebalanceTimeout: settings.consumer.rebalanceTimeoutMs,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
    retry: kafkaRetry(settings),
  });
  let joined = false;
  let crash: Error | undefined;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  consumer.on(consumer.events.CRASH, (event) => (crash = event.payload.error));
  try {
    await kafkaCall('joining the group to commit', async () => {
      await consumer.connect();
      await consumer.subscribe({ topics });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async () => undefined,
      });
    });
    if (!joined) {
      throw new TransientError('GROUP_JOIN_FAILED', `could not join consumer group ${groupId} to commit`, {
        cause: crash,
        details: { groupId },
      });
    }
    consumer.pause(topics.map((topic) => ({ topic })));
    await commitAsMember(consumer, offsets, groupId);
  } finally {
    await consumer.disconnect().catch((err: unknown) => {
      logger.warn({ err, groupId }, 'leaving the group after a commit failed');
    });
  }
}
