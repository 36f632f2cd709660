import fc from 'fast-check';
import { RoaringBitmap32 } from 'roaring';
import { UniverseFilter } from '../query/engine/universe-filter';

const TOP = 2 ** 32 - 2;
/** Ids from a few containers, plus the very top of the dense id space. */
const idArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 3 * 65536 }), weight: 6 },
  { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 6 },
  // Rare: a set reaching the top spans 65536 containers, which is slow to build.
  { arbitrary: fc.integer({ min: TOP - 3, max: TOP }), weight: 1 },
);
const opArb = fc.oneof(
  fc.record({ op: fc.constant('add' as const), id: idArb }),
  fc.record({ op: fc.constant('remove' as const), id: idArb }),
  fc.record({ op: fc.constant('reset' as const), ids: fc.array(idArb, { maxLength: 30 }) }),
);

describe('universe filter', () => {
  it('restricts any bitmap to exactly the set it tracks', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { maxLength: 60 }),
        fc.array(idArb, { maxLength: 60 }),
        fc.boolean(),
        (ops, probe, optimize) => {
          const filter = new UniverseFilter();
          const model = new Set<number>();
          for (const o of ops) {
            if (o.op === 'add') {
              model.add(o.id);
              filter.added(o.id);
            } else if (o.op === 'remove') {
              // The index reports a removal only for a member it held.
              if (model.delete(o.id)) filter.removed(o.id);
            } else {
              model.clear();
              for (const id of o.ids) model.add(id);
              filter.reset(new RoaringBitmap32(o.ids));
            }
          }
          if (optimize) filter.optimize();
          const bm = new RoaringBitmap32(probe);
          filter.restrict(bm);
          expect(bm.toArray()).toEqual([...new Set(probe)].filter((x) => model.has(x)).sort((a, b) => a - b));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('keeps everything below the ceiling when nothing has left', () => {
    const filter = new UniverseFilter();
    filter.reset(RoaringBitmap32.fromRange(0, 200_000));
    const bm = RoaringBitmap32.fromRange(150_000, 250_000);
    filter.restrict(bm);
    expect(bm.size).toBe(50_000);
    expect(bm.maximum()).toBe(199_999);
  });
});
