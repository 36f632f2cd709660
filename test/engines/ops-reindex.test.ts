import { ElasticsearchSearchIndex } from '../../platform/adapters/elasticsearch-search';
import type { IndexKind, SuggestKind } from '../../platform/ports/search-index';
import { createOpsContext } from '../../scripts/ops/ops-context';
import type { ProgressReporter } from '../../scripts/ops/progress-reporter';
import type { ElasticsearchVersions } from '../../scripts/ops/reindex/elasticsearch-versions';
import { reindex, type ReindexCheckpoint } from '../../scripts/ops/reindex/reindex';
import { generateEventStream, type GeneratedEvent } from '../support/event-stream';
import { pollUntil } from '../support/poll';
import { expectedDocuments, OpsCluster, plain, shardedEvents } from './support/ops-cluster';
import { testEndpoints } from './support/test-endpoints';

/*
 * reindex against Kafka, Cassandra and Elasticsearch, with the indexer and
 * the counter running (they write the typeahead indices through the aliases
 * while the reindex fills new versions). The independent model of the
 * events is the oracle for what every index holds at the end.
 */
const ALL: IndexKind[] = ['users', 'hashtags', 'locations', 'media'];
const events = shardedEvents((seed) => generateEventStream(seed, 300), 61, 16);
const initial = events.slice(0, 3200);
const duringLoad = events.slice(3200, 3800);
const duringKills = events.slice(3800);

let cluster: OpsCluster;

beforeAll(async () => {
  cluster = await OpsCluster.create('opsreindex');
  await cluster.start('writers', ['indexer', 'counter']);
  await cluster.publish(initial);
  await cluster.caughtUp();
}, 300_000);

afterAll(async () => {
  await cluster?.destroy();
}, 120_000);

async function expectIndicesMatchModel(kinds: readonly IndexKind[]) {
  const want = expectedDocuments(cluster.published);
  for (const kind of kinds) {
    expect({ kind, docs: plain(await cluster.indexed(kind)) }).toEqual({ kind, docs: plain(want[kind]) });
  }
}

const validDeletes = (xs: GeneratedEvent[]) =>
  xs.filter((e) => e.valid && e.raw.type === 'post.deleted').length;

/**
 * Queries through the aliases until stopped. Every answer must come from a
 * complete index: users and locations are never removed, so their counts
 * never fall below the start's; media only by the deletes published meanwhile.
 */
function queryLoad(minimum: Record<IndexKind, number>) {
  const search = ElasticsearchSearchIndex.connect({
    node: testEndpoints().elasticsearchUrl,
    indexPrefix: cluster.prefix,
  });
  const prefixes: Record<SuggestKind, string> = { users: 'user', locations: 'b', hashtags: 'c' };
  let stop = false;
  let queries = 0;
  const failures: string[] = [];
  const check = async (kind: IndexKind, run: () => Promise<number>) => {
    try {
      const count = await run();
      if (count < minimum[kind]) failures.push(`${kind}: ${count} documents, fewer than ${minimum[kind]}`);
    } catch (err) {
      failures.push(`${kind}: ${(err as Error).message}`);
    }
    queries++;
  };
  const done = (async () => {
    const index = await search;
    try {
      while (!stop) {
        for (const kind of ['users', 'locations', 'hashtags'] as const) {
          await check(kind, () => index.count(kind));
          await check(kind, async () => {
            const hits = await index.suggest(kind, prefixes[kind], { limit: 20 });
            // A non-empty index answers these prefixes; an empty one would not.
            return hits.length === 0 ? -1 : minimum[kind];
          });
        }
        await check('media', async () => {
          const r = await cluster.elasticsearch.count({ index: `${cluster.prefix}media` });
          return r.count;
        });
      }
    } finally {
      await index.close();
    }
  })();
  return {
    stop: async () => {
      stop = true;
      await done;
      return { queries, failures };
    },
  };
}

