import fc from 'fast-check';
import { RoaringBitmap32 } from 'roaring';
import { FrozenPostingsBuilder } from '../query/engine/frozen-postings';
import { IdBuffer } from '../query/engine/id-buffer';
import { PostingIndex } from '../query/engine/posting-index';

/** Sorted distinct values, the oracle for every list read. */
const sortedUnique = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);

/**
 * Lists that exercise all three container kinds: scattered ids (array),
 * dense blocks (bitset), and long ranges (run, after runOptimize), with
 * keys above 0x8000 so the high half of the uint32 range is covered.
 */
const listArb = fc
  .array(
    fc.oneof(
      fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 40 }),
      fc
        .tuple(
          fc.nat({ max: 0xffff }),
          fc.array(fc.nat({ max: 0xffff }), { minLength: 4100, maxLength: 4500 }),
        )
        .map(([key, lows]) => lows.map((low) => key * 0x10000 + low)),
      fc
        .tuple(fc.nat({ max: 0xffffffff - 70_000 }), fc.integer({ min: 1, max: 70_000 }))
        .map(([from, len]) => Array.from({ length: len }, (_, i) => from + i)),
    ),
    { maxLength: 3 },
  )
  .map((parts) => parts.flat());

describe('reading posting lists into an IdBuffer', () => {
  it('decodes frozen lists exactly (array, bitset and run containers)', () => {
    fc.assert(
      fc.property(fc.array(listArb, { minLength: 1, maxLength: 4 }), fc.boolean(), (lists, optimize) => {
        const builder = new FrozenPostingsBuilder();
        lists.forEach((values, id) => {
          const bm = new RoaringBitmap32(values);
          if (optimize) bm.runOptimize();
          builder.add({ kind: 'follows', id }, bm);
        });
        const base = builder.finish();
        const out = new IdBuffer();
        out.push(7);
        let expected = [7];
        lists.forEach((values, id) => {
          expect(base.appendById('follows', id, out)).toBe(values.length > 0);
          expected = expected.concat(sortedUnique(values));
        });
        expect(base.appendById('follows', lists.length + 5, out)).toBe(false);
        expect(base.appendById('followers', 0, out)).toBe(false);
        expect(Array.from(out.view())).toEqual(expected);
      }),
      // No shrinking: diffs of large id arrays make it take minutes; the seed still reproduces.
      { numRuns: 60, endOnFailure: true },
    );
  });

  it('reads delta and frozen lists alike, after a compact and after later writes', () => {
    const index = new PostingIndex();
    index.apply([
      { op: 'add', term: { kind: 'follows', id: 1 }, member: 9 },
      { op: 'add', term: { kind: 'follows', id: 1 }, member: 3 },
      { op: 'add', term: { kind: 'follows', id: 2 }, member: 0xfffffffe },
    ]);
    const read = (id: number) => {
      const out = new IdBuffer();
      out.push(42);
      index.appendByDenseId('follows', id, out);
      return Array.from(out.view());
    };
    // Hand-written expectations: the existing 42 stays, the list follows it ascending.
    expect(read(1)).toEqual([42, 3, 9]);
    expect(read(2)).toEqual([42, 0xfffffffe]);
    expect(read(3)).toEqual([42]);
    index.compact();
    expect(read(1)).toEqual([42, 3, 9]);
    expect(read(2)).toEqual([42, 0xfffffffe]);
    index.apply([
      { op: 'add', term: { kind: 'follows', id: 1 }, member: 5 },
      { op: 'remove', term: { kind: 'follows', id: 2 }, member: 0xfffffffe },
    ]);
    expect(read(1)).toEqual([42, 3, 5, 9]);
    expect(read(2)).toEqual([42]);
  });

  it('sortUnique sorts and drops repeats, across growth and clear', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 600 }), { maxLength: 4 }),
        (runs) => {
          const out = new IdBuffer();
          for (const run of runs) {
            out.clear();
            for (const v of run) out.push(v);
            out.sortUnique();
            expect(Array.from(out.view())).toEqual(sortedUnique(run));
            expect(out.length).toBe(sortedUnique(run).length);
          }
        },
      ),
    );
  });
});
