import fc from 'fast-check';
import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';
import { unionByPairs, unionByScratch, unionOfLists } from '../query/engine/list-union';

const KEY = 2 ** 16;

/** A stretch of ids inside one container: dense runs, strided bitsets, or sparse arrays. */
const blockArb = fc.record({
  key: fc.integer({ min: 0, max: 5 }),
  from: fc.integer({ min: 0, max: KEY - 1 }),
  length: fc.integer({ min: 0, max: 12_000 }),
  step: fc.constantFrom(1, 2, 3, 7, 40, 900),
});
type Block = { key: number; from: number; length: number; step: number };

const setArb = fc.record({
  blocks: fc.array(blockArb, { maxLength: 3 }),
  scattered: fc.array(fc.integer({ min: 0, max: 6 * KEY - 1 }), { maxLength: 40 }),
  shape: fc.constantFrom('plain' as const, 'runs' as const, 'frozen' as const),
});
type SetSpec = { blocks: Block[]; scattered: number[]; shape: 'plain' | 'runs' | 'frozen' };

function members(spec: SetSpec, baseKey: number): number[] {
  const out = new Set<number>();
  for (const b of spec.blocks) {
    for (let i = 0, v = b.from; i < b.length && v < KEY; i++, v += b.step)
      out.add((baseKey + b.key) * KEY + v);
  }
  for (const x of spec.scattered) out.add(baseKey * KEY + x);
  return [...out];
}

/** The three shapes the index hands out: mutable, run-compressed, and zero-copy frozen views. */
function bitmapOf(ids: number[], shape: SetSpec['shape']): ReadonlyRoaringBitmap32 {
  const bm = new RoaringBitmap32(ids);
  if (shape === 'plain') return bm;
  bm.runOptimize();
  if (shape === 'runs') return bm;
  const buf = RoaringBitmap32.bufferAlignedAlloc(
    bm.getSerializationSizeInBytes('unsafe_frozen_croaring'),
    32,
  );
  bm.serialize('unsafe_frozen_croaring', buf);
  return RoaringBitmap32.unsafeFrozenView(buf, 'unsafe_frozen_croaring');
}

function expected(lists: number[][], within: number[] | undefined): number[] {
  const union = new Set(lists.flat());
  const out = within ? within.filter((x) => union.has(x)) : [...union];
  return out.sort((a, b) => a - b);
}

const caseArb = fc.record({
  lists: fc.array(setArb, { maxLength: 24 }),
  within: fc.option(setArb, { nil: undefined }),
  // Ids near the top of the 32-bit space too, where range ends meet 2^32.
  baseKey: fc.constantFrom(0, KEY - 6),
});

describe('union of posting lists', () => {
  it('both plans, and the planner, agree with a Set union (cut to `within` when given)', () => {
    fc.assert(
      fc.property(caseArb, ({ lists, within, baseKey }) => {
        const ids = lists.map((s) => members(s, baseKey));
        const withinIds = within && members(within, baseKey);
        const bms = lists.map((s, i) => bitmapOf(ids[i]!, s.shape));
        const withinBm = within && bitmapOf(withinIds!, within.shape);
        const want = expected(ids, withinIds);
        for (const plan of [unionOfLists, unionByPairs, unionByScratch]) {
          const got = plan(bms, withinBm);
          expect(got.toArray()).toEqual(want);
          got.dispose();
        }
        // The inputs are only read.
        bms.forEach((bm, i) => expect(bm.size).toBe(ids[i]!.length));
      }),
      { numRuns: 150 },
    );
  });

  it('many lists over a dense `within` (the case the scratch plan is for) stay exact', () => {
    const lists = Array.from({ length: 60 }, (_, u) => {
      const ids: number[] = [];
      for (let m = u; m < 5 * KEY; m += 61 + u) ids.push(m);
      return ids;
    });
    const within: number[] = [];
    for (let m = 0; m < 5 * KEY; m += 3) within.push(m);
    const got = unionOfLists(
      lists.map((l) => bitmapOf(l, 'frozen')),
      bitmapOf(within, 'frozen'),
    );
    expect(got.toArray()).toEqual(expected(lists, within));
  });

  it('gives an empty set for no lists, only empty lists, or an empty `within`', () => {
    const some = new RoaringBitmap32([1, 2, 3]);
    expect(unionOfLists([]).isEmpty).toBe(true);
    expect(unionOfLists([new RoaringBitmap32(), new RoaringBitmap32()]).isEmpty).toBe(true);
    expect(unionOfLists([some, some], new RoaringBitmap32()).isEmpty).toBe(true);
    expect(unionByScratch([some], new RoaringBitmap32()).isEmpty).toBe(true);
  });
});
