import fc from 'fast-check';
import { QueryEngine, formatQuery, parseQuery, type QueryNode } from '../query/engine';
import { bruteForce } from './support/brute-force-query';
import { buildIndex, worldArb, type World } from './support/engine-world';

/** Random well-typed query trees over a world's vocabulary. */
function queryArb(world: World): { media: fc.Arbitrary<QueryNode>; user: fc.Arbitrary<QueryNode> } {
  const unknownId = '18446744073709551615';
  const userId = fc.constantFrom(...world.users, unknownId);
  const trees = fc.letrec<{ media: QueryNode; user: QueryNode }>((tie) => {
    const media = tie('media');
    const user = tie('user');
    const nary = (op: 'and' | 'or' | 'difference', arg: fc.Arbitrary<QueryNode>) =>
      fc
        .array(arg, { minLength: op === 'difference' ? 2 : 1, maxLength: 4 })
        .map((args): QueryNode => ({ op, args }));
    const atleast = (arg: fc.Arbitrary<QueryNode>) =>
      fc
        .array(arg, { minLength: 1, maxLength: 4 })
        .chain((args) =>
          fc.integer({ min: 1, max: args.length }).map((k): QueryNode => ({ op: 'atleast', k, args })),
        );
    return {
      media: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc
          .constantFrom(...world.tags, 'unseen')
          .map((value): QueryNode => ({ op: 'term', kind: 'tag', value })),
        userId.map((value): QueryNode => ({ op: 'term', kind: 'author', value })),
        fc
          .constantFrom(...world.locations, unknownId)
          .map((value): QueryNode => ({ op: 'term', kind: 'loc', value })),
        fc.constantFrom('live', 'public').map((value): QueryNode => ({ op: 'term', kind: 'is', value })),
        nary('and', media),
        nary('or', media),
        nary('difference', media),
        atleast(media),
        media.map((arg): QueryNode => ({ op: 'not', arg })),
        user.map((arg): QueryNode => ({ op: 'apply', kind: 'author', arg })),
      ),
      user: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc
          .tuple(
            fc.constantFrom('follows', 'followers', 'user') as fc.Arbitrary<'follows' | 'followers' | 'user'>,
            userId,
          )
          .map(([kind, value]): QueryNode => ({ op: 'term', kind, value })),
        fc.constant<QueryNode>({ op: 'term', kind: 'is', value: 'user' }),
        nary('and', user),
        nary('or', user),
        nary('difference', user),
        atleast(user),
        user.map((arg): QueryNode => ({ op: 'not', arg })),
        fc
          .tuple(fc.constantFrom('follows', 'followers') as fc.Arbitrary<'follows' | 'followers'>, user)
          .map(([kind, arg]): QueryNode => ({ op: 'apply', kind, arg })),
      ),
    };
  });
  return trees;
}

const scenario = worldArb.chain((world) => {
  const q = queryArb(world);
  return fc.tuple(fc.constant(world), fc.oneof(q.media, q.user));
});

const engineOf = (world: World) =>
  new QueryEngine(buildIndex(world), { limits: { maxDepth: 64, maxTerms: 1000 } });

describe('query engine against a brute-force Set evaluator', () => {
  it('evaluates random query trees to the same set', () => {
    fc.assert(
      fc.property(scenario, ([world, tree]) => {
        const engine = engineOf(world);
        const checked = engine.check(tree);
        const expected = bruteForce(world, tree);
        expect(checked.type).toBe(expected.type);
        const space = checked.type === 'media' ? engine.index.ids.media : engine.index.ids.user;
        const got = new Set(
          engine
            .evaluate(checked)
            .toArray()
            .map((d) => space.external(d)),
        );
        expect([...got].sort()).toEqual([...expected.ids].sort());
      }),
      { numRuns: 400 },
    );
  });

  it('the text form parses back to the same results', () => {
    fc.assert(
      fc.property(scenario, ([world, tree]) => {
        const engine = engineOf(world);
        const viaText = engine.check(parseQuery(formatQuery(tree), { maxDepth: 64 }));
        const direct = engine.check(tree);
        expect(engine.evaluate(viaText).toArray()).toEqual(engine.evaluate(direct).toArray());
      }),
      { numRuns: 150 },
    );
  });

  it('pages come newest first, cover the result exactly once, and count it exactly', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 1, max: 7 }), ([world, tree], limit) => {
        const engine = engineOf(world);
        const checked = engine.check(tree);
        const expected = bruteForce(world, tree);
        // Newest first means reverse arrival order, which the oracle knows independently.
        const arrival = checked.type === 'media' ? world.media.map((m) => m.id) : world.users;
        const order = [...expected.ids].sort((a, b) => arrival.indexOf(b) - arrival.indexOf(a));
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let pages = 0; pages < 1000; pages++) {
          const page = engine.search(checked, { limit, cursor });
          expect(page.total).toBe(expected.ids.size);
          expect(page.ids.length).toBeLessThanOrEqual(limit);
          seen.push(...page.ids);
          if (!page.nextCursor) break;
          cursor = page.nextCursor;
        }
        expect(seen).toEqual(order);
      }),
      { numRuns: 200 },
    );
  });
});
