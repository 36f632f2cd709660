import type { Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import { AppError, StorageError } from '../../errors';
import type { Logger } from '../../logger';
import { kafkaRetry } from './kafka-client';
import { kafkaCall } from './kafka-errors';
import type { KafkaSettings } from './kafka-settings';
import type { PreparedRecord } from './prepare-kafka-records';

/** Part of one produce call, small enough for one request. */
interface Part {
  topic: string;
  records: PreparedRecord[];
  bytes: number;
  resolve(offsets: number[]): void;
  reject(err: unknown): void;
}

/**
 * The idempotent producer behind `produce`. Sends go out one at a time:
 * kafkajs rolls a partition's sequence number back when a send fails, so a
 * second send overlapping a failed one could reuse its sequence numbers and
 * be taken by the broker for a duplicate and dropped. Calls waiting behind a
 * send are merged into the next request, so concurrency still pays off.
 * After a send fails for good the kafkajs producer is replaced: a fresh
 * producer id restarts sequence numbers, whatever the broker kept.
 */
export class KafkaProducer {
  private producer: Producer;
  private connected = false;
  private readonly queue: Part[] = [];
  /** Set and cleared synchronously, so a call never queues behind a loop that has already ended. */
  private sending = false;
  private draining: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: KafkaSettings,
    private readonly logger: Logger,
  ) {
    this.producer = this.newProducer();
  }

  async connect(): Promise<void> {
    await kafkaCall('connecting the Kafka producer', () => this.producer.connect());
    this.connected = true;
  }

  /** Appends records to one broker topic; resolves with each record's offset once all are acknowledged. */
  async produce(topic: string, records: PreparedRecord[]): Promise<number[]> {
    if (this.closed) throw new AppError('LOG_CLOSED', 'the event log is closed');
    if (records.length === 0) return [];
    const done = this.split(topic, records).map(
      (part) =>
        new Promise<number[]>((resolve, reject) => {
          this.queue.push({ ...part, resolve, reject });
        }),
    );
    if (!this.sending) {
      this.sending = true;
      this.draining = this.drain();
    }
    const results = await Promise.allSettled(done);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
  }

  /** Waits for queued sends, then disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.sending) await this.draining;
    if (this.connected) {
      this.connected = false;
      await kafkaCall('disconnecting the Kafka producer', () => this.producer.disconnect());
    }
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: kafkaRetry(this.settings),
      // Records carry their partition already (partitionForKey), so kafkajs must not pick one.
      createPartitioner: () => (args) => args.message.partition!,
    });
  }

  private split(topic: string, records: PreparedRecord[]): Omit<Part, 'resolve' | 'reject'>[] {
    const parts: Omit<Part, 'resolve' | 'reject'>[] = [];
    let current: PreparedRecord[] = [];
    let bytes = 0;
    for (const record of records) {
      if (current.length > 0 && bytes + record.bytes > this.settings.maxRequestBytes) {
        parts.push({ topic, records: current, bytes });
        current = [];
        bytes = 0;
      }
      current.push(record);
      bytes += record.bytes;
    }
    parts.push({ topic, records: current, bytes });
    return parts;
  }

  /** Sends until the queue is empty; clears `sending` in the same tick as the last empty check. */
  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch: Part[] = [this.queue.shift()!];
        let bytes = batch[0].bytes;
        while (this.queue.length > 0 && bytes + this.queue[0].bytes <= this.settings.maxRequestBytes) {
          bytes += this.queue[0].bytes;
          batch.push(this.queue.shift()!);
        }
        await this.send(batch);
      }
    } finally {
      this.sending = false;
    }
  }

  private async send(batch: Part[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    // For each part, the index of each of its records within its topic-partition in this request.
    const positions = batch.map((part) => {
      let messages = byTopic.get(part.topic);
      if (!messages) byTopic.set(part.topic, (messages = []));
      return part.records.map((record) => {
        messages.push(record.message);
        return record.message.partition;
      });
    });
    let metadata: RecordMetadata[];
    try {
      if (!this.connected) await this.connect();
      metadata = await kafkaCall('producing records', () =>
        this.producer.sendBatch({
          acks: -1,
          timeout: this.settings.requestTimeoutMs,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        }),
      );
    } catch (err) {
      for (const part of batch) part.reject(err);
      await this.replaceProducer();
      return;
    }
    const next = new Map<string, number>();
    for (const m of metadata) next.set(`${m.topicName}\0${m.partition}`, Number(m.baseOffset));
    batch.forEach((part, i) => {
      const offsets = positions[i].map((partition) => {
        const key = `${part.topic}\0${partition}`;
        const offset = next.get(key);
        if (offset === undefined || !Number.isSafeInteger(offset)) return undefined;
        next.set(key, offset + 1);
        return offset;
      });
      if (offsets.some((o) => o === undefined)) {
        part.reject(
          new StorageError('KAFKA_NO_OFFSET', 'Kafka acknowledged a produce request without an offset', {
            details: { topic: part.topic },
          }),
        );
      } else {
        part.resolve(offsets as number[]);
      }
    });
  }

  private async replaceProducer(): Promise<void> {
    const old = this.producer;
    this.producer = this.newProducer();
    this.connected = false;
    await old.disconnect().catch((err: unknown) => {
      this.logger.warn({ err }, 'disconnecting a failed Kafka producer failed');
    });
  }
}
