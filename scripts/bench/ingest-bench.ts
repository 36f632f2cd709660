/**
 * `npm run bench -- ingest [--posts N] [--mode distributed]`: the whole write path.
 * Upload events (users, locations, follows, then posts with 1–6 Zipf tags)
 * are appended to the embedded log, then the index consumer (documents,
 * postings, repartition, the typeahead feed), the curated-top consumer, the
 * counting worker, trending and a bitmap replica run, wired as the embedded
 * service wires them, until all have caught up; a second table
 * says when each did. The baseline, measured in the same run, is a consumer
 * that only reads and validates the same events: the ceiling the log and the
 * schemas allow. The log floor adds the repartition and the delta reads,
 * still with no state, which bounds the pipeline on two cores. With
 * `--mode distributed`, see distributed-ingest-bench.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkpointsReached } from '../../indexer/checkpoints-reached';
import { IndexerPipeline } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../../platform/adapters/memory-search';
import { runDistributedIngest } from './distributed-ingest-bench';
import { appendEvents, DEFAULT_FLAGS, generate, readAndValidate } from './support/ingest-events';
import { printCaughtUp, waitCaughtUp } from './support/caught-up-times';
import { measureLogFloor } from './support/log-floor';
import { printTable } from './support/print-table';
import { parseFlags } from './support/seeded-random';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    ...DEFAULT_FLAGS,
    mode: 'embedded',
    fsync: 'never',
    kvSync: 'always',
  });
  if (flags.mode === 'distributed') return runDistributedIngest(flags, argv.includes('--posts'));
  if (flags.mode !== 'embedded') throw new Error(`--mode ${flags.mode}: must be embedded or distributed`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-ingest-bench-'));
  try {
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: flags.fsync as 'never' });
    await ensureTopics(log);
    const { records, posts, tagsPerPost } = generate(flags);
    console.log(
      `ingest benchmark: ${posts.toLocaleString()} posts (${tagsPerPost.toFixed(2)} tags/post over ` +
        `${flags.tags.toLocaleString()} tags, Zipf s=${flags.zipf}), ${flags.users} users, ${flags.locations} ` +
        `locations, ${flags.follows} follows; ${records.length.toLocaleString()} events; log fsync ${flags.fsync}`,
    );
    let started = performance.now();
    await appendEvents(log, records);
    const produceSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    await readAndValidate(log, records.length);
    const baselineSeconds = (performance.now() - started) / 1000;

    const kv = LmdbKvStore.open({ path: path.join(dir, 'kv'), noSync: flags.kvSync === 'never' });
    const counter = { flushes: 0, kvWrites: 0, events: 0 };
    started = performance.now();
    const follower = await BitmapFollower.open({ log, groupId: 'bench-bitmaps' });
    await follower.start();
    const search = MemorySearchIndex.create();
    // A short flush interval, so the measurement ends when the work does, not at the next timed flush.
    const pipeline = await IndexerPipeline.start({
      log,
      kv,
      search,
      counter: { flushIntervalMs: 200, cacheCounts: true },
      trending: { flushIntervalMs: 200 },
      onFlush: (consumer, s) => {
        if (consumer !== 'counter') return;
        counter.flushes++;
        counter.kvWrites += s.kvWrites;
        counter.events += s.events;
      },
    });
    const indexBatches = { batches: 0, records: 0, ms: 0 };
    pipeline.index!.onBatch((b) => {
      indexBatches.batches++;
      indexBatches.records += b.records;
      indexBatches.ms += b.durationMs;
    });
    // They share one thread, so the consumer that catches up last sets the pace.
    const { seconds: pipelineSeconds, caughtUpAt } = await waitCaughtUp(
      [
        ['index consumer', () => checkpointsReached(log, kv, 'indexer', TOPICS.postPublish)],
        ['counting worker', () => checkpointsReached(log, kv, 'counter', TOPICS.postHashtag)],
        ['trending', () => checkpointsReached(log, kv, 'trending', TOPICS.postHashtag)],
        ['bitmap replica', () => follower.caughtUp()],
      ],
      async () => (await pipeline.caughtUp()) && (await follower.caughtUp()),
      started,
    );
    const rss = process.memoryUsage().rss;
    await pipeline.stop();
    await follower.stop();
    await search.close();
    await kv.close();
    // After the pipeline, so its figures are measured exactly as before the floor existed.
    globalThis.gc?.();
    const floor = await measureLogFloor(log, records.length, ['counter', 'trending']);
    const floorSeconds = floor.repartitionSeconds + floor.deltaReadSeconds.reduce((a, b) => a + b, 0);
    await log.close();

    const rate = (n: number, s: number) => Math.round(n / s).toLocaleString();
    printTable(
      ['stage', 'seconds', 'events/s', 'posts/s', 'vs baseline'],
      [
        ['append to the log', produceSeconds.toFixed(2), rate(records.length, produceSeconds), '', ''],
        [
          'baseline: read + validate only',
          baselineSeconds.toFixed(2),
          rate(records.length, baselineSeconds),
          rate(posts, baselineSeconds),
          '1.00',
        ],
        [
          'log floor: no state, one core',
          floorSeconds.toFixed(2),
          rate(records.length, floorSeconds),
          rate(posts, floorSeconds),
          (baselineSeconds / floorSeconds).toFixed(2),
        ],
        [
          'whole pipeline',
          pipelineSeconds.toFixed(2),
          rate(records.length, pipelineSeconds),
          rate(posts, pipelineSeconds),
          (baselineSeconds / pipelineSeconds).toFixed(2),
        ],
      ],
    );
    printCaughtUp(caughtUpAt);
    console.log(
      `\nlog floor (the topology's log traffic, no documents, postings, counts or trends): repartition ` +
        `${floor.repartitionSeconds.toFixed(2)} s + delta reads ${floor.deltaReadSeconds.map((s) => s.toFixed(2)).join(' + ')} s ` +
        `(${floor.deltas.toLocaleString()} deltas, read by the counter and trending) = ${floorSeconds.toFixed(2)} s; ` +
        `split perfectly over two cores: at most ${rate(posts, floorSeconds / 2)} posts/s`,
    );
    const postsPerSecond = posts / pipelineSeconds;
    const writesPerPost = counter.kvWrites / posts;
    console.log(
      `\nposts/s: ${Math.round(postsPerSecond).toLocaleString()} (target >= 50,000: ` +
        `${postsPerSecond >= 50_000 ? 'met' : 'NOT met'}); RSS ${(rss / 2 ** 20).toFixed(0)} MiB`,
    );
    console.log(
      `counting worker: ${counter.kvWrites} KV writes in ${counter.flushes} flushes for ${counter.events.toLocaleString()} ` +
        `deltas = ${writesPerPost.toFixed(4)} writes/post (1 per ${(posts / counter.kvWrites).toFixed(0)} posts; ` +
        `target <= 1 per 50: ${writesPerPost <= 1 / 50 ? 'met' : 'NOT met'}); naive one write per tag: ` +
        `${tagsPerPost.toFixed(2)} writes/post, ${(tagsPerPost / writesPerPost).toFixed(0)}x more`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
