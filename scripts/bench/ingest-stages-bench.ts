/**
 * `npm run bench -- ingest-stages [--posts N]`: the ingest pipeline's
 * consumers one at a time over the same events, to show where `ingest`'s time
 * goes. Each stage starts when the one before it has caught up, so it runs
 * alone: its wall time, the process CPU (LMDB commits on their own thread
 * included) and the main thread's event-loop utilisation. Stages that share a
 * thread in the embedded service add up; the baseline, measured in the same
 * run, is the read-and-validate consumer of `ingest`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkpointsReached } from '../../indexer/checkpoints-reached';
import { IndexerPipeline, type PipelineRole } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { MemorySearchIndex } from '../../platform/adapters/memory-search';
import { appendEvents, DEFAULT_FLAGS, generate, readAndValidate } from './support/ingest-events';
import { waitCaughtUp } from './support/caught-up-times';
import { printTable } from './support/print-table';
import { parseFlags } from './support/seeded-random';

interface StageFigures {
  name: string;
  seconds: number;
  cpuSeconds: number;
  elu: number;
}

/** Runs `body` until `done` holds, polling, and measures it. */
async function measure(
  name: string,
  body: () => Promise<() => Promise<void>>,
  done: () => Promise<boolean>,
): Promise<StageFigures> {
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const started = performance.now();
  const stop = await body();
  const { seconds } = await waitCaughtUp([], done, started);
  const used = process.cpuUsage(cpu);
  const utilisation = performance.eventLoopUtilization(elu).utilization;
  await stop();
  return { name, seconds, cpuSeconds: (used.user + used.system) / 1e6, elu: utilisation };
}

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, DEFAULT_FLAGS);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-ingest-stages-'));
  try {
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    await ensureTopics(log);
    const { records, posts } = generate(flags);
    console.log(
      `ingest stages: ${posts.toLocaleString()} posts, ${records.length.toLocaleString()} events; ` +
        'each consumer runs alone, in the order below',
    );
    await appendEvents(log, records);
    const kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    const search = MemorySearchIndex.create();
    const stages: StageFigures[] = [];

    const baselineStarted = performance.now();
    await readAndValidate(log, records.length);
    const baseline = (performance.now() - baselineStarted) / 1000;

    const pipelineStage = async (
      name: string,
      roles: PipelineRole[],
      consumer: string,
      topic: string,
    ): Promise<void> => {
      let pipeline: IndexerPipeline | undefined;
      stages.push(
        await measure(
          name,
          async () => {
            pipeline = await IndexerPipeline.start({
              log,
              kv,
              search,
              roles,
              // As in `ingest`: the measurement ends when the work does, not at the next timed flush.
              counter: { flushIntervalMs: 200, cacheCounts: true },
              trending: { flushIntervalMs: 200 },
            });
            return () => pipeline!.stop();
          },
          async () => (await checkpointsReached(log, kv, consumer, topic)) && (await pipeline!.caughtUp()),
        ),
      );
    };
    await pipelineStage(
      'index consumer (+ typeahead feed)',
      ['index', 'curated-top'],
      'indexer',
      TOPICS.postPublish,
    );
    let follower: BitmapFollower | undefined;
    stages.push(
      await measure(
        'bitmap replica',
        async () => {
          follower = await BitmapFollower.open({ log, groupId: 'bench-stages-bitmaps' });
          await follower.start();
          return () => follower!.stop();
        },
        () => follower!.caughtUp(),
      ),
    );
    await pipelineStage('counting worker', ['counter'], 'counter', TOPICS.postHashtag);
    await pipelineStage('trending', ['trending'], 'trending', TOPICS.postHashtag);
    await search.close();
    await kv.close();
    await log.close();

    const total = stages.reduce((sum, s) => sum + s.seconds, 0);
    const row = (s: StageFigures) => [
      s.name,
      s.seconds.toFixed(2),
      Math.round(posts / s.seconds).toLocaleString(),
      (baseline / s.seconds).toFixed(2),
      `${((100 * s.seconds) / total).toFixed(0)}%`,
      s.cpuSeconds.toFixed(2),
      s.elu.toFixed(2),
    ];
    printTable(
      ['stage', 'seconds', 'posts/s', 'vs baseline', 'share', 'cpu s', 'main ELU'],
      [
        [
          'baseline: read + validate only',
          baseline.toFixed(2),
          Math.round(posts / baseline).toLocaleString(),
          '1.00',
          '',
          '',
          '',
        ],
        ...stages.map(row),
        [
          'sum of the stages',
          total.toFixed(2),
          Math.round(posts / total).toLocaleString(),
          (baseline / total).toFixed(2),
          '100%',
          '',
          '',
        ],
      ],
    );
    const slowest = stages.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    console.log(
      `\nOne thread runs them all in embedded mode, so ingest's rate is near the sum's; with each stage on ` +
        `its own core the slowest (${slowest.name}) would bound it at ` +
        `${Math.round(posts / slowest.seconds).toLocaleString()} posts/s.`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
