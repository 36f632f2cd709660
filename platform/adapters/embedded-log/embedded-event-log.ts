import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type Clock, systemClock } from '../../clock';
import { AppError, StorageError, ValidationError } from '../../errors';
import { fsyncDir, writeFileAtomic } from '../../fs/write-file-atomic';
import { type Logger, silentLogger } from '../../logger';
import type {
  ConsumerOptions,
  EventLog,
  LogConsumer,
  ProducedRecord,
  TopicPartitionOffset,
} from '../../ports/event-log';
import { type ConsumerHost, EmbeddedConsumer } from './embedded-consumer';
import { GroupOffsetStore } from './group-offset-store';
import { GROUPS_DIR, TOPIC_META_FILE, partitionDir, validateGroupId, validateTopicName } from './log-names';
import { type FsyncPolicy, PartitionLog } from './partition-log';
import { prepareProduceBatch } from './prepare-produce-batch';

export interface EmbeddedEventLogOptions {
  dir: string;
  /** 'always' (default): produce resolves after fdatasync. 'never': the OS decides. */
  fsync?: FsyncPolicy;
  /** A segment rolls once it would grow past this many bytes; default 64 MiB. */
  segmentBytes?: number;
  logger?: Logger;
  clock?: Clock;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const MAX_SEGMENT_BYTES = 1024 * 1024 * 1024;
const MAX_PARTITIONS = 10_000;
const TEMP_FILE = /\.tmp-\d+-\d+$/;

const topicMetaSchema = z.object({
  version: z.literal(1),
  topic: z.string(),
  partitions: z.number().int().min(1).max(MAX_PARTITIONS),
});

/** Directories open in this process: two writers on one log would corrupt it. */
const openDirs = new Set<string>();

/**
 * A Kafka-like event log on local disk for embedded mode: per topic a fixed
 * number of partitions, each an append-only sequence of CRC-checked segment
 * files; committed offsets per consumer group in small JSON files. See
 * README.md in this folder for the format, fsync policy and recovery rules.
 */
export class EmbeddedEventLog implements EventLog {
  private readonly dir: string;
  private readonly fsync: FsyncPolicy;
  private readonly segmentBytes: number;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly creating = new Map<string, Promise<void>>();
  private readonly groups: GroupOffsetStore;
  private readonly runningGroups = new Map<string, EmbeddedConsumer>();
  private readonly host: ConsumerHost;
  private initializing: Promise<void> | undefined;
  private ownsDir = false;
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(options: EmbeddedEventLogOptions) {
    if (typeof options?.dir !== 'string' || options.dir.length === 0) {
      throw new ValidationError('dir must be a non-empty path', [{ field: 'dir', reason: 'missing' }]);
    }
    const fsync = options.fsync ?? 'always';
    if (fsync !== 'always' && fsync !== 'never') {
      throw new ValidationError(`unknown fsync policy ${JSON.stringify(fsync)}`, [
        { field: 'fsync', reason: "must be 'always' or 'never'" },
      ]);
    }
    const segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new ValidationError(`segmentBytes must be an integer in [1, ${MAX_SEGMENT_BYTES}]`, [
        { field: 'segmentBytes', reason: 'out of range' },
      ]);
    }
    this.dir = path.resolve(options.dir);
    this.fsync = fsync;
    this.segmentBytes = segmentBytes;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.groups = new GroupOffsetStore(path.join(this.dir, GROUPS_DIR));
    this.host = {
      logger: this.logger,
      clock: this.clock,
      partitions: (topic) => this.partitionsOf(topic),
      commit: (groupId, offsets) => this.commit(groupId, offsets),
      committed: (groupId, topic) => this.committed(groupId, topic),
      acquireGroup: (groupId, consumer) => {
        const holder = this.runningGroups.get(groupId);
        if (holder && holder !== consumer) {
          throw new AppError('GROUP_BUSY', `consumer group ${groupId} already has a running consumer`, {
            details: { groupId },
          });
        }
        this.runningGroups.set(groupId, consumer);
      },
      releaseGroup: (groupId, consumer) => {
        if (this.runningGroups.get(groupId) === consumer) this.runningGroups.delete(groupId);
      },
    };
  }

  /** Constructs the log and recovers what is on disk before resolving. */
  static async open(options: EmbeddedEventLogOptions): Promise<EmbeddedEventLog> {
    const log = new EmbeddedEventLog(options);
    await log.ready();
    return log;
  }

