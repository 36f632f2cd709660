import fc from 'fast-check';
import { PostingIndex, QueryEngine, type PostingOp, type QueryNode } from '../query/engine';
import { seededRandom } from '../platform/seeded-random';

/**
 * The engine over media ids spread across several roaring containers, with
 * posting lists dense enough to become bitsets and apply fan-outs wide enough
 * that the planner picks both union plans. The oracle is plain Sets of dense
 * ids built from the same generated description.
 */
interface Wide {
  users: number;
  media: number[];
  author: Map<number, number>;
  tags: Map<string, Set<number>>;
  follows: Set<string>;
  live: Set<number>;
  compaction: 'none' | 'before-deletes' | 'after-deletes';
}

const TAGS = ['dense', 'mid', 'sparse', 'rare'];
const KEY = 65536;

const wideArb: fc.Arbitrary<Wide> = fc
  .record({
    seed: fc.integer(),
    users: fc.integer({ min: 2, max: 36 }),
    keys: fc.integer({ min: 1, max: 3 }),
    perKey: fc.integer({ min: 1, max: 9000 }),
    followRate: fc.constantFrom(0.1, 0.5, 0.9),
    compaction: fc.constantFrom('none' as const, 'before-deletes' as const, 'after-deletes' as const),
  })
  .map(({ seed, users, keys, perKey, followRate, compaction }) => {
    const r = seededRandom(seed);
    const media: number[] = [];
    for (let k = 0; k < keys; k++) {
      const start = k * KEY + Math.floor(r() * 2000);
      for (let i = 0; i < perKey && start + i < (k + 1) * KEY; i++) if (r() < 0.8) media.push(start + i);
    }
    const author = new Map<number, number>();
    const tags = new Map<string, Set<number>>(TAGS.map((t) => [t, new Set<number>()]));
    const rates: Record<string, number> = { dense: 0.7, mid: 0.1, sparse: 0.004 };
    for (const m of media) {
      // Skewed, so a few users post most of the media.
      author.set(m, Math.floor(r() * r() * users));
      for (const t of ['dense', 'mid', 'sparse']) if (r() < rates[t]!) tags.get(t)!.add(m);
    }
    for (let i = 0; i < 3 && media.length > 0; i++)
      tags.get('rare')!.add(media[Math.floor(r() * media.length)]!);
    const follows = new Set<string>();
    for (let a = 0; a < users; a++)
      for (let b = 0; b < users; b++) if (a !== b && r() < followRate) follows.add(`${a}>${b}`);
    const live = new Set(media.filter(() => r() < 0.9));
    return { users, media, author, tags, follows, live, compaction };
  });

const userExternal = (u: number) => String(5000 + u);

function buildIndex(w: Wide): PostingIndex {
  const index = new PostingIndex();
  const ops: PostingOp[] = [];
  for (let u = 0; u < w.users; u++) {
    index.ids.user.getOrAssign(userExternal(u));
    ops.push({ op: 'add', term: { kind: 'users' }, member: u });
  }
  for (const edge of w.follows) {
    const [a, b] = edge.split('>').map(Number) as [number, number];
    ops.push({ op: 'add', term: { kind: 'follows', id: a }, member: b });
    ops.push({ op: 'add', term: { kind: 'followers', id: b }, member: a });
  }
  for (const m of w.media) {
    ops.push({ op: 'add', term: { kind: 'live' }, member: m });
    ops.push({ op: 'add', term: { kind: 'author', id: w.author.get(m)! }, member: m });
  }
  for (const [tag, ids] of w.tags)
    for (const m of ids) ops.push({ op: 'add', term: { kind: 'tag', tag }, member: m });
  index.apply(ops);
  if (w.compaction === 'before-deletes') index.compact();
  // Deleted media leave the live set; every other one is also purged from its lists, the rest linger.
  const deletes: PostingOp[] = [];
  w.media.forEach((m, i) => {
    if (w.live.has(m)) return;
    deletes.push({ op: 'remove', term: { kind: 'live' }, member: m });
    if (i % 2 === 0) return;
    deletes.push({ op: 'remove', term: { kind: 'author', id: w.author.get(m)! }, member: m });
    for (const [tag, ids] of w.tags)
      if (ids.has(m)) deletes.push({ op: 'remove', term: { kind: 'tag', tag }, member: m });
  });
  index.apply(deletes);
  if (w.compaction === 'after-deletes') index.compact();
  return index;
}

type Typed = { type: 'media' | 'user'; ids: Set<number> };

