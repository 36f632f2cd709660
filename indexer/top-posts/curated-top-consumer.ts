import { type Clock, systemClock } from '../../platform/clock';
import { ValidationError } from '../../platform/errors';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog, LogConsumer, RecordBatch } from '../../platform/ports/event-log';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import { deadLetterOf, publishDeadLetters, type DeadLetter } from '../dead-letters/dead-letter';
import type { TopPost } from '../documents/document-types';
import type { CuratedTopRecord, MediaRecord } from '../documents/records';
import { checkpointKey, KV } from '../kv-tables';
import { TOPICS } from '../topics';
import { decodeCuratedTopMessage, type CuratedTopMessage } from './curated-top-message';

export interface CuratedTopConsumerOptions {
  log: EventLog;
  kv: KvStore;
  logger?: Logger;
  clock?: Clock;
  /** Consumer group and checkpoint name; default 'curated-top'. */
  groupId?: string;
}

/**
 * Consumes HASHTAG_TOP: each record replaces a tag's curated top list,
 * hydrated with image URLs from the media documents. Posts unknown or
 * already deleted are left out. The list and the checkpoint are written in
 * one KV batch, so a redelivered record rewrites the same list.
 */
export class CuratedTopConsumer {
  private consumer: LogConsumer | undefined;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly groupId: string;
  readonly totals = { lists: 0, withdrawn: 0, missingPosts: 0, deadLetters: 0 };

  constructor(private readonly options: CuratedTopConsumerOptions) {
    this.groupId = options.groupId ?? 'curated-top';
    this.logger = (options.logger ?? silentLogger).child({ component: 'curated-top', groupId: this.groupId });
    this.clock = options.clock ?? systemClock;
  }

  async start(): Promise<void> {
    const { log, kv } = this.options;
    this.consumer = log.consumer({ groupId: this.groupId, topics: [TOPICS.hashtagTop], maxBatchSize: 100 });
    await this.consumer.run({
      startOffset: async (tp) => {
        await kv.recover(this.writerOf(tp.partition));
        return (
          (await kv.get<number>(KV.checkpoints, checkpointKey(this.groupId, tp.topic, tp.partition))) ?? 0
        );
      },
      eachBatch: (batch) => this.processBatch(batch),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  private async processBatch(batch: RecordBatch): Promise<void> {
    if (batch.records.length === 0) return;
    const deadLetters: DeadLetter[] = [];
    // Within a batch the last list for a tag wins, as it would one record at a time.
    const latest = new Map<string, CuratedTopMessage>();
    for (const record of batch.records) {
      try {
        const message = decodeCuratedTopMessage(record.value);
        latest.set(message.tag, message);
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        const why = err.issues.map((i) => `${i.field || '(record)'}: ${i.reason}`).join('; ');
        deadLetters.push(deadLetterOf(record, `${err.message}: ${why}`, err.issues, this.clock.now()));
      }
    }
    const ops = await this.listOps([...latest.values()]);
    const next = batch.records[batch.records.length - 1]!.offset + 1;
    ops.push({
      type: 'put',
      table: KV.checkpoints,
      key: checkpointKey(this.groupId, batch.topic, batch.partition),
      value: next,
    });
    await publishDeadLetters(this.options.log, deadLetters);
    // Counted before the checkpoint lands, so whoever sees the checkpoint sees the count.
    this.totals.deadLetters += deadLetters.length;
    await this.options.kv.batch(ops, { writer: this.writerOf(batch.partition) });
    for (const d of deadLetters)
      this.logger.warn({ offset: d.offset, reason: d.reason }, 'top list dead-lettered');
    await this.consumer?.commit([{ topic: batch.topic, partition: batch.partition, offset: next }]);
  }

  /** A batch covers one partition, whose owner is its only writer. */
  private writerOf(partition: number): string {
    return `${this.groupId}:${partition}`;
  }

  private async listOps(messages: CuratedTopMessage[]): Promise<KvOp[]> {
    const ids = [...new Set(messages.flatMap((m) => m.postIds))];
    const records = await this.options.kv.getMany<MediaRecord>(KV.media, ids);
    const imageOf = new Map<string, string>();
    records.forEach((rec, i) => {
      if (rec && !rec.deleted) imageOf.set(ids[i]!, rec.doc.imageUrl);
    });
    const updatedAt = new Date(this.clock.now()).toISOString();
    return messages.map((m): KvOp => {
      if (m.postIds.length === 0) {
        this.totals.withdrawn++;
        return { type: 'delete', table: KV.hashtagTop, key: m.tag };
      }
      const posts: TopPost[] = [];
      for (const id of m.postIds) {
        const imageUrl = imageOf.get(id);
        if (imageUrl !== undefined) posts.push({ id, imageUrl });
      }
      const missing = m.postIds.length - posts.length;
      if (missing > 0) {
        this.totals.missingPosts += missing;
        this.logger.info({ tag: m.tag, missing }, 'curated posts not found or deleted; left out');
      }
      this.totals.lists++;
      const record: CuratedTopRecord = { tag: m.tag, posts, updatedAt };
      return { type: 'put', table: KV.hashtagTop, key: m.tag, value: record };
    });
  }
}
