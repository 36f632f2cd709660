import fc from 'fast-check';
import { MemorySearchIndex } from '../platform/adapters/memory-search';
import type { UserEntry } from '../platform/ports/search-index';
import { PostingIndex } from '../query/engine/posting-index';
import { Typeahead, type Proximity } from '../query/search/typeahead';

interface World {
  users: UserEntry[];
  /** [follower index, followee index] */
  follows: [number, number][];
}

const idOf = (i: number) => String(1000 + i);

async function build(world: World, compact: boolean) {
  const index = new PostingIndex();
  const dense = world.users.map((u) => index.ids.user.getOrAssign(u.id));
  index.apply(
    world.follows.map(([a, b]) => ({
      op: 'add' as const,
      term: { kind: 'follows' as const, id: dense[a]! },
      member: dense[b]!,
    })),
  );
  // Frozen lists come back as views, delta lists as the index's own bitmaps: both must work.
  if (compact) index.compact();
  const search = MemorySearchIndex.create();
  await search.upsert(world.users.map((entry) => ({ kind: 'users' as const, entry })));
  return new Typeahead({ search, index: () => index });
}

/** Best first: more followers, then the smaller id in JS string order. */
const byRank = (a: UserEntry, b: UserEntry) =>
  b.followerCount - a.followerCount || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The search box's user ranking, by brute force: followees, then their followees, then everyone. */
function expected(world: World, viewer: number | undefined, q: string, limit: number) {
  const matches = world.users.filter((u) => u.username.startsWith(q) || u.fullName.startsWith(q));
  const followeesOf = (i: number) => new Set(world.follows.filter(([a]) => a === i).map(([, b]) => b));
  const first = viewer === undefined ? new Set<number>() : followeesOf(viewer);
  const second = new Set<number>();
  for (const f of first) for (const g of followeesOf(f)) if (!first.has(g) && g !== viewer) second.add(g);
  const tierOf = (u: UserEntry): Proximity => {
    const i = world.users.indexOf(u);
    return first.has(i) ? 'following' : second.has(i) ? 'second' : 'none';
  };
  const order: Proximity[] = ['following', 'second', 'none'];
  return [...matches]
    .sort((a, b) => order.indexOf(tierOf(a)) - order.indexOf(tierOf(b)) || byRank(a, b))
    .slice(0, limit)
    .map((u) => ({ ...u, proximity: tierOf(u) }));
}

describe('Typeahead user tiers', () => {
  const name = fc.stringMatching(/^[abc]{1,3}$/);
  const worldArb = fc.integer({ min: 1, max: 30 }).chain((n) =>
    fc.record({
      users: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc
            .record({ username: name, fullName: name, followerCount: fc.integer({ min: 0, max: 4 }) })
            .map((u): UserEntry => ({ id: idOf(i), ...u })),
        ),
      ),
      follows: fc
        .uniqueArray(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), {
          maxLength: 4 * n,
          selector: ([a, b]) => `${a}:${b}`,
        })
        .map((edges) => edges.filter(([a, b]) => a !== b)),
    }),
  );

  it('ranks followees, then their followees, then everyone, each best first (brute force)', async () => {
    await fc.assert(
      fc.asyncProperty(
        worldArb,
        fc.boolean(),
        fc.nat(),
        fc.boolean(),
        fc.stringMatching(/^[abc]{1,2}$/),
        fc.integer({ min: 1, max: 6 }),
        async (world, compact, viewerPick, anonymous, q, limit) => {
          const viewer = anonymous ? undefined : viewerPick % world.users.length;
          const typeahead = await build(world, compact);
          const result = await typeahead.suggest({
            q,
            viewer: viewer === undefined ? undefined : idOf(viewer),
            limit,
          });
          expect(result.users).toEqual(expected(world, viewer, q, limit));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('treats an unknown viewer as no viewer', async () => {
    const world: World = {
      users: [
        { id: idOf(0), username: 'ann', fullName: 'ann', followerCount: 1 },
        { id: idOf(1), username: 'abe', fullName: 'abe', followerCount: 2 },
      ],
      follows: [[0, 1]],
    };
    const typeahead = await build(world, false);
    const result = await typeahead.suggest({ q: 'a', viewer: '999999', limit: 5 });
    expect(result.users.map((u) => [u.id, u.proximity])).toEqual([
      [idOf(1), 'none'],
      [idOf(0), 'none'],
    ]);
  });

  it('filters the best 1000 overall matches by a second tier too large to send as ids', async () => {
    // The viewer (0) follows a hub (1) that follows users 501..6500: a second tier of 6000.
    const n = 7000;
    const users: UserEntry[] = Array.from({ length: n }, (_, i) => ({
      id: idOf(i),
      username: `u${i}`,
      fullName: 'someone',
      followerCount: 100_000 - i,
    }));
    const follows: [number, number][] = [[0, 1]];
    for (let i = 501; i <= 6500; i++) follows.push([1, i]);
    const typeahead = await build({ users, follows }, true);
    const result = await typeahead.suggest({ q: 'u', viewer: idOf(0), limit: 8 });
    const tier = new Set(Array.from({ length: 6000 }, (_, k) => idOf(k + 501)));
    const top1000 = [...users].sort(byRank).slice(0, 1000);
    const fromTier = top1000.filter((u) => tier.has(u.id));
    // The followee (1) first, then the tier's best among the top 1000.
    expect(result.users.map((u) => [u.id, u.proximity])).toEqual([
      [idOf(1), 'following'],
      ...fromTier.slice(0, 7).map((u) => [u.id, 'second']),
    ]);
  });
});
