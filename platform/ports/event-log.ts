/**
 * The event log port, modelled on a Kafka topic: keyed records, partitions
 * chosen by key, ordered offsets per partition, and committed offsets per
 * consumer group. Offsets are plain numbers (exact up to 2^53).
 */
export interface ProducedRecord {
  key: string;
  value: Buffer;
  /** Milliseconds since the epoch; the log stamps the append time when absent. */
  timestamp?: number;
}

export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  value: Buffer;
  timestamp: number;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read, as in Kafka: one past the last record processed. */
  offset: number;
}

export interface RecordBatch extends TopicPartition {
  records: LogRecord[];
  /** The partition's end offset when the batch was read; lag = highWatermark - next offset. */
  highWatermark: number;
}

export interface ConsumerHandlers {
  /**
   * Called with records of one partition in offset order. The batch is not
   * committed by the log: the handler decides when its state is durable.
   */
  eachBatch(batch: RecordBatch): Promise<void>;
  /** Where to start a partition; defaults to the group's committed offset, else 0. */
  startOffset?(tp: TopicPartition): Promise<number | undefined>;
  /** Before partitions are taken away (rebalance or stop): flush and commit here. */
  onRevoke?(partitions: TopicPartition[]): Promise<void>;
  onAssign?(partitions: TopicPartition[]): Promise<void>;
}

export interface LogConsumer {
  /** Starts consuming; resolves once the consumer has joined and begun fetching. */
  run(handlers: ConsumerHandlers): Promise<void>;
  commit(offsets: TopicPartitionOffset[]): Promise<void>;
  committed(topic: string): Promise<TopicPartitionOffset[]>;
  /** Stops fetching, lets a running batch finish, calls onRevoke, then leaves. */
  stop(): Promise<void>;
}

export interface ConsumerOptions {
  groupId: string;
  topics: string[];
  /** Upper bound on records handed to one eachBatch call. */
  maxBatchSize?: number;
  /**
   * One member of the group owns every partition; other members stand by
   * and take over when it leaves. For single-writer consumers. Default false.
   */
  exclusive?: boolean;
}

export interface EventLog {
  ensureTopic(topic: string, options: { partitions: number }): Promise<void>;
  partitionCount(topic: string): Promise<number>;
  /** Appends records; each goes to the partition its key hashes to. Resolves when durable. */
  produce(topic: string, records: ProducedRecord[]): Promise<TopicPartitionOffset[]>;
  /** Next offset to be written, per partition. */
  endOffsets(topic: string): Promise<TopicPartitionOffset[]>;
  /** First offset whose timestamp is at or after `timestamp`, per partition (end offset if none). */
  offsetsForTimestamp(topic: string, timestamp: number): Promise<TopicPartitionOffset[]>;
  consumer(options: ConsumerOptions): LogConsumer;
  close(): Promise<void>;
}
