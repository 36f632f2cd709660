import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HashtagCountRecord } from '../../indexer/counting/read-hashtag-count';
import { KV } from '../../indexer/kv-tables';
import { blobBitmapSnapshots } from '../../indexer/postings/bitmap-snapshots';
import { TOPICS } from '../../indexer/topics';
import { TREND_TOTALS, TREND_WINDOWS } from '../../indexer/trending/trend-tables';
import { CassandraSnapshotBlobStore } from '../../platform/adapters/cassandra-kv';
import { systemClock, type Clock } from '../../platform/clock';
import { AppError } from '../../platform/errors';
import type { KvStore } from '../../platform/ports/kv-store';
import { PostingIndex } from '../../query/engine/posting-index';
import { QueryEngine } from '../../query/engine/query-engine';
import { backfill } from '../../scripts/ops/backfill/backfill';
import type { BackfillCheckpoint } from '../../scripts/ops/backfill/backfill-checkpoint';
import { createOpsContext } from '../../scripts/ops/ops-context';
import type { ProgressReporter } from '../../scripts/ops/progress-reporter';
import { PipelineHarness } from '../support/embedded-pipeline-harness';
import { generateEventStream, type GeneratedEvent } from '../support/event-stream';
import { dumpTable, recentEvents } from '../support/expect-model-state';
import { expectedState } from '../support/indexer-model';
import { pollUntil } from '../support/poll';
import { OpsCluster, shardedEvents } from './support/ops-cluster';

/*
 * backfill against the real engines: counts and trend windows rebuilt from
 * POST_HASHTAG in Kafka into Cassandra, the bitmap snapshot rebuilt from
 * POSTINGS into Cassandra's blob store, an NDJSON export imported through
 * Kafka, kill -9 of the CLI in between. Oracles: the model of the events
 * (counts, posting lists) and a clean embedded run of the same events
 * (trend windows and totals).
 */
const events = recentEvents(shardedEvents((seed) => generateEventStream(seed, 300), 81, 6));
const live = events.slice(0, 900);
const racing = events.slice(900, 1000);
const countless = events.slice(1000, 1300);
const exported = events.slice(1300);

let cluster: OpsCluster;

beforeAll(async () => {
  cluster = await OpsCluster.create('opsbackfill');
  await cluster.start('indexer', ['indexer']);
  await cluster.start('counter', ['counter']);
  await cluster.publish(live);
  await cluster.caughtUp();
}, 300_000);

afterAll(async () => {
  await cluster?.destroy();
}, 120_000);

const positive = (v: unknown) => (v as HashtagCountRecord).count > 0;
const countsOf = async (kv: KvStore) =>
  Object.fromEntries(
    Object.entries(await dumpTable(kv, KV.hashtagCounts))
      .filter(([, v]) => positive(v))
      .map(([k, v]) => [k, (v as HashtagCountRecord).count]),
  );

/** Counts and search entries against the model; trend windows and totals against a clean embedded run. */
async function expectDerivedState(published: GeneratedEvent[]) {
  const model = expectedState(published);
  const want = Object.fromEntries(
    [...model.hashtags].filter(([, h]) => h.count > 0).map(([tag, h]) => [tag, h.count]),
  );
  expect(await countsOf(cluster.kv)).toEqual(want);
  const entries = await cluster.indexed('hashtags');
  expect(
    Object.fromEntries([...entries].map(([tag, e]) => [tag, (e as { totalPosts: number }).totalPosts])),
  ).toEqual(want);
  const clean = await PipelineHarness.create();
  try {
    await clean.publish(published.filter((e) => e.valid));
    await clean.start();
    await clean.caughtUp();
    const windows = await dumpTable(clean.kv, TREND_WINDOWS);
    expect(Object.keys(windows).length).toBeGreaterThan(0);
    expect(await dumpTable(cluster.kv, TREND_WINDOWS)).toEqual(windows);
    expect(await dumpTable(cluster.kv, TREND_TOTALS)).toEqual(await dumpTable(clean.kv, TREND_TOTALS));
  } finally {
    await clean.destroy();
  }
}

/** The newest bitmap snapshot in Cassandra, against the model's posting lists. */
async function expectSnapshot(published: GeneratedEvent[]) {
  const blobs = await CassandraSnapshotBlobStore.connect({
    contactPoints: cluster.config.CASSANDRA_CONTACT_POINTS,
    localDataCenter: cluster.config.CASSANDRA_LOCAL_DC,
    keyspace: cluster.prefix,
  });
  try {
    const loaded = (await blobBitmapSnapshots(blobs).load())!;
    const [end] = await cluster.log.endOffsets(TOPICS.postings);
    expect(loaded.meta.position).toEqual({ postings: end!.offset });
    const engine = new QueryEngine(loaded.index, { limits: { maxResultLimit: 10_000 } });
    for (const [term, ids] of expectedState(published).postings) {
      expect({ term, ids: engine.search(term, { limit: 10_000 }).ids.sort() }).toEqual({
        term,
        ids: [...ids].sort(),
      });
    }
  } finally {
    await blobs.close();
  }
}