function oracle(w: Wide, node: QueryNode): Typed {
  const users = new Set(Array.from({ length: w.users }, (_, u) => u));
  const userOf = (ext: string) => Number(ext) - 5000;
  const media = (pred: (m: number) => boolean): Typed => ({
    type: 'media',
    ids: new Set([...w.live].filter(pred)),
  });
  const edges = (pred: (a: number, b: number) => boolean, pick: (a: number, b: number) => number): Typed => {
    const out = new Set<number>();
    for (const e of w.follows) {
      const [a, b] = e.split('>').map(Number) as [number, number];
      if (pred(a, b)) out.add(pick(a, b));
    }
    return { type: 'user', ids: out };
  };
  const run = (n: QueryNode): Typed => {
    switch (n.op) {
      case 'term': {
        if (n.kind === 'tag') return media((m) => w.tags.get(n.value)?.has(m) ?? false);
        if (n.kind === 'author') return media((m) => w.author.get(m) === userOf(n.value));
        if (n.kind === 'is') return n.value === 'user' ? { type: 'user', ids: users } : media(() => true);
        if (n.kind === 'user') return { type: 'user', ids: new Set([userOf(n.value)]) };
        const u = userOf(n.value);
        return n.kind === 'follows'
          ? edges(
              (a) => a === u,
              (_, b) => b,
            )
          : edges(
              (_, b) => b === u,
              (a) => a,
            );
      }
      case 'and':
      case 'or':
      case 'difference':
      case 'atleast': {
        const parts = n.args.map(run);
        const counts = new Map<number, number>();
        for (const p of parts) for (const x of p.ids) counts.set(x, (counts.get(x) ?? 0) + 1);
        const keep = (x: number) => {
          if (n.op === 'and') return counts.get(x) === parts.length;
          if (n.op === 'or') return true;
          if (n.op === 'atleast') return counts.get(x)! >= n.k;
          return parts[0]!.ids.has(x) && parts.slice(1).every((p) => !p.ids.has(x));
        };
        return { type: parts[0]!.type, ids: new Set([...counts.keys()].filter(keep)) };
      }
      case 'not': {
        const inner = run(n.arg);
        const universe = inner.type === 'media' ? w.live : users;
        return { type: inner.type, ids: new Set([...universe].filter((x) => !inner.ids.has(x))) };
      }
      case 'apply': {
        const who = run(n.arg).ids;
        if (n.kind === 'author') return media((m) => who.has(w.author.get(m)!));
        return n.kind === 'follows'
          ? edges(
              (a) => who.has(a),
              (_, b) => b,
            )
          : edges(
              (_, b) => who.has(b),
              (a) => a,
            );
      }
    }
  };
  return run(node);
}

function queryArb(users: number): fc.Arbitrary<QueryNode> {
  const user = fc.integer({ min: 0, max: users - 1 }).map(userExternal);
  const trees = fc.letrec<{ media: QueryNode; user: QueryNode }>((tie) => {
    const nary = (op: 'and' | 'or' | 'difference', arg: fc.Arbitrary<QueryNode>) =>
      fc
        .array(arg, { minLength: op === 'difference' ? 2 : 1, maxLength: 4 })
        .map((args): QueryNode => ({ op, args }));
    const atleast = (arg: fc.Arbitrary<QueryNode>) =>
      fc
        .array(arg, { minLength: 2, maxLength: 4 })
        .chain((args) =>
          fc.integer({ min: 1, max: args.length }).map((k): QueryNode => ({ op: 'atleast', k, args })),
        );
    const sets = (kind: 'media' | 'user') => {
      const arg = tie(kind);
      return [
        nary('and', arg),
        nary('or', arg),
        nary('difference', arg),
        atleast(arg),
        arg.map((a): QueryNode => ({ op: 'not', arg: a })),
      ];
    };
    return {
      media: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...TAGS, 'unseen').map((value): QueryNode => ({ op: 'term', kind: 'tag', value })),
        user.map((value): QueryNode => ({ op: 'term', kind: 'author', value })),
        fc.constant<QueryNode>({ op: 'term', kind: 'is', value: 'live' }),
        ...sets('media'),
        tie('user').map((arg): QueryNode => ({ op: 'apply', kind: 'author', arg })),
      ),
      user: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc
          .tuple(fc.constantFrom('follows' as const, 'followers' as const, 'user' as const), user)
          .map(([kind, value]): QueryNode => ({ op: 'term', kind, value })),
        fc.constant<QueryNode>({ op: 'term', kind: 'is', value: 'user' }),
        ...sets('user'),
        fc
          .tuple(fc.constantFrom('follows' as const, 'followers' as const), tie('user'))
          .map(([kind, arg]): QueryNode => ({ op: 'apply', kind, arg })),
      ),
    };
  });
  // The shapes the bench times (a tag AND an apply over a follow list), which the random trees rarely hit.
  const viewers = fc.oneof(
    user.map((value): QueryNode => ({ op: 'term', kind: 'follows', value })),
    fc.constant<QueryNode>({ op: 'term', kind: 'is', value: 'user' }),
    trees.user,
  );
  const tag = fc.constantFrom(...TAGS).map((value): QueryNode => ({ op: 'term', kind: 'tag', value }));
  const shaped = fc
    .tuple(tag, viewers, fc.constantFrom('and', 'or', 'difference'))
    .map(([t, arg, op]): QueryNode => {
      const apply: QueryNode = { op: 'apply', kind: 'author', arg };
      return op === 'or' ? { op: 'and', args: [t, { op, args: [apply, t] }] } : { op, args: [t, apply] };
    });
  return fc.oneof(
    trees.media,
    trees.user,
    shaped,
    viewers.map((arg): QueryNode => ({ op: 'apply', kind: 'author', arg })),
  );
}

const scenario = wideArb.chain((w) =>
  fc.tuple(fc.constant(w), fc.array(queryArb(w.users), { minLength: 1, maxLength: 6 })),
);

describe('query engine over ids spread across containers', () => {
  it('matches the Set oracle, and pages the newest first with an exact total', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 50 }), ([w, trees], limit) => {
        const engine = new QueryEngine(buildIndex(w), { limits: { maxDepth: 64, maxTerms: 1000 } });
        for (const tree of trees) {
          const checked = engine.check(tree);
          const want = oracle(w, tree);
          expect(checked.type).toBe(want.type);
          const sorted = [...want.ids].sort((a, b) => a - b);
          expect(engine.evaluate(checked).toArray()).toEqual(sorted);
          const page = engine.search(checked, { limit, externalIds: false });
          expect(page.total).toBe(sorted.length);
          expect(page.dense).toEqual(sorted.reverse().slice(0, limit));
        }
      }),
      { numRuns: 60 },
    );
  });
});
