import type { RankTree } from './rank-tree';

/**
 * Walks the live leaves of a base range best first: a binary heap of tree
 * nodes, seeded with the range's cover. Each step pops the best node and
 * descends to its best leaf, pushing the sibling passed at every level, so a
 * step costs O(log n) and the first k leaves cost O(k log n) however large
 * the range. A slot with several keys in the range comes out once per key;
 * callers dedupe.
 */
export class RankCursor {
  private heap = new Int32Array(64);
  private size = 0;
  private tree!: RankTree;

  reset(tree: RankTree, lo: number, hi: number): this {
    this.tree = tree;
    this.size = 0;
    if (lo < hi) tree.cover(lo, hi, (node) => this.push(node));
    return this;
  }

  /** The next slot, best first, or -1 when the range is exhausted. */
  next(): number {
    if (this.size === 0) return -1;
    const tree = this.tree;
    let node = this.pop();
    while (!tree.isLeaf(node)) {
      const left = 2 * node;
      const leftWins = tree.beats(left, left + 1);
      const loser = leftWins ? left + 1 : left;
      if (tree.slotAt(loser) >= 0) this.push(loser);
      node = leftWins ? left : left + 1;
    }
    return tree.slotAt(node);
  }

  private push(node: number): void {
    if (this.size === this.heap.length) {
      const bigger = new Int32Array(this.heap.length * 2);
      bigger.set(this.heap);
      this.heap = bigger;
    }
    const heap = this.heap;
    const tree = this.tree;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (tree.beats(heap[parent]!, node)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = node;
  }

  private pop(): number {
    const heap = this.heap;
    const tree = this.tree;
    const top = heap[0]!;
    const last = heap[--this.size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size && !tree.beats(heap[child]!, heap[child + 1]!)) child++;
      if (tree.beats(last, heap[child]!)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