  async ensureTopic(topic: string, options: { partitions: number }): Promise<void> {
    validateTopicName(topic);
    const partitions = options?.partitions;
    if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new ValidationError(`partitions must be an integer in [1, ${MAX_PARTITIONS}]`, [
        { field: 'partitions', reason: 'out of range' },
      ]);
    }
    await this.ready();
    for (;;) {
      const existing = this.topics.get(topic);
      if (existing) {
        if (existing.length !== partitions) {
          throw new AppError(
            'PARTITION_COUNT_MISMATCH',
            `topic ${topic} has ${existing.length} partitions, not ${partitions}`,
            { details: { topic, existing: existing.length, requested: partitions } },
          );
        }
        return;
      }
      const pending = this.creating.get(topic);
      if (pending) {
        await pending.catch(() => undefined);
        continue;
      }
      const creation = this.createTopic(topic, partitions);
      this.creating.set(topic, creation);
      try {
        await creation;
      } finally {
        this.creating.delete(topic);
      }
    }
  }

  async partitionCount(topic: string): Promise<number> {
    return (await this.partitionsOf(topic)).length;
  }

  async produce(topic: string, records: ProducedRecord[]): Promise<TopicPartitionOffset[]> {
    const logs = await this.partitionsOf(topic);
    const batch = prepareProduceBatch(records, logs.length, this.clock.now());
    const firstOffsets = new Array<number>(logs.length);
    const done: Promise<void>[] = [];
    batch.byPartition.forEach((list, partition) => {
      if (list.length === 0) return;
      const appended = logs[partition].append(list);
      firstOffsets[partition] = appended.firstOffset;
      done.push(appended.done);
    });
    await Promise.all(done);
    const result = new Array<TopicPartitionOffset>(batch.partitionOf.length);
    for (let i = 0; i < result.length; i++) {
      const partition = batch.partitionOf[i];
      result[i] = { topic, partition, offset: firstOffsets[partition] + batch.indexInPartition[i] };
    }
    return result;
  }

  async endOffsets(topic: string): Promise<TopicPartitionOffset[]> {
    const logs = await this.partitionsOf(topic);
    return logs.map((log, partition) => ({ topic, partition, offset: log.endOffset }));
  }

  async offsetsForTimestamp(topic: string, timestamp: number): Promise<TopicPartitionOffset[]> {
    if (typeof timestamp !== 'number' || Number.isNaN(timestamp)) {
      throw new ValidationError('timestamp must be a number', [
        { field: 'timestamp', reason: 'not a number' },
      ]);
    }
    const logs = await this.partitionsOf(topic);
    const offsets = await Promise.all(logs.map((log) => log.offsetForTimestamp(timestamp)));
    return offsets.map((offset, partition) => ({ topic, partition, offset }));
  }

  consumer(options: ConsumerOptions): LogConsumer {
    const groupId = validateGroupId(options?.groupId);
    if (!Array.isArray(options.topics) || options.topics.length === 0) {
      throw new ValidationError('a consumer needs at least one topic', [
        { field: 'topics', reason: 'empty' },
      ]);
    }
    const topics = [...new Set(options.topics.map((topic, i) => validateTopicName(topic, `topics[${i}]`)))];
    const maxBatchSize = options.maxBatchSize ?? 1000;
    if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new ValidationError('maxBatchSize must be a positive integer', [
        { field: 'maxBatchSize', reason: 'not a positive integer' },
      ]);
    }
    return new EmbeddedConsumer(this.host, { groupId, topics, maxBatchSize });
  }

  /** Stops running consumers (they get onRevoke), waits for pending writes, closes the files. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const consumer of [...this.runningGroups.values()]) {
      await consumer.stop().catch((err: unknown) => this.logger.error({ err }, 'stopping a consumer failed'));
    }
    this.closed = true;
    await this.initializing?.catch(() => undefined);
    await this.groups.drain();
    await Promise.all([...this.topics.values()].flat().map((log) => log.close()));
    this.topics.clear();
    if (this.ownsDir) openDirs.delete(this.dir);
  }

  private ready(): Promise<void> {
    if (this.closed) return Promise.reject(new AppError('LOG_CLOSED', 'the event log is closed'));
    this.initializing ??= this.init();
    return this.initializing;
  }

  private async init(): Promise<void> {
    if (openDirs.has(this.dir)) {
      throw new AppError('LOG_DIR_IN_USE', `${this.dir} is already open in this process`, {
        details: { dir: this.dir },
      });
    }
    openDirs.add(this.dir);
    this.ownsDir = true;
    try {
      const groupsDir = path.join(this.dir, GROUPS_DIR);
      await mkdir(groupsDir, { recursive: true });
      await removeTempFiles(groupsDir);
      for (const entry of await readdir(this.dir, { withFileTypes: true })) {
        if (!entry.isDirectory() || entry.name.startsWith('__')) continue;
        const meta = await this.readTopicMeta(entry.name);
        if (meta === undefined) continue;
        this.topics.set(entry.name, await this.openPartitions(entry.name, meta.partitions));
      }
    } catch (err) {
      await Promise.all([...this.topics.values()].flat().map((log) => log.close()));
      this.topics.clear();
      openDirs.delete(this.dir);
      this.ownsDir = false;
      throw err;
    }
  }

  private async readTopicMeta(topic: string): Promise<{ partitions: number } | undefined> {
    const file = path.join(this.dir, topic, TOPIC_META_FILE);
    await removeTempFiles(path.dirname(file));
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      // ensureTopic writes topic.json last, so this is a creation cut short; ensureTopic will finish it.
      this.logger.warn({ dir: path.dirname(file) }, 'ignoring topic directory without topic.json');
      return undefined;
    }
    let parsed: ReturnType<typeof topicMetaSchema.safeParse>;
    try {
      parsed = topicMetaSchema.safeParse(JSON.parse(text));
    } catch (err) {
      throw new StorageError('TOPIC_META_CORRUPT', `${file} is not valid JSON`, {
        cause: err,
        details: { file },
      });
    }
    if (!parsed.success || parsed.data.topic !== topic) {
      throw new StorageError('TOPIC_META_CORRUPT', `${file} does not describe topic ${topic}`, {
        cause: parsed.error,
        details: { file },
      });
    }
    return parsed.data;
  }

  private async openPartitions(topic: string, partitions: number): Promise<PartitionLog[]> {
    const opened = await Promise.allSettled(
      Array.from({ length: partitions }, (_, partition) =>
        PartitionLog.open({
          dir: partitionDir(this.dir, topic, partition),
          topic,
          partition,
          fsync: this.fsync,
          segmentBytes: this.segmentBytes,
          logger: this.logger,
        }),
      ),
    );
    const failed = opened.find((result) => result.status === 'rejected');
    const logs = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    if (failed) {
      await Promise.all(logs.map((log) => log.close()));
      throw failed.reason;
    }
    return logs;
  }

  /** Partition directories and first segments first, topic.json last: its presence means complete. */
  private async createTopic(topic: string, partitions: number): Promise<void> {
    const topicDir = path.join(this.dir, topic);
    await mkdir(topicDir, { recursive: true });
    const logs = await this.openPartitions(topic, partitions);
    try {
      await fsyncDir(topicDir);
      await fsyncDir(this.dir);
      const meta = { version: 1, topic, partitions };
      await writeFileAtomic(path.join(topicDir, TOPIC_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    } catch (err) {
      await Promise.all(logs.map((log) => log.close()));
      throw err;
    }
    this.topics.set(topic, logs);
  }

  private async partitionsOf(topic: string): Promise<PartitionLog[]> {
    await this.ready();
    const logs = this.topics.get(topic);
    if (!logs) {
      throw new AppError('UNKNOWN_TOPIC', `topic ${JSON.stringify(topic)} does not exist`, {
        details: { topic },
      });
    }
    return logs;
  }

  private async commit(groupId: string, offsets: TopicPartitionOffset[]): Promise<void> {
    if (!Array.isArray(offsets)) {
      throw new ValidationError('commit expects an array of offsets', [
        { field: 'offsets', reason: 'not an array' },
      ]);
    }
    for (let i = 0; i < offsets.length; i++) {
      const { topic, partition, offset } = offsets[i];
      const logs = await this.partitionsOf(topic);
      if (!Number.isSafeInteger(partition) || partition < 0 || partition >= logs.length) {
        throw new ValidationError(`offsets[${i}]: topic ${topic} has no partition ${String(partition)}`, [
          { field: `[${i}].partition`, reason: `not in [0, ${logs.length - 1}]` },
        ]);
      }
      const end = logs[partition].endOffset;
      if (!Number.isSafeInteger(offset) || offset < 0 || offset > end) {
        throw new ValidationError(`offsets[${i}]: offset ${String(offset)} is outside [0, ${end}]`, [
          { field: `[${i}].offset`, reason: `not in [0, ${end}]` },
        ]);
      }
    }
    await this.groups.commit(groupId, offsets);
  }

  private async committed(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    const logs = await this.partitionsOf(topic);
    return this.groups.committed(groupId, topic, logs.length);
  }
}

/** Leftovers of writeFileAtomic calls cut short by a crash. */
async function removeTempFiles(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (TEMP_FILE.test(name)) await rm(path.join(dir, name), { force: true });
  }
}
