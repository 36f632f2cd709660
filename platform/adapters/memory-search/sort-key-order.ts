export interface KeyOrder {
  /** order[i] is the index in `keys` of the i-th smallest key. */
  order: Int32Array;
  /** repeats[i] is 1 when the i-th smallest key equals the (i-1)-th. */
  repeats: Uint8Array;
}

/**
 * Sorts string keys in plain JS string order (UTF-16 code units, as `<`).
 *
 * A comparison sort reads two strings scattered over the heap per step, and
 * at millions of keys those cache misses are the whole cost. Instead each
 * round packs the next few code units of every key in a group (ranked densely
 * among the code units that occur, 0 meaning "past the end") together with
 * the key's position in the group into one float64 below 2^53, sorts those
 * natively, and carries only the subgroups that still tie into the next
 * round. Small groups need few position bits, so later rounds take more code
 * units at once. Groups that tie and have ended hold equal strings, which the
 * caller can use to share one copy.
 */
/** Below this, a JS insertion sort beats creating a subarray and calling the native sort. */
const SMALL_GROUP = 24;

export function sortKeyOrder(keys: readonly string[]): KeyOrder {
  const n = keys.length;
  const order = new Int32Array(n);
  const repeats = new Uint8Array(n);
  if (n === 0) return { order, repeats };

  const unitRank = new Int32Array(0x10000);
  const lens = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    lens[i] = key.length;
    for (let j = 0; j < key.length; j++) unitRank[key.charCodeAt(j)] = 1;
  }
  let distinct = 0;
  for (let c = 0; c < 0x10000; c++) if (unitRank[c] !== 0) unitRank[c] = ++distinct;
  const unitBits = Math.max(1, Math.ceil(Math.log2(distinct + 1)));
  const unitScale = 2 ** unitBits;

  for (let i = 0; i < n; i++) order[i] = i;
  const packed = new Float64Array(n);
  const group = new Int32Array(n);
  // Groups still to sort: [lo, hi) sharing their first `from` code units.
  const stack: number[] = [0, n, 0];
  while (stack.length > 0) {
    const from = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    const size = hi - lo;
    const positionBits = Math.max(1, Math.ceil(Math.log2(size)));
    const positionScale = 2 ** positionBits;
    const to = from + Math.max(1, Math.floor((53 - positionBits) / unitBits));
    for (let i = lo; i < hi; i++) {
      const x = order[i]!;
      group[i] = x;
      const key = keys[x]!;
      const len = lens[x]!;
      let code = 0;
      for (let j = from; j < to; j++) code = code * unitScale + (j < len ? unitRank[key.charCodeAt(j)]! : 0);
      packed[i] = code * positionScale + (i - lo);
    }
    if (size <= SMALL_GROUP) insertionSort(packed, lo, hi);
    else packed.subarray(lo, hi).sort();

    let start = lo;
    let startCode = -1;
    let longer = false;
    for (let i = lo; i <= hi; i++) {
      let code = -1;
      if (i < hi) {
        const v = packed[i]!;
        code = Math.floor(v / positionScale);
        const x = group[lo + v - code * positionScale]!;
        order[i] = x;
        if (code === startCode) {
          if (!longer && lens[x]! > to) longer = true;
          continue;
        }
      }
      if (i - start > 1) {
        if (longer) stack.push(start, i, to);
        else for (let j = start + 1; j < i; j++) repeats[j] = 1;
      }
      if (i < hi) {
        start = i;
        startCode = code;
        longer = lens[order[i]!]! > to;
      }
    }
  }
  return { order, repeats };
}

function insertionSort(a: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= lo && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
}
