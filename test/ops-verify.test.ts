import { systemClock } from '../platform/clock';
import { KV } from '../indexer/kv-tables';
import type { HashtagCountRecord } from '../indexer/counting/read-hashtag-count';
import { caughtUpBitmaps } from '../scripts/ops/caught-up-bitmaps';
import { AliasedSearchIndex } from '../scripts/ops/reindex/aliased-search-index';
import { verify, type VerifyCheckpoint } from '../scripts/ops/verify/verify';
import { generateEventStream } from './support/event-stream';
import { expectedEntries, OpsWorld } from './support/ops-world';

describe('verify (embedded, in-process)', () => {
  let world: OpsWorld;
  afterEach(async () => world?.destroy());

  it('finds a corrupted count and a missing document, and --repair fixes both', async () => {
    world = await OpsWorld.create();
    const search = new AliasedSearchIndex();
    await world.startPipeline(search);
    await world.publish(generateEventStream(41, 1500));
    await world.caughtUp();
    await world.stopPipeline();
    const model = world.expected();
    const want = expectedEntries(world);
    const [tag, truth] = [...model.hashtags].find(([, h]) => h.count > 0)!;
    const [userId, userEntry] = [...want.users][0]!;
    const row = (await world.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!;
    await world.kv.batch([
      { type: 'put', table: KV.hashtagCounts, key: tag, value: { ...row, count: truth.count + 5 } },
    ]);
    await search.remove('users', [userId]);

    const { index } = await caughtUpBitmaps(world.log, undefined, { clock: systemClock });
    const run = async (repair: boolean) => {
      const ctx = await world.context<VerifyCheckpoint>({ identity: { repair } });
      const { differences: found } = await verify(
        { kv: world.kv, index, documents: search, repair, sample: 'all' },
        ctx,
      );
      await ctx.close();
      return found.map((d) => ({
        check: d.check,
        kind: d.kind,
        id: d.id,
        expected: d.expected,
        actual: d.actual,
      }));
    };
    const expectedDifferences = [
      {
        check: 'hashtag-count',
        kind: 'hashtag_counts',
        id: tag,
        expected: truth.count,
        actual: truth.count + 5,
      },
      { check: 'document-missing', kind: 'users', id: userId, expected: userEntry, actual: undefined },
      {
        check: 'document-count',
        kind: 'users',
        id: undefined,
        expected: want.users.size,
        actual: want.users.size - 1,
      },
      // The search entry still has the true count, so it differs from the corrupted row too.
      {
        check: 'document-stale',
        kind: 'hashtags',
        id: tag,
        expected: { tag, displayName: truth.displayName, totalPosts: truth.count + 5 },
        actual: { tag, displayName: truth.displayName, totalPosts: truth.count },
      },
    ];
    const found = await run(false);
    expect(found).toEqual(expectedDifferences);
    // Nothing was written without --repair.
    expect((await world.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!.count).toBe(truth.count + 5);

    // Repairing the count first brings the row and the entry back together: the stale entry is not reported.
    expect((await run(true)).map((d) => d.check)).toEqual([
      'hashtag-count',
      'document-missing',
      'document-count',
    ]);
    expect(await run(false)).toEqual([]);
    expect((await world.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!.count).toBe(truth.count);
    expect(await search.get('users', userId)).toEqual(userEntry);
    expect(await search.get('hashtags', tag)).toMatchObject({ totalPosts: truth.count });
  });
});
