import { ValidationError } from '../../platform/errors';
import { type Clock, systemClock } from '../../platform/clock';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog, LogConsumer, RecordBatch } from '../../platform/ports/event-log';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import type { MediaIndex } from '../../platform/ports/media-index';
import type { SearchEntry, SearchIndex } from '../../platform/ports/search-index';
import { decodeEvent, type UploadEvent } from '../../schemas/events';
import { deadLetterOf, publishDeadLetters, type DeadLetter } from '../dead-letters/dead-letter';
import { hashtagDeltaRecord } from '../hashtag-delta-codec';
import { checkpointKey, KV } from '../kv-tables';
import { mediaChangesOf } from '../search/media-changes-of';
import { searchEntriesOf } from '../search/search-entries-of';
import { TOPICS } from '../topics';
import { ApplyContext } from './apply-context';
import { applyEvent } from './apply-event';
import { assignTombstoneIds } from './assign-tombstone-ids';
import { BatchState } from './batch-state';
import { dedupedByRecord } from './deduped-by-record';
import { IdAssigner } from './id-assigner';
import { loadDependentReads, prefetchBatch } from './load-reads';
import { OwnerCache, type CacheLimits } from './owner-cache';

export interface IndexConsumerOptions {
  log: EventLog;
  kv: KvStore;
  logger?: Logger;
  clock?: Clock;
  groupId?: string;
  maxBatchSize?: number;
  /** Where user and location typeahead entries go. */
  search?: SearchIndex;
  /** Where media documents go (distributed mode: Elasticsearch). */
  media?: MediaIndex;
  /** Records kept between batches, per table; see DEFAULT_CACHE_LIMITS. */
  cacheLimits?: CacheLimits;
}

export interface IndexBatchStats {
  partition: number;
  records: number;
  applied: number;
  ignored: number;
  duplicates: number;
  deadLetters: number;
  postingOps: number;
  hashtagDeltas: number;
  durationMs: number;
}

const CONSUMER = 'indexer';
/** Large enough that a catching-up consumer pays its per-batch costs (two commits, the produces) rarely. */
const DEFAULT_BATCH_SIZE = 5000;
/**
 * Records kept between batches: users, places, tags and edges recur across
 * batches, so most reads are served from memory. About 1 KiB per record at
 * most, so these bound the cache near 1 GiB; media records are read back
 * only by edits and deletes, so fewer are kept.
 */
export const DEFAULT_CACHE_LIMITS: CacheLimits = {
  [KV.users]: 250_000,
  [KV.locations]: 50_000,
  [KV.usernames]: 100_000,
  [KV.hashtagNames]: 250_000,
  [KV.follows]: 250_000,
  [KV.media]: 100_000,
};

/**
 * The index consumer: upload events in, documents and follow edges into the
 * KV store, posting changes to POSTINGS (bitmap replicas follow it) and
 * hashtag deltas to POST_HASHTAG (the repartition: re-keyed by hashtag for
 * the counters).
 *
 * Per batch it computes everything against the store as of its checkpoint,
 * publishes the derived records, and only then stores the documents with the
 * checkpoint in one KV batch. A crash in between re-runs the batch against
 * the same state: it re-publishes identical derived records, which the
 * readers of those topics tolerate (set operations repeat harmlessly; deltas
 * carry a seq the counters de-duplicate on).
 */
export class IndexConsumer {
  private consumer: LogConsumer | undefined;
  private readonly lag = new Map<number, number>();
  readonly totals = { records: 0, applied: 0, ignored: 0, duplicates: 0, deadLetters: 0, batches: 0 };
  private readonly logger: Logger;
  private readonly clock: Clock;
  private listeners: ((stats: IndexBatchStats) => void)[] = [];
  /** A failed batch may have left its KV write half-applied; finish it before recomputing against the store. */
  private recoverFirst = false;
  private batchesRunning = 0;
  private readonly cache: OwnerCache;

  private constructor(
    private readonly options: IndexConsumerOptions,
    private ids: IdAssigner,
  ) {
    this.logger = (options.logger ?? silentLogger).child({ component: 'index-consumer' });
    this.clock = options.clock ?? systemClock;
    this.cache = new OwnerCache(options.cacheLimits ?? DEFAULT_CACHE_LIMITS);
  }

  static async create(options: IndexConsumerOptions): Promise<IndexConsumer> {
    return new IndexConsumer(options, await IdAssigner.load(options.kv));
  }

  onBatch(listener: (stats: IndexBatchStats) => void): void {
    this.listeners.push(listener);
  }

  /** True while a batch is being applied: its checkpoint may be stored before its totals are counted. */
  get busy(): boolean {
    return this.batchesRunning > 0;
  }

  /** Records behind the log's end, per partition, as of the last batch read. */
  lagByPartition(): ReadonlyMap<number, number> {
    return this.lag;
  }

