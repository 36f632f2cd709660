import type { Admin, Kafka, PartitionMetadata } from 'kafkajs';
import { AppError, isRetriable, StorageError, TransientError } from '../../errors';
import { retry } from '../../retry';
import { kafkaCall } from './kafka-errors';

/** Settings of topics ensureTopic creates. */
export interface TopicLayout {
  replicationFactor: number;
  /** -1 keeps records forever. */
  retentionMs: number;
}

export interface OffsetRange {
  partition: number;
  /** First offset still in the log (retention may have removed earlier ones). */
  low: number;
  /** Next offset to be written. */
  high: number;
}

function toOffset(value: string, what: string): number {
  const offset = Number(value);
  if (!Number.isSafeInteger(offset)) {
    throw new StorageError('KAFKA_BAD_OFFSET', `Kafka returned ${what} ${value}, not a safe integer`, {
      details: { value, what },
    });
  }
  return offset;
}

/**
 * The admin-client side of the adapter: topic creation and layout, offsets
 * per partition and committed group offsets. Partition counts are cached:
 * they never shrink, and this adapter never grows them.
 */
export class KafkaAdmin {
  private readonly admin: Admin;
  private readonly partitionCounts = new Map<string, number>();
  private readonly creating = new Map<string, Promise<void>>();

  constructor(kafka: Kafka) {
    this.admin = kafka.admin();
  }

  connect(): Promise<void> {
    return kafkaCall('connecting the Kafka admin client', () => this.admin.connect());
  }

  disconnect(): Promise<void> {
    return kafkaCall('disconnecting the Kafka admin client', () => this.admin.disconnect());
  }

  /** Partitions of a broker topic; UNKNOWN_TOPIC (with the logical name) when it does not exist. */
  async partitionCount(topic: string, logical: string): Promise<number> {
    const cached = this.partitionCounts.get(topic);
    if (cached !== undefined) return cached;
    const count = await this.fetchPartitionCount(topic, logical);
    this.partitionCounts.set(topic, count);
    return count;
  }

  /** Creates the topic unless it exists; either way it must end up with `partitions` partitions. */
  async ensureTopic(topic: string, logical: string, partitions: number, layout: TopicLayout): Promise<void> {
    const known = this.partitionCounts.get(topic);
    if (known === undefined) {
      let pending = this.creating.get(topic);
      if (!pending) {
        pending = this.create(topic, partitions, layout).finally(() => this.creating.delete(topic));
        this.creating.set(topic, pending);
      }
      await pending;
    }
    const existing = await this.partitionCount(topic, logical);
    if (existing !== partitions) {
      throw new AppError(
        'PARTITION_COUNT_MISMATCH',
        `topic ${logical} has ${existing} partitions, not ${partitions}`,
        { details: { topic: logical, existing, requested: partitions } },
      );
    }
  }

  async offsetRanges(topic: string): Promise<OffsetRange[]> {
    const offsets = await kafkaCall('fetching topic offsets', () => this.admin.fetchTopicOffsets(topic), {
      topic,
    });
    return offsets
      .map((o) => ({ partition: o.partition, low: toOffset(o.low, 'low'), high: toOffset(o.high, 'high') }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** Per partition, the first offset with timestamp >= `timestamp` (end offset if none). */
  async offsetsForTimestamp(topic: string, timestamp: number): Promise<number[]> {
    const offsets = await kafkaCall(
      'fetching offsets by timestamp',
      () => this.admin.fetchTopicOffsetsByTimestamp(topic, timestamp),
      { topic, timestamp },
    );
    return offsets
      .sort((a, b) => a.partition - b.partition)
      .map((o) => toOffset(o.offset, 'offset for timestamp'));
  }

  /** Committed offsets of a group per partition; partitions without a commit get 0. */
  async committed(groupId: string, topic: string, partitions: number): Promise<number[]> {
    const result = await kafkaCall(
      'fetching committed offsets',
      () => this.admin.fetchOffsets({ groupId, topics: [topic] }),
      { groupId, topic },
    );
    const offsets = new Array<number>(partitions).fill(0);
    for (const { partition, offset } of result.find((t) => t.topic === topic)?.partitions ?? []) {
      const value = toOffset(offset, 'committed offset');
      if (partition < partitions && value >= 0) offsets[partition] = value;
    }
    return offsets;
  }

  /** The group's state as the coordinator reports it: Empty, Stable, PreparingRebalance, Dead, … */
  async groupState(groupId: string): Promise<string> {
    const { groups } = await kafkaCall('describing the consumer group', () =>
      this.admin.describeGroups([groupId]),
    );
    return groups.find((g) => g.groupId === groupId)?.state ?? 'Dead';
  }

  private async fetchPartitionCount(topic: string, logical: string): Promise<number> {
    const unknown = (cause?: unknown) =>
      new AppError('UNKNOWN_TOPIC', `topic ${JSON.stringify(logical)} does not exist`, {
        cause,
        details: { topic: logical },
      });
    let partitions: number;
    try {
      partitions = (await this.partitionMetadata(topic)).length;
    } catch (err) {
      throw err instanceof AppError && err.code === 'UNKNOWN_TOPIC' ? unknown(err) : err;
    }
    if (partitions === 0) throw unknown();
    return partitions;
  }

  private async create(topic: string, partitions: number, layout: TopicLayout): Promise<void> {
    await kafkaCall(
      'creating a topic',
      () =>
        this.admin.createTopics({
          topics: [
            {
              topic,
              numPartitions: partitions,
              replicationFactor: layout.replicationFactor,
              configEntries: [
                // The port passes producer timestamps through; a broker default of LogAppendTime would not.
                { name: 'message.timestamp.type', value: 'CreateTime' },
                { name: 'retention.ms', value: String(layout.retentionMs) },
              ],
            },
          ],
          waitForLeaders: true,
        }),
      { topic, partitions, ...layout },
    ).catch((err: unknown) => {
      // kafkajs's leader wait retries only LEADER_NOT_AVAILABLE; right after a broker starts,
      // its metadata can still call the topic it just created unknown.
      if (!(err instanceof AppError && err.code === 'UNKNOWN_TOPIC')) throw err;
      return retry(() => this.leadersElected(topic, partitions), {
        shouldRetry: (e) => isRetriable(e) || (e instanceof AppError && e.code === 'UNKNOWN_TOPIC'),
        operation: "waiting for the new topic's leaders",
      });
    });
  }

  private async leadersElected(topic: string, partitions: number): Promise<void> {
    const found = await this.partitionMetadata(topic);
    const led = found.filter((p) => p.leader >= 0).length;
    if (found.length < partitions || led < found.length) {
      throw new TransientError(
        'KAFKA_LEADER_NOT_AVAILABLE',
        `topic ${topic}: ${led} of ${partitions} partitions have a leader`,
        { details: { topic, partitions, led } },
      );
    }
  }

  /** The broker's partitions of a topic; none when its metadata does not list it. */
  private async partitionMetadata(topic: string): Promise<PartitionMetadata[]> {
    const { topics } = await kafkaCall('fetching topic metadata', () =>
      this.admin.fetchTopicMetadata({ topics: [topic] }),
    );
    return topics.find((t) => t.name === topic)?.partitions ?? [];
  }
}
