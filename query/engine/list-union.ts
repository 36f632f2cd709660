import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';

/** Ids per roaring container: the cost model counts containers. */
const CONTAINER_BITS = 16;
/** The scratch plan holds one 8 KiB bitset per container of its range; past this it is not an option. */
const MAX_SCRATCH_CONTAINERS = 8192;

/**
 * Rough costs in µs, fitted on the 10M-media bench corpus (per container
 * unless named per element). They only have to rank the two plans.
 */
const COST = {
  // Pairwise with `within`: the intersects() check, then AND + OR for lists that meet it.
  check: 0.02,
  pair: 0.15,
  pairElement: 0.001,
  // Pairwise union: an OR chain.
  chain: 0.36,
  chainElement: 0.006,
  // Scratch: building, complementing and freeing the range, then clearing each list.
  range: 2.5,
  rangeUnion: 5,
  clear: 0.03,
  clearElement: 0.0016,
};

interface Span {
  lo: number;
  hi: number;
  size: number;
  /** Containers the set can occupy: no more than its members or its key range. */
  keys: number;
}

/**
 * `(∪ lists) ∧ within`, or the plain union without `within`: the body of
 * `apply`, where one query can expand thousands of posting lists.
 *
 * Two plans. Pairwise goes list by list (AND with `within`, OR into the
 * result), paying allocations for every container pair. Scratch starts from a
 * bitset of every id in range and clears each list out of it in place, a few
 * bit operations per container, then takes the complement. Scratch wins when
 * many lists cross the same containers (a popular viewer, a popular tag);
 * pairwise wins for a few lists or a sparse `within`. Both give the same set.
 */
export function unionOfLists(
  lists: readonly ReadonlyRoaringBitmap32[],
  within?: ReadonlyRoaringBitmap32,
): RoaringBitmap32 {
  const nonEmpty = lists.filter((bm) => !bm.isEmpty);
  if (nonEmpty.length === 0 || within?.isEmpty) return new RoaringBitmap32();
  if (nonEmpty.length === 1) {
    return within ? RoaringBitmap32.and(nonEmpty[0]!, within) : nonEmpty[0]!.clone();
  }
  const spans = nonEmpty.map(spanOf);
  const range = within ? spanOf(within) : unionSpan(spans);
  return scratchIsCheaper(spans, range, within !== undefined)
    ? scratchUnion(nonEmpty, range, within)
    : pairwiseUnion(nonEmpty, within);
}

/** The pairwise plan alone; exported so tests can hold both plans to one oracle. */
export function unionByPairs(
  lists: readonly ReadonlyRoaringBitmap32[],
  within?: ReadonlyRoaringBitmap32,
): RoaringBitmap32 {
  return pairwiseUnion(
    lists.filter((bm) => !bm.isEmpty),
    within,
  );
}

/** The scratch plan alone; exported for tests. */
export function unionByScratch(
  lists: readonly ReadonlyRoaringBitmap32[],
  within?: ReadonlyRoaringBitmap32,
): RoaringBitmap32 {
  const nonEmpty = lists.filter((bm) => !bm.isEmpty);
  if (nonEmpty.length === 0 || within?.isEmpty) return new RoaringBitmap32();
  return scratchUnion(nonEmpty, within ? spanOf(within) : unionSpan(nonEmpty.map(spanOf)), within);
}

function pairwiseUnion(
  lists: readonly ReadonlyRoaringBitmap32[],
  within: ReadonlyRoaringBitmap32 | undefined,
): RoaringBitmap32 {
  const acc = new RoaringBitmap32();
  if (!within) {
    // Largest first, so later lists merge into containers that are already bitsets.
    const sized = lists.map((bm) => ({ bm, size: bm.size })).sort((a, b) => b.size - a.size);
    for (const { bm } of sized) acc.orInPlace(bm);
    return acc;
  }
  for (const bm of lists) {
    if (!bm.intersects(within)) continue;
    const part = RoaringBitmap32.and(bm, within);
    acc.orInPlace(part);
    part.dispose();
  }
  return acc;
}

function scratchUnion(
  lists: readonly ReadonlyRoaringBitmap32[],
  range: Span,
  within: ReadonlyRoaringBitmap32 | undefined,
): RoaringBitmap32 {
  // Every id in range, as bitsets: fromRange alone gives run containers, which clear slowly.
  const missing = RoaringBitmap32.fromRange(range.lo, range.hi + 1);
  missing.removeRunCompression();
  for (const bm of lists) missing.andNotInPlace(bm);
  let out: RoaringBitmap32;
  if (within) {
    // `within` lies inside the range, so what it keeps is exactly what some list covered.
    out = RoaringBitmap32.andNot(within, missing);
  } else {
    out = RoaringBitmap32.fromRange(range.lo, range.hi + 1);
    out.andNotInPlace(missing);
  }
  missing.dispose();
  return out;
}

function scratchIsCheaper(spans: readonly Span[], range: Span, hasWithin: boolean): boolean {
  const rangeKeys = keyRange(range.lo, range.hi);
  if (rangeKeys > MAX_SCRATCH_CONTAINERS) return false;
  let pairwise = 0;
  let scratch = rangeKeys * (hasWithin ? COST.range : COST.rangeUnion);
  for (const { keys, size } of spans) {
    scratch += Math.min(keys, rangeKeys) * COST.clear;
    if (hasWithin) {
      // How likely the list meets `within` at all, were both spread evenly over the range.
      const meets = Math.min(1, (size * range.size) / (range.hi - range.lo + 1));
      const pairs = Math.min(keys, range.keys);
      pairwise += pairs * COST.check + meets * (pairs * COST.pair + size * COST.pairElement);
    } else {
      scratch += size * COST.clearElement;
      pairwise += keys * COST.chain + size * COST.chainElement;
    }
  }
  return scratch < pairwise;
}

function keyRange(lo: number, hi: number): number {
  return (hi >>> CONTAINER_BITS) - (lo >>> CONTAINER_BITS) + 1;
}

/** Only for non-empty sets. */
function spanOf(bm: ReadonlyRoaringBitmap32): Span {
  const lo = bm.minimum();
  const hi = bm.maximum();
  const size = bm.size;
  return { lo, hi, size, keys: Math.min(size, keyRange(lo, hi)) };
}

/** The range covering every span; its size and keys count the whole range. */
function unionSpan(spans: readonly Span[]): Span {
  let lo = spans[0]!.lo;
  let hi = spans[0]!.hi;
  for (const s of spans) {
    lo = Math.min(lo, s.lo);
    hi = Math.max(hi, s.hi);
  }
  return { lo, hi, size: hi - lo + 1, keys: keyRange(lo, hi) };
}
