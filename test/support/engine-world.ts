import fc from 'fast-check';
import { PostingIndex, type PostingOp } from '../../query/engine';

/** A small social network described plainly: the oracle side of engine tests. */
export interface World {
  users: string[];
  locations: string[];
  tags: string[];
  media: {
    id: string;
    author: string;
    tags: string[];
    loc?: string;
    isPublic: boolean;
    deleted: boolean;
    purge: boolean;
  }[];
  follows: [string, string][];
  /** When the index folds its delta into the frozen base: exercises both tiers and copy-on-write. */
  compaction: 'none' | 'before-deletes' | 'after-deletes';
}

const id64 = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String);

export const worldArb: fc.Arbitrary<World> = fc
  .record({
    users: fc.uniqueArray(id64, { minLength: 1, maxLength: 12 }),
    locations: fc.uniqueArray(id64, { minLength: 1, maxLength: 4 }),
    tags: fc.constant<string[]>(['sun', 'sea', 'beach', 'cat', 'food', 'nsfw']),
    mediaIds: fc.uniqueArray(id64, { minLength: 0, maxLength: 60 }),
    seed: fc.array(fc.nat(1_000_000), { minLength: 300, maxLength: 300 }),
    compaction: fc.constantFrom('none' as const, 'before-deletes' as const, 'after-deletes' as const),
  })
  .map(({ users, locations, tags, mediaIds, seed, compaction }) => {
    let s = 0;
    const next = (n: number) => seed[s++ % seed.length]! % n;
    const media = mediaIds.map((id) => {
      const tagSet = tags.filter(() => next(3) === 0);
      return {
        id,
        author: users[next(users.length)]!,
        tags: tagSet,
        loc: next(2) === 0 ? locations[next(locations.length)] : undefined,
        isPublic: next(4) !== 0,
        deleted: next(5) === 0,
        // A deleted post is either purged from every list, or only from the live set (stale postings).
        purge: next(2) === 0,
      };
    });
    const follows: [string, string][] = [];
    for (const a of users) for (const b of users) if (a !== b && next(3) === 0) follows.push([a, b]);
    return { users, locations, tags, media, follows, compaction };
  });

/** Loads a world into a fresh index the way the indexer does: ids in arrival order, then deletes. */
export function buildIndex(world: World): PostingIndex {
  const index = new PostingIndex();
  const ops: PostingOp[] = [];
  for (const u of world.users)
    ops.push({ op: 'add', term: { kind: 'users' }, member: index.ids.user.getOrAssign(u) });
  for (const [a, b] of world.follows) {
    const da = index.ids.user.getOrAssign(a);
    const db = index.ids.user.getOrAssign(b);
    ops.push({ op: 'add', term: { kind: 'follows', id: da }, member: db });
    ops.push({ op: 'add', term: { kind: 'followers', id: db }, member: da });
  }
  for (const m of world.media) {
    const d = index.ids.media.getOrAssign(m.id);
    for (const t of m.tags) ops.push({ op: 'add', term: { kind: 'tag', tag: t }, member: d });
    ops.push({ op: 'add', term: { kind: 'author', id: index.ids.user.getOrAssign(m.author) }, member: d });
    if (m.loc)
      ops.push({ op: 'add', term: { kind: 'loc', id: index.ids.location.getOrAssign(m.loc) }, member: d });
    ops.push({ op: 'add', term: { kind: 'live' }, member: d });
    if (m.isPublic) ops.push({ op: 'add', term: { kind: 'public' }, member: d });
  }
  index.apply(ops);
  if (world.compaction === 'before-deletes') index.compact();
  const deletes: PostingOp[] = [];
  for (const m of world.media) {
    if (!m.deleted) continue;
    const d = index.ids.media.get(m.id)!;
    deletes.push(
      { op: 'remove', term: { kind: 'live' }, member: d },
      { op: 'remove', term: { kind: 'public' }, member: d },
    );
    if (!m.purge) continue;
    for (const t of m.tags) deletes.push({ op: 'remove', term: { kind: 'tag', tag: t }, member: d });
    deletes.push({ op: 'remove', term: { kind: 'author', id: index.ids.user.get(m.author)! }, member: d });
    if (m.loc)
      deletes.push({ op: 'remove', term: { kind: 'loc', id: index.ids.location.get(m.loc)! }, member: d });
  }
  index.apply(deletes);
  if (world.compaction === 'after-deletes') index.compact();
  return index;
}
