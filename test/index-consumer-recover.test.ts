import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IndexerPipeline } from '../indexer/indexer-pipeline';
import { BitmapFollower } from '../indexer/postings/bitmap-follower';
import { ensureTopics, TOPICS } from '../indexer/topics';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import { TransientError } from '../platform/errors';
import type { KvBatchOptions, KvOp, KvScanOptions, KvStore } from '../platform/ports/kv-store';
import { generateEventStream } from './support/event-stream';
import { expectModelState } from './support/expect-model-state';
import { pollUntil } from './support/poll';

/**
 * A store without transactions, as Cassandra is: some writer batches land
 * only in part and fail, leaving their redo record pending until recover().
 */
class HalfApplyingKv implements KvStore {
  failEvery = 3;
  failures = 0;
  private writerBatches = 0;
  private readonly pending = new Map<string, KvOp[]>();

  constructor(private readonly inner: KvStore) {}

  get<T>(table: string, key: string): Promise<T | undefined> {
    return this.inner.get<T>(table, key);
  }
  getMany<T>(table: string, keys: string[]): Promise<(T | undefined)[]> {
    return this.inner.getMany<T>(table, keys);
  }
  async batch(ops: KvOp[], options?: KvBatchOptions): Promise<void> {
    const writer = options?.writer;
    if (writer && ++this.writerBatches % this.failEvery === 0) {
      this.failures++;
      this.pending.set(writer, ops);
      // The first half lands (a table run or two), then the store fails.
      await this.inner.batch(ops.slice(0, Math.floor(ops.length / 2)));
      throw new TransientError('TEST_PARTIAL_WRITE', 'the store failed midway through the batch');
    }
    await this.inner.batch(ops);
    if (writer) this.pending.delete(writer);
  }
  async recover(writer: string): Promise<boolean> {
    const ops = this.pending.get(writer);
    if (!ops) return false;
    await this.inner.batch(ops);
    this.pending.delete(writer);
    return true;
  }
  scan<T>(table: string, options?: KvScanOptions): AsyncIterable<[string, T]> {
    return this.inner.scan<T>(table, options);
  }
  count(table: string): Promise<number> {
    return this.inner.count(table);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('the write path on a store whose batches can land in part', () => {
  it('finishes a half-applied batch before redoing it, so nothing is skipped as a duplicate', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'recover-'));
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    const inner = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    const kv = new HalfApplyingKv(inner);
    const follower = await BitmapFollower.open({ log });
    let pipeline: IndexerPipeline | undefined;
    try {
      await ensureTopics(log);
      const events = generateEventStream(5, 1500);
      await log.produce(
        TOPICS.postPublish,
        events.map((e) => ({ key: e.key, value: Buffer.from(JSON.stringify(e.raw)) })),
      );
      await follower.start();
      // The counter writes as a writer too (hashtag pages need its counts); it retries the same ops.
      pipeline = await IndexerPipeline.start({
        log,
        kv,
        roles: ['index', 'counter'],
        indexBatchSize: 50,
        counter: { flushEvents: 100, flushIntervalMs: 20 },
        retryPolicy: { initialDelayMs: 1, maxDelayMs: 5 },
      });
      await pollUntil(
        async () => (await pipeline!.caughtUp()) && (await follower.caughtUp()),
        'the write path to get through every failure',
        60_000,
      );
      expect(kv.failures).toBeGreaterThanOrEqual(5);
      await expectModelState(inner, follower.index, events);
    } finally {
      await pipeline?.stop();
      await follower.stop();
      await inner.close();
      await log.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