describe('reindex in distributed mode', () => {
  it('--kind media alone loads the media index from Cassandra and swaps only its alias (CLI)', async () => {
    const run = cluster.cli('reindex', ['--kind', 'media', '--progress', 'off']);
    expect({ outcome: await run.exited, ...run.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(run.output().stdout).toMatch(/media: alias → \S+media_v2; previous \S+media_v1 deleted/);
    expect(await cluster.versions('media')).toEqual({
      all: [`${cluster.prefix}media_v2`],
      aliased: [`${cluster.prefix}media_v2`],
    });
    expect((await cluster.versions('users')).aliased).toEqual([`${cluster.prefix}users_v1`]);
    await expectIndicesMatchModel(['media']);
  });

  it('rebuilds every kind while queries run and events arrive: no query fails, every answer is complete, nothing is lost', async () => {
    const minimum = {
      users: (await cluster.indexed('users')).size,
      locations: (await cluster.indexed('locations')).size,
      hashtags: 1,
      media: (await cluster.indexed('media')).size - validDeletes(duringLoad),
    };
    expect(minimum.users).toBeGreaterThan(50);
    const load = queryLoad(minimum);
    const stores = await cluster.stores();
    // A steady trickle of events while the versions load (paced by the load's own progress),
    // then a burst at each phase.
    const slices = [duringLoad.slice(0, 300), duringLoad.slice(300, 400), duringLoad.slice(400, 500)];
    let trickled = 0;
    let trickle = Promise.resolve();
    const progress: ProgressReporter = {
      phase: () => undefined,
      done: () => undefined,
      increment: () => {
        const next = slices[0]!.slice(trickled, trickled + 10);
        trickled += next.length;
        if (next.length > 0) trickle = trickle.then(() => cluster.publish(next));
      },
    };
    const ctx = await createOpsContext<ReindexCheckpoint>({
      stateDir: cluster.stateDir,
      command: 'reindex-in-process',
      identity: {},
      progress,
    });
    const phases: string[] = [];
    try {
      const result = await reindex(
        {
          kv: stores.kv,
          log: stores.log,
          versions: stores.versions,
          kinds: ALL,
          chunkSize: 50,
          onPhase: async (phase) => {
            phases.push(phase);
            if (phase === 'loaded') await cluster.publish(slices[1]!);
            if (phase === 'caught-up') {
              await trickle;
              await cluster.publish(slices[0]!.slice(trickled));
              await cluster.publish(slices[2]!);
            }
            // Just before the settle phase: these reach the new versions through the live writers
            // (typeahead kinds) or the settle replay (media).
            if (phase === 'swapped') await cluster.publish(duringLoad.slice(500));
          },
        },
        ctx,
      );
      expect(phases).toEqual(['loaded', 'caught-up', 'swapped']);
      expect(result.catchUpWindows).toBeGreaterThan(0);
      for (const kind of ALL) {
        const v = result.kinds[kind]!;
        expect((await cluster.versions(kind)).aliased).toEqual([v.version]);
        // The previous versions were deleted.
        expect((await cluster.versions(kind)).all).toEqual([v.version]);
      }
      expect(ctx.stats.counts.failed).toBe(0);
      expect(trickled).toBeGreaterThan(100);
    } finally {
      await trickle;
      await ctx.close();
      await stores.close();
    }
    const { queries, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThan(20);
    await cluster.caughtUp();
    await expectIndicesMatchModel(ALL);
  });

  it('resumes after kill -9 of the CLI without loading again, and ends equal to the model', async () => {
    const before = Object.fromEntries(
      await Promise.all(ALL.map(async (k) => [k, (await cluster.versions(k)).aliased[0]!] as const)),
    );
    const args = ['--batch-size', '5', '--rate', '60', '--progress', 'lines', '--keep-old'];
    let lastWritten = -1;
    let kills = 0;
    const slices = [duringKills.slice(0, 200), duringKills.slice(200, 400)];
    for (let attempt = 0; attempt < 2; attempt++) {
      const run = cluster.cli('reindex', args);
      let cp: ReindexCheckpoint | undefined;
      // kill -9 once a checkpoint further along than the previous one is on disk, still loading.
      await pollUntil(
        async () => {
          cp = await cluster.checkpoint<ReindexCheckpoint>('reindex');
          return cp !== undefined && cp.phase === 'load' && cp.counts.written > lastWritten + 50;
        },
        'a reindex checkpoint further along',
        120_000,
      );
      run.child.kill('SIGKILL');
      expect(await run.exited).toBe('SIGKILL');
      kills++;
      const saved = (await cluster.checkpoint<ReindexCheckpoint>('reindex'))!;
      expect(saved.counts.written).toBeGreaterThan(lastWritten);
      lastWritten = saved.counts.written;
      // Events arrive between the runs: the catch-up from the position recorded at the start covers them.
      await cluster.publish(slices[attempt]!);
    }
    expect(kills).toBe(2);
    const last = cluster.cli('reindex', args);
    expect({ outcome: await last.exited, ...last.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(last.output().stdout).toMatch(/reindex finished/);
    const summary = last.output().stdout;
    for (const kind of ALL) {
      const { all, aliased } = await cluster.versions(kind);
      // One new version per kind across the three runs, the old one kept (--keep-old).
      const next = `${cluster.prefix}${kind}_v${Number(before[kind]!.split('_v').pop()) + 1}`;
      expect({ kind, all, aliased }).toEqual({ kind, all: [before[kind], next].sort(), aliased: [next] });
      expect(summary).toContain(`${kind}: alias → ${next}; previous ${before[kind]} kept`);
    }
    await cluster.caughtUp();
    await expectIndicesMatchModel(ALL);
  });

  it('--restart after kill -9 deletes the version the abandoned run was loading', async () => {
    const kinds = ['users', 'locations'] as const;
    const before = Object.fromEntries(
      await Promise.all(kinds.map(async (k) => [k, (await cluster.versions(k)).all] as const)),
    );
    const args = [
      '--kind',
      kinds.join(','),
      '--batch-size',
      '5',
      '--rate',
      '60',
      '--progress',
      'lines',
      '--keep-old',
    ];
    const run = cluster.cli('reindex', args);
    await pollUntil(
      async () => ((await cluster.checkpoint<ReindexCheckpoint>('reindex'))?.counts.written ?? 0) > 20,
      'the first run loading',
      120_000,
    );
    run.child.kill('SIGKILL');
    expect(await run.exited).toBe('SIGKILL');
    const abandoned = (await cluster.checkpoint<ReindexCheckpoint>('reindex'))!;
    for (const kind of kinds) {
      expect((await cluster.versions(kind)).all).toEqual(
        [...before[kind]!, abandoned.kinds[kind]!.version].sort(),
      );
    }

    const fresh = cluster.cli('reindex', [...args, '--restart']);
    expect({ outcome: await fresh.exited, ...fresh.output() }).toMatchObject({ outcome: 'exit 0' });
    expect(fresh.output().stdout).toMatch(/deleted what the abandoned run had loaded/);
    for (const kind of kinds) {
      // Exactly one version more than before, and the alias on it: the abandoned one is gone
      // (its name may be reused, since a new version takes the next free number).
      const { all, aliased } = await cluster.versions(kind);
      const added = all.filter((v) => !before[kind]!.includes(v));
      expect({ kind, added, aliased }).toEqual({ kind, added: aliased, aliased: [expect.any(String)] });
    }
    await cluster.caughtUp();
    await expectIndicesMatchModel([...kinds]);
  });

  it('backs off while Elasticsearch answers 429 and finishes once it takes writes again', async () => {
    const stores = await cluster.stores();
    const versions = stores.versions as ElasticsearchVersions;
    const es = cluster.elasticsearch;
    const block = (index: string, on: boolean) =>
      es.indices.putSettings({
        index,
        settings: { 'index.blocks.read_only_allow_delete': on ? true : null },
      });
    let created: string | undefined;
    // The new version refuses every write with a real 429 (the flood-stage block) until lifted.
    const blocking = new Proxy(versions, {
      get(target, prop) {
        if (prop === 'create') {
          return async (kind: IndexKind) => {
            created = await target.create(kind);
            await block(created, true);
            return created;
          };
        }
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const ctx = await createOpsContext<ReindexCheckpoint>({
      stateDir: cluster.stateDir,
      command: 'reindex-429',
      identity: {},
    });
    try {
      const running = reindex(
        { kv: stores.kv, log: stores.log, versions: blocking, kinds: ['users'], chunkSize: 50 },
        ctx,
      );
      running.catch(() => undefined);
      await pollUntil(() => versions.stats().retried >= 100, 'writes refused with 429 and retried', 60_000);
      await block(created!, false);
      const result = await running;
      expect(result.kinds.users!.version).toBe(created);
      expect(versions.stats()).toMatchObject({ failed: 0 });
      expect(ctx.stats.counts.failed).toBe(0);
    } finally {
      if (created) await block(created, false).catch(() => undefined);
      await ctx.close();
      await stores.close();
    }
    await cluster.caughtUp();
    await expectIndicesMatchModel(['users']);
  });

  it('--dry-run checks every document and writes nothing', async () => {
    const before = await Promise.all(ALL.map((k) => cluster.versions(k)));
    const run = cluster.cli('reindex', ['--dry-run', '--progress', 'off']);
    expect({ outcome: await run.exited, ...run.output() }).toMatchObject({ outcome: 'exit 0' });
    const want = expectedDocuments(cluster.published);
    for (const kind of ALL) {
      expect(run.output().stdout).toContain(
        `${kind}: ${want[kind].size.toLocaleString('en')} documents would be written`,
      );
    }
    expect(await Promise.all(ALL.map((k) => cluster.versions(k)))).toEqual(before);
  });
});
