/** First index in `keys[from, to)` whose key is not below `key` (plain JS string order). */
export function lowerBound(keys: readonly string[], key: string, from = 0, to = keys.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * lowerBound for a key expected near `from`: probes from+1, from+3, from+7, …
 * then bisects the last gap, so placing m sorted keys into n costs
 * O(m log(n/m)) comparisons instead of n.
 */
export function gallopLowerBound(
  keys: readonly string[],
  key: string,
  from: number,
  to = keys.length,
): number {
  let lo = from;
  let hi = from;
  let step = 1;
  while (hi < to && keys[hi]! < key) {
    lo = hi + 1;
    hi = from + step;
    step *= 2;
  }
  return lowerBound(keys, key, lo, Math.min(hi, to));
}

/** First index in `keys[from, to)` whose key is above `key`. */
export function upperBound(keys: readonly string[], key: string, from = 0, to = keys.length): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid]! <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The range of sorted `keys` that start with `prefix`. Keys with a given
 * prefix are contiguous in code-unit order, and after the first one every key
 * either has the prefix or sorts after all that do, so the end is a second
 * binary search on `startsWith`.
 */
export function prefixRange(keys: readonly string[], prefix: string, length = keys.length): [number, number] {
  const lo = lowerBound(keys, prefix, 0, length);
  let a = lo;
  let b = length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (keys[mid]!.startsWith(prefix)) a = mid + 1;
    else b = mid;
  }
  return [lo, a];
}

/** Merges two key-sorted lists of (key, slot) pairs into one. */
export function mergeSortedPairs(
  a: { keys: readonly string[]; slots: Int32Array },
  b: { keys: readonly string[]; slots: Int32Array },
): { keys: string[]; slots: Int32Array } {
  const n = a.keys.length + b.keys.length;
  const keys = new Array<string>(n);
  const slots = new Int32Array(n);
  let i = 0;
  let j = 0;
  for (let out = 0; out < n; out++) {
    if (j >= b.keys.length || (i < a.keys.length && a.keys[i]! <= b.keys[j]!)) {
      keys[out] = a.keys[i]!;
      slots[out] = a.slots[i++]!;
    } else {
      keys[out] = b.keys[j]!;
      slots[out] = b.slots[j++]!;
    }
  }
  return { keys, slots };
}
