import type { SlotTable } from './slot-table';

/** Float32 holds every integer up to 2^24 exactly; above that, equal hints need the exact ranks. */
const EXACT_HINT_LIMIT = 2 ** 24;

/**
 * A max segment tree over the sorted base keys: leaf p holds the slot whose
 * key sits at position p (-1 once dead), each inner node the best slot below
 * it. The usual bottom-up layout (leaves at n..2n-1) works for any n; the
 * nodes a range decomposition yields cover contiguous leaves, so descending
 * from them stays inside the range.
 *
 * Nodes also keep their slot's rank as a float32 hint next to the slot, so a
 * comparison reads the tree's own arrays instead of the scattered rank array;
 * float32 rounding is monotone, so unequal hints order ranks correctly.
 */
export class RankTree {
  private n = 0;
  private slot = new Int32Array(0);
  private hint = new Float32Array(0);

  constructor(private readonly slots: SlotTable<unknown>) {}

  get length(): number {
    return this.n;
  }

  build(leafSlots: Int32Array): void {
    const n = leafSlots.length;
    this.n = n;
    this.slot = new Int32Array(2 * n);
    this.hint = new Float32Array(2 * n);
    const rank = this.slots.rank;
    for (let p = 0; p < n; p++) {
      const s = leafSlots[p]!;
      this.slot[n + p] = s;
      this.hint[n + p] = s < 0 ? Number.NEGATIVE_INFINITY : rank[s]!;
    }
    for (let i = n - 1; i >= 1; i--) this.pull(i);
  }

  leafSlot(p: number): number {
    return this.slot[this.n + p]!;
  }

  slotAt(node: number): number {
    return this.slot[node]!;
  }

  /** Re-reads the rank of the slot at leaf p. */
  refresh(p: number): void {
    const leaf = this.n + p;
    const s = this.slot[leaf]!;
    this.hint[leaf] = s < 0 ? Number.NEGATIVE_INFINITY : this.slots.rank[s]!;
    this.propagate(leaf);
  }

  kill(p: number): void {
    const leaf = this.n + p;
    this.slot[leaf] = -1;
    this.hint[leaf] = Number.NEGATIVE_INFINITY;
    this.propagate(leaf);
  }

  /** True when node a's best is at least as good as node b's (a dead node never beats a live one). */
  beats(a: number, b: number): boolean {
    const ha = this.hint[a]!;
    const hb = this.hint[b]!;
    if (ha !== hb) return ha > hb;
    const sa = this.slot[a]!;
    const sb = this.slot[b]!;
    if (sa === sb || sb < 0) return true;
    if (sa < 0) return false;
    if (ha >= EXACT_HINT_LIMIT) {
      const ra = this.slots.rank[sa]!;
      const rb = this.slots.rank[sb]!;
      if (ra !== rb) return ra > rb;
    }
    return this.slots.idBefore(sa, sb);
  }

  /** Calls `visit` with the nodes that exactly cover leaves [lo, hi), skipping dead ones. */
  cover(lo: number, hi: number, visit: (node: number) => void): void {
    let l = lo + this.n;
    let r = hi + this.n;
    while (l < r) {
      if (l & 1) {
        if (this.slot[l]! >= 0) visit(l);
        l++;
      }
      if (r & 1) {
        r--;
        if (this.slot[r]! >= 0) visit(r);
      }
      l >>= 1;
      r >>= 1;
    }
  }

  isLeaf(node: number): boolean {
    return node >= this.n;
  }

  /** The leaf below `node` that holds the node's best slot. */
  bestLeafUnder(node: number): number {
    let v = node;
    while (v < this.n) v = this.slot[2 * v] === this.slot[v] ? 2 * v : 2 * v + 1;
    return v;
  }

  /**
   * Hides a leaf for the rest of a query: marks it dead and re-pulls its
   * ancestors up to and including `top` (a cover node), leaving everything
   * above `top` untouched. `unsuppress` with the saved values undoes it.
   */
  suppress(leaf: number, top: number): void {
    this.slot[leaf] = -1;
    this.hint[leaf] = Number.NEGATIVE_INFINITY;
    for (let i = leaf >> 1; i >= top; i >>= 1) this.pull(i);
  }

  unsuppress(leaf: number, top: number, slot: number, hint: number): void {
    this.slot[leaf] = slot;
    this.hint[leaf] = hint;
    for (let i = leaf >> 1; i >= top; i >>= 1) this.pull(i);
  }

  hintAt(node: number): number {
    return this.hint[node]!;
  }

  clear(): void {
    this.n = 0;
    this.slot = new Int32Array(0);
    this.hint = new Float32Array(0);
  }

  private pull(i: number): void {
    const l = 2 * i;
    const w = this.beats(l, l + 1) ? l : l + 1;
    this.slot[i] = this.slot[w]!;
    this.hint[i] = this.hint[w]!;
  }

  private propagate(leaf: number): void {
    for (let i = leaf >> 1; i >= 1; i >>= 1) this.pull(i);
  }
}