  async start(): Promise<void> {
    const { log, kv } = this.options;
    this.consumer = log.consumer({
      groupId: this.options.groupId ?? CONSUMER,
      topics: [TOPICS.postPublish],
      maxBatchSize: this.options.maxBatchSize ?? DEFAULT_BATCH_SIZE,
      // Dense ids have one allocator: one copy owns every partition, the others stand by.
      exclusive: true,
    });
    await this.consumer.run({
      // A standby taking over finishes the last batch a crash cut short, then reads the ids stored.
      // (Only the partitions' owner recovers: a standby replaying a live writer's batch could undo newer writes.)
      onAssign: async () => {
        // Another copy may have written since this one last owned the partitions.
        this.cache.clear();
        await kv.recover(CONSUMER);
        this.ids = await IdAssigner.load(kv);
        await assignTombstoneIds(kv, this.ids, this.logger);
      },
      // The checkpoint stored with the state is the truth; group offsets only report lag.
      startOffset: async (tp) =>
        (await kv.get<number>(KV.checkpoints, checkpointKey(CONSUMER, tp.topic, tp.partition))) ?? 0,
      eachBatch: (batch) => this.processBatch(batch),
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /** Search upserts are idempotent, so a batch re-run after a crash may send them again. */
  private async index(entries: SearchEntry[]): Promise<void> {
    const { search } = this.options;
    if (search === undefined || entries.length === 0) return;
    const { failed } = await search.upsert(entries);
    for (const f of failed) {
      this.logger.warn({ kind: f.kind, id: f.id, reason: f.reason }, 'entry not indexed for search');
    }
  }

  /** Idempotent like `index`: a re-run batch upserts and removes the same documents again. */
  private async indexMedia(ops: KvOp[]): Promise<void> {
    const { media } = this.options;
    if (media === undefined) return;
    const { upserts, removals } = mediaChangesOf(ops);
    if (upserts.length > 0) {
      const { failed } = await media.upsertMedia(upserts);
      for (const f of failed) this.logger.warn({ id: f.id, reason: f.reason }, 'media document not indexed');
    }
    if (removals.length > 0) await media.removeMedia(removals);
  }

  private async processBatch(batch: RecordBatch): Promise<void> {
    if (batch.records.length === 0) return;
    this.batchesRunning++;
    try {
      await this.applyBatch(batch);
    } finally {
      this.batchesRunning--;
    }
  }

  private async applyBatch(batch: RecordBatch): Promise<void> {
    const started = this.clock.now();
    const { log, kv } = this.options;
    const state = new BatchState(kv, this.cache);
    const ctx = new ApplyContext(state, this.ids);
    const deadLetters: DeadLetter[] = [];
    const stats = { applied: 0, ignored: 0, duplicates: 0 };
    try {
      if (this.recoverFirst) {
        await kv.recover(CONSUMER);
        this.recoverFirst = false;
      }
      const events: { event: UploadEvent; offset: number }[] = [];
      for (const record of batch.records) {
        try {
          events.push({ event: decodeEvent(record.value), offset: record.offset });
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          const why = err.issues.map((i) => `${i.field || '(event)'}: ${i.reason}`).join('; ');
          deadLetters.push(deadLetterOf(record, `${err.message}: ${why}`, err.issues, this.clock.now()));
        }
      }
      await prefetchBatch(
        ctx,
        events.map((e) => e.event),
      );
      for (const { event, offset } of events) {
        if (!dedupedByRecord(event)) {
          if (state.peek(KV.eventIds, event.eventId)) {
            stats.duplicates++;
            continue;
          }
          state.put(KV.eventIds, event.eventId, { partition: batch.partition, offset });
        }
        ctx.begin({ partition: batch.partition, offset, at: Date.parse(event.occurredAt) });
        const loading = loadDependentReads(ctx, event);
        if (loading) await loading;
        const outcome = applyEvent(ctx, event);
        stats[typeof outcome === 'string' ? outcome : await outcome]++;
      }
      const next = batch.records[batch.records.length - 1]!.offset + 1;
      state.put(KV.checkpoints, checkpointKey(CONSUMER, batch.topic, batch.partition), next);

      // New dense ids are stored before any record uses them (see IdAssigner).
      await this.ids.store(kv);
      const assignments = this.ids.unpublished();
      const ops = state.ops();
      // Independent of each other; all land before the state and checkpoint do.
      await Promise.all([
        ctx.postings.count > 0 || assignments.length > 0
          ? log.produce(TOPICS.postings, [{ key: 'postings', value: ctx.postings.finish(assignments) }])
          : undefined,
        ctx.deltas.length > 0
          ? log.produce(TOPICS.postHashtag, ctx.deltas.map(hashtagDeltaRecord))
          : undefined,
        publishDeadLetters(log, deadLetters),
        this.index(searchEntriesOf(ops)),
        this.indexMedia(ops),
      ]);
      await kv.batch([...this.ids.publishedOps(), ...ops], { writer: CONSUMER });
      this.ids.markPublished();
      await this.consumer?.commit([{ topic: batch.topic, partition: batch.partition, offset: next }]);
      this.lag.set(batch.partition, Math.max(0, batch.highWatermark - next));
      this.cache.trim();
    } catch (err) {
      this.ids.abort();
      // It may hold writes of this batch that were never stored.
      this.cache.clear();
      this.recoverFirst = true;
      this.logger.error(
        { err, partition: batch.partition, firstOffset: batch.records[0]?.offset },
        'index batch failed',
      );
      throw err;
    }
    for (const d of deadLetters) {
      this.logger.warn({ partition: d.partition, offset: d.offset, reason: d.reason }, 'event dead-lettered');
    }
    const result: IndexBatchStats = {
      partition: batch.partition,
      records: batch.records.length,
      ...stats,
      deadLetters: deadLetters.length,
      postingOps: ctx.postings.count,
      hashtagDeltas: ctx.deltas.length,
      durationMs: this.clock.now() - started,
    };
    this.totals.records += result.records;
    this.totals.applied += result.applied;
    this.totals.ignored += result.ignored;
    this.totals.duplicates += result.duplicates;
    this.totals.deadLetters += result.deadLetters;
    this.totals.batches++;
    for (const listener of this.listeners) listener(result);
  }
}
