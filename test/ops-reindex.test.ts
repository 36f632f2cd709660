import { AppError } from '../platform/errors';
import type { SearchIndex, SuggestKind } from '../platform/ports/search-index';
import { AliasedSearchIndex } from '../scripts/ops/reindex/aliased-search-index';
import { reindex, type ReindexCheckpoint } from '../scripts/ops/reindex/reindex';
import { generateEventStream } from './support/event-stream';
import { expectedEntries, OpsWorld } from './support/ops-world';

const KINDS: SuggestKind[] = ['users', 'locations', 'hashtags'];

/** Everything the index holds for the model's ids, and its counts, next to what the model says. */
async function compare(world: OpsWorld, search: SearchIndex) {
  const want = expectedEntries(world);
  const got: Record<string, Record<string, unknown>> = {};
  const expected: Record<string, Record<string, unknown>> = {};
  for (const kind of KINDS) {
    got[kind] = { count: await search.count(kind) };
    expected[kind] = { count: want[kind].size };
    for (const [id, entry] of want[kind]) {
      got[kind]![id] = await search.get(kind, id);
      expected[kind]![id] = entry;
    }
  }
  return { got, expected };
}

/**
 * A steady query load on the alias: every answer must come from a complete
 * index. Users and locations are never removed, so their counts never fall
 * below the start's; hashtags can lose their last post, so only emptiness counts.
 */
function queryLoad(search: SearchIndex, minimum: Record<SuggestKind, number>) {
  const queries_: Record<SuggestKind, string> = { users: 'user', locations: 'b', hashtags: 'c' };
  let stop = false;
  let queries = 0;
  const failures: string[] = [];
  const done = (async () => {
    while (!stop) {
      for (const kind of KINDS) {
        try {
          const count = await search.count(kind);
          const hits = await search.suggest(kind, queries_[kind], { limit: 50 });
          if (count < minimum[kind]) failures.push(`${kind}: ${count} entries, fewer than ${minimum[kind]}`);
          if (kind === 'users' && hits.length === 0) failures.push(`${kind}: no hits`);
        } catch (err) {
          failures.push(`${kind}: ${(err as Error).message}`);
        }
        queries++;
      }
      await new Promise((r) => setImmediate(r));
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

describe('reindex (embedded, in-process)', () => {
  let world: OpsWorld;
  afterEach(async () => world?.destroy());

  it('rebuilds every kind while queries run and events arrive, and the result matches the model', async () => {
    world = await OpsWorld.create();
    const events = generateEventStream(31, 2400);
    const search = new AliasedSearchIndex();
    await world.startPipeline(search);
    await world.publish(events.slice(0, 1200));
    await world.caughtUp();
    const before = await compare(world, search);
    const minimum = {
      users: before.got.users!.count as number,
      locations: before.got.locations!.count as number,
      hashtags: 1,
    };
    const load = queryLoad(search, minimum);
    const phases: string[] = [];
    const ctx = await world.context<ReindexCheckpoint>();
    const result = await reindex(
      {
        kv: world.kv,
        log: world.log,
        versions: search,
        kinds: KINDS,
        chunkSize: 3,
        onPhase: async (phase) => {
          phases.push(phase);
          // Events that arrive after the start position, before and around the swap.
          if (phase === 'loaded') await world.publish(events.slice(1200, 1800));
          if (phase === 'caught-up') await world.publish(events.slice(1800, 2400));
        },
      },
      ctx,
    );
    await ctx.close();
    const { queries, failures } = await load.stop();
    expect(failures).toEqual([]);
    expect(queries).toBeGreaterThan(10);
    expect(phases).toEqual(['loaded', 'caught-up', 'swapped']);
    for (const kind of KINDS) {
      expect(result.kinds[kind]!.previous).toEqual(['v1']);
      expect(await search.current(kind)).toBe(result.kinds[kind]!.version);
    }
    // The old versions are gone, and the live writers now write into the new ones.
    expect(search.versionNames()).not.toContain('v1');
    await world.caughtUp();
    const after = await compare(world, search);
    expect(after.got).toEqual(after.expected);
    expect(ctx.stats.counts.failed).toBe(0);
    expect(ctx.stats.counts.written).toBeGreaterThan(0);
  });

  it('resumes an interrupted run from its checkpoint, and --keep-old keeps the old versions', async () => {
    world = await OpsWorld.create();
    const events = generateEventStream(32, 1600);
    const search = new AliasedSearchIndex();
    await world.startPipeline(search);
    await world.publish(events.slice(0, 800));
    await world.caughtUp();
    const controller = new AbortController();
    const first = await world.context<ReindexCheckpoint>({ signal: controller.signal });
    const options = {
      kv: world.kv,
      log: world.log,
      versions: search,
      kinds: KINDS,
      chunkSize: 2,
      keepOld: true,
    };
    const err = await reindex(
      {
        ...options,
        onPhase: async (phase) => {
          if (phase !== 'loaded') return;
          await world.publish(events.slice(800, 1200));
          controller.abort();
        },
      },
      first,
    ).catch((e: unknown) => e);
    await first.close();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('INTERRUPTED');
    expect(first.checkpoint.state?.phase).toBe('catch-up');
    const versionsAfterFirst = search.versionNames();

    await world.publish(events.slice(1200));
    const second = await world.context<ReindexCheckpoint>();
    expect(second.checkpoint.state?.phase).toBe('catch-up');
    const phases: string[] = [];
    await reindex({ ...options, onPhase: (p) => void phases.push(p) }, second);
    await second.close();
    // It did not load again: same versions, no new ones, and it went straight to the catch-up.
    expect(phases).toEqual(['caught-up', 'swapped']);
    expect(search.versionNames()).toEqual(versionsAfterFirst);
    expect(second.checkpoint.state).toBeUndefined();
    await world.caughtUp();
    const after = await compare(world, search);
    expect(after.got).toEqual(after.expected);
  });

  it('--dry-run checks every document and changes nothing', async () => {
    world = await OpsWorld.create();
    const search = new AliasedSearchIndex();
    await world.startPipeline(search);
    await world.publish(generateEventStream(33, 600));
    await world.caughtUp();
    const ctx = await world.context<ReindexCheckpoint>({ dryRun: true });
    const result = await reindex({ kv: world.kv, log: world.log, versions: search, kinds: KINDS }, ctx);
    await ctx.close();
    const want = expectedEntries(world);
    for (const kind of KINDS) expect(result.kinds[kind]!.documents).toBe(want[kind].size);
    expect(search.versionNames()).toEqual(['v1']);
    expect(ctx.stats.counts.written).toBe(0);
  });

  it('refuses a kind the embedded index does not have', async () => {
    world = await OpsWorld.create();
    const search = new AliasedSearchIndex();
    const ctx = await world.context<ReindexCheckpoint>();
    await expect(
      reindex({ kv: world.kv, log: world.log, versions: search, kinds: ['media'] }, ctx),
    ).rejects.toMatchObject({ issues: [{ field: '--kind' }] });
    await ctx.close();
  });
});
