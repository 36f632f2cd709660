import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { IndexConsumer } from '../../indexer/consumer/index-consumer';
import { IndexerPipeline } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { fileBitmapSnapshots } from '../../indexer/postings/bitmap-snapshots';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import type { GeneratedEvent } from './event-stream';
import { pollUntil } from './poll';

/**
 * A throwaway embedded pipeline in a temp dir: log, KV store, every
 * consumer of the write path, and a bitmap replica.
 */
export class PipelineHarness {
  pipeline!: IndexerPipeline;
  follower!: BitmapFollower;

  private constructor(
    readonly dir: string,
    public log: EmbeddedEventLog,
    public kv: LmdbKvStore,
  ) {}

  static async create(): Promise<PipelineHarness> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pipeline-'));
    const h = new PipelineHarness(dir, ...(await PipelineHarness.openStores(dir)));
    await ensureTopics(h.log);
    return h;
  }

  private static async openStores(dir: string): Promise<[EmbeddedEventLog, LmdbKvStore]> {
    return [
      await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' }),
      await LmdbKvStore.open({ path: path.join(dir, 'kv') }),
    ];
  }

  async publish(events: GeneratedEvent[]): Promise<void> {
    await this.log.produce(
      TOPICS.postPublish,
      events.map((e) => ({ key: e.key, value: Buffer.from(JSON.stringify(e.raw)) })),
    );
  }

  /** `indexBatchSize` small makes events read state that earlier batches stored. */
  async start(options: { snapshot?: boolean; indexBatchSize?: number } = {}): Promise<void> {
    this.pipeline = await IndexerPipeline.start({
      log: this.log,
      kv: this.kv,
      indexBatchSize: options.indexBatchSize,
      counter: { flushEvents: 100, flushIntervalMs: 20 },
      trending: { flushEvents: 100, flushIntervalMs: 20 },
    });
    this.follower = await BitmapFollower.open({
      log: this.log,
      snapshots: options.snapshot ? fileBitmapSnapshots(path.join(this.dir, 'bitmaps.snap')) : undefined,
    });
    await this.follower.start();
  }

  get consumer(): IndexConsumer {
    return this.pipeline.index!;
  }

  async stop(): Promise<void> {
    await this.pipeline?.stop();
    await this.follower?.stop();
  }

  /** Waits until every consumer's checkpoints reach their topic's end and the replica has applied all of POSTINGS. */
  async caughtUp(): Promise<void> {
    await pollUntil(
      async () => (await this.pipeline.caughtUp()) && (await this.follower.caughtUp()),
      'the pipeline to catch up',
    );
  }

  /** Closes and reopens the stores, as a restarted process would. */
  async reopen(): Promise<void> {
    await this.stop();
    await this.log.close();
    await this.kv.close();
    [this.log, this.kv] = await PipelineHarness.openStores(this.dir);
  }

  async destroy(): Promise<void> {
    await this.stop();
    await this.log.close();
    await this.kv.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