describe('backfill in distributed mode', () => {
  it('refuses to finish while the live counter moves (LIVE_CONSUMERS_RUNNING)', async () => {
    const stores = await cluster.stores();
    // Once the rebuild runs, events arrive and the live counter (still running) counts them.
    let rebuilding = false;
    let raced: Promise<void> | undefined;
    const progress: ProgressReporter = {
      phase: (label) => void (rebuilding = label.startsWith('rebuild')),
      increment: () => undefined,
      done: () => undefined,
    };
    const clock: Clock = {
      now: () => systemClock.now(),
      sleep: async (ms, signal) => {
        if (rebuilding && !raced) {
          raced = cluster.publish(racing).then(() => cluster.caughtUp(['indexer', 'counter']));
        }
        if (raced) await raced;
        await systemClock.sleep(ms, signal);
      },
    };
    const ctx = await createOpsContext<BackfillCheckpoint>({
      stateDir: cluster.stateDir,
      command: 'backfill-racing',
      identity: {},
      progress,
      clock,
    });
    try {
      const err = await backfill(
        {
          mode: 'distributed',
          log: stores.log,
          kv: stores.kv,
          snapshots: stores.snapshots,
          search: stores.search,
        },
        ctx,
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('LIVE_CONSUMERS_RUNNING');
      expect(raced).toBeDefined();
    } finally {
      await ctx.close();
      await stores.close();
    }
    await cluster.caughtUp();
  });

  it('imports an export and rebuilds counts and trends through kill -9s of the CLI, matching the model', async () => {
    await cluster.stop('counter');
    // Indexed, but not counted: the counter is stopped.
    await cluster.publish(countless);
    await cluster.caughtUp(['indexer']);
    const [tag] = Object.entries(await countsOf(cluster.kv))[0]!;
    const row = (await cluster.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!;
    const [windowKey] = Object.keys(await dumpTable(cluster.kv, TREND_WINDOWS));
    await cluster.kv.batch([
      { type: 'put', table: KV.hashtagCounts, key: tag, value: { ...row, count: row.count + 7 } },
      { type: 'delete', table: TREND_WINDOWS, key: windowKey! },
    ]);

    const lines = exported.map((e) => JSON.stringify(e.raw));
    lines.splice(120, 0, '{"type": "post.published", oops');
    lines.splice(300, 0, '');
    const badLines = lines
      .map((l, i) => [l, i + 1] as const)
      .filter(([l]) => l !== '' && exported.find((e) => JSON.stringify(e.raw) === l)?.valid !== true)
      .map(([, n]) => n);
    expect(badLines.length).toBeGreaterThan(1);
    const file = path.join(cluster.stateDir, 'export.ndjson');
    await writeFile(file, `${lines.join('\n')}\n`);

    // Slow enough that each stage lasts a while: 50 lines per append, 40 documents per second.
    const args = ['--from-file', file, '--rate', '40', '--batch-size', '50', '--progress', 'lines'];
    const stages = ['import', 'index', 'derive', 'mirror'];
    const progressOf = (cp: BackfillCheckpoint) => stages.indexOf(cp.stage) * 1e9 + cp.importedLines;
    // kill -9 once mid-import, once while rebuilding or writing the rebuilt rows back.
    const killAt = [
      (cp: BackfillCheckpoint) => cp.stage === 'import' && cp.importedLines > 0,
      (cp: BackfillCheckpoint) => stages.indexOf(cp.stage) >= stages.indexOf('derive'),
    ];
    let last = -1;
    let kills = 0;
    for (const due of killAt) {
      const run = cluster.cli('backfill', args);
      let ended: string | undefined;
      void run.exited.then((outcome) => (ended = outcome));
      await pollUntil(
        async () => {
          const cp = await cluster.checkpoint<BackfillCheckpoint>('backfill');
          return ended !== undefined || (cp !== undefined && due(cp));
        },
        'the backfill to get there',
        120_000,
      );
      run.child.kill('SIGKILL');
      expect({ outcome: await run.exited, ...run.output() }).toMatchObject({ outcome: 'SIGKILL' });
      kills++;
      const cp = (await cluster.checkpoint<BackfillCheckpoint>('backfill'))!;
      // Each run starts where the previous checkpoint left it, never from the beginning.
      expect(progressOf(cp)).toBeGreaterThan(last);
      last = progressOf(cp);
    }
    expect(kills).toBe(2);
    const final = cluster.cli('backfill', args);
    expect({ outcome: await final.exited, ...final.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(final.output().stdout).toMatch(/backfill finished/);
    const rejectsFile = /failures: \d+ in (\S+)/.exec(final.output().stdout)![1]!;
    const rejects = (await readFile(rejectsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { lineNumber: number }).lineNumber);
    expect(rejects).toEqual(badLines);

    cluster.published.push(...exported);
    await expectDerivedState(cluster.published);
  });

  it('rebuilds a broken blob snapshot and changes nothing when run again; verify then finds nothing', async () => {
    await cluster.stop('indexer');
    const blobs = await CassandraSnapshotBlobStore.connect({
      contactPoints: cluster.config.CASSANDRA_CONTACT_POINTS,
      localDataCenter: cluster.config.CASSANDRA_LOCAL_DC,
      keyspace: cluster.prefix,
    });
    try {
      // A snapshot that claims to cover all of POSTINGS but holds nothing.
      const [end] = await cluster.log.endOffsets(TOPICS.postings);
      await blobBitmapSnapshots(blobs).save(new PostingIndex(), { postings: end!.offset });
    } finally {
      await blobs.close();
    }
    const first = cluster.cli('backfill', ['--progress', 'off']);
    expect({ outcome: await first.exited, ...first.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(first.output().stdout).toMatch(/bitmap snapshot at POSTINGS \d+ written/);
    await expectSnapshot(cluster.published);

    const second = cluster.cli('backfill', ['--progress', 'off']);
    expect({ outcome: await second.exited, ...second.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(second.output().stdout).toMatch(/rows changed: 0 put, 0 deleted/);
    await expectDerivedState(cluster.published);

    await cluster.start('writers', ['indexer', 'counter']);
    await cluster.caughtUp();
    const verify = cluster.cli('verify', ['--sample', 'all', '--progress', 'off']);
    expect({ outcome: await verify.exited, ...verify.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(verify.output().stdout).toMatch(/0 differences/);
  });
});
