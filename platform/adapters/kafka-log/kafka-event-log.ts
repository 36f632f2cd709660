import type { Kafka } from 'kafkajs';
import { AppError, ValidationError } from '../../errors';
import type { Logger } from '../../logger';
import type {
  ConsumerOptions,
  EventLog,
  LogConsumer,
  ProducedRecord,
  TopicPartitionOffset,
} from '../../ports/event-log';
import { KafkaAdmin } from './kafka-admin';
import { createKafkaClient } from './kafka-client';
import { KafkaConsumer, type KafkaConsumerHost } from './kafka-consumer';
import { KafkaNames } from './kafka-names';
import { KafkaProducer } from './kafka-producer';
import { type KafkaEventLogOptions, type KafkaSettings, kafkaSettings } from './kafka-settings';
import { prepareKafkaRecords } from './prepare-kafka-records';

/** The embedded log's limit, so a topic layout works in both modes. */
const MAX_PARTITIONS = 10_000;

/**
 * The EventLog port on a Kafka cluster through kafkajs: topics named
 * `<topicPrefix><topic>`, keys partitioned with murmur2 exactly like the
 * embedded log, an idempotent producer with acks=all, and consumer groups
 * with manual commits. See README.md in this folder for what differs from
 * the embedded log.
 */
export class KafkaEventLog implements EventLog {
  private readonly settings: KafkaSettings;
  private readonly logger: Logger;
  private readonly names: KafkaNames;
  private readonly kafka: Kafka;
  private readonly admin: KafkaAdmin;
  private readonly producer: KafkaProducer;
  private readonly running = new Set<KafkaConsumer>();
  private readonly host: KafkaConsumerHost;
  private closing: Promise<void> | undefined;
  private closed = false;

  private constructor(options: KafkaEventLogOptions) {
    this.settings = kafkaSettings(options);
    this.logger = this.settings.logger;
    this.names = new KafkaNames(this.settings.topicPrefix, this.settings.groupIdPrefix);
    this.kafka = createKafkaClient(this.settings);
    this.admin = new KafkaAdmin(this.kafka);
    this.producer = new KafkaProducer(this.kafka, this.settings, this.logger);
    this.host = {
      settings: this.settings,
      names: this.names,
      admin: this.admin,
      kafka: this.kafka,
      logger: this.logger,
      partitionCount: (topic) => this.partitionCount(topic),
      started: (consumer) => this.running.add(consumer),
      stopped: (consumer) => this.running.delete(consumer),
    };
  }

  /** Checks the options, connects the admin client and the producer. */
  static async connect(options: KafkaEventLogOptions): Promise<KafkaEventLog> {
    const log = new KafkaEventLog(options);
    try {
      await log.admin.connect();
      await log.producer.connect();
    } catch (err) {
      await log.close().catch(() => undefined);
      throw err;
    }
    return log;
  }

  async ensureTopic(topic: string, options: { partitions: number }): Promise<void> {
    const brokerTopic = this.names.topic(topic);
    const partitions = options?.partitions;
    if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new ValidationError(`partitions must be an integer in [1, ${MAX_PARTITIONS}]`, [
        { field: 'partitions', reason: 'out of range' },
      ]);
    }
    this.throwIfClosed();
    const { replicationFactor, retentionMs } = this.settings;
    await this.admin.ensureTopic(brokerTopic, topic, partitions, { replicationFactor, retentionMs });
  }

  async partitionCount(topic: string): Promise<number> {
    const brokerTopic = this.names.topic(topic);
    this.throwIfClosed();
    return this.admin.partitionCount(brokerTopic, topic);
  }

  async produce(topic: string, records: ProducedRecord[]): Promise<TopicPartitionOffset[]> {
    const brokerTopic = this.names.topic(topic);
    const partitions = await this.partitionCount(topic);
    const prepared = prepareKafkaRecords(records, partitions, Date.now());
    const offsets = await this.producer.produce(brokerTopic, prepared);
    return prepared.map((record, i) => ({ topic, partition: record.message.partition, offset: offsets[i] }));
  }

  async endOffsets(topic: string): Promise<TopicPartitionOffset[]> {
    const brokerTopic = this.names.topic(topic);
    await this.partitionCount(topic);
    const ranges = await this.admin.offsetRanges(brokerTopic);
    return ranges.map(({ partition, high }) => ({ topic, partition, offset: high }));
  }

  async offsetsForTimestamp(topic: string, timestamp: number): Promise<TopicPartitionOffset[]> {
    if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) {
      throw new ValidationError('timestamp must be a number', [
        { field: 'timestamp', reason: 'not a number' },
      ]);
    }
    const brokerTopic = this.names.topic(topic);
    await this.partitionCount(topic);
    // Kafka timestamps are non-negative integers, and negative targets are its special offsets.
    if (timestamp > Number.MAX_SAFE_INTEGER) return this.endOffsets(topic);
    const target = Math.max(0, Math.ceil(timestamp));
    const offsets = await this.admin.offsetsForTimestamp(brokerTopic, target);
    return offsets.map((offset, partition) => ({ topic, partition, offset }));
  }

  consumer(options: ConsumerOptions): LogConsumer {
    this.throwIfClosed();
    if (!Array.isArray(options?.topics) || options.topics.length === 0) {
      throw new ValidationError('a consumer needs at least one topic', [
        { field: 'topics', reason: 'empty' },
      ]);
    }
    const maxBatchSize = options.maxBatchSize ?? 1000;
    if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new ValidationError('maxBatchSize must be a positive integer', [
        { field: 'maxBatchSize', reason: 'not a positive integer' },
      ]);
    }
    return new KafkaConsumer(this.host, {
      groupId: options.groupId,
      topics: [...new Set(options.topics)],
      maxBatchSize,
      exclusive: options.exclusive === true,
    });
  }

  /** Stops running consumers (they get onRevoke), waits for pending produce calls, disconnects. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    for (const consumer of [...this.running]) {
      await consumer.stop().catch((err: unknown) => this.logger.error({ err }, 'stopping a consumer failed'));
    }
    await this.producer
      .close()
      .catch((err: unknown) => this.logger.warn({ err }, 'closing the producer failed'));
    await this.admin
      .disconnect()
      .catch((err: unknown) => this.logger.warn({ err }, 'closing the admin failed'));
  }

  private throwIfClosed(): void {
    if (this.closed) throw new AppError('LOG_CLOSED', 'the event log is closed');
  }
}
