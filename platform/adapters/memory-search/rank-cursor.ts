import type { RankTree } from './rank-tree';

/**
 * Walks the live leaves of a base range best first. The range is covered by
 * O(log n) tree nodes; each step takes the best of them, descends to its
 * leaf, and hides that leaf by re-pulling the path up to the cover node, so a
 * step costs O(log n) comparisons however deep into the range it goes (a heap
 * of pending siblings would grow by log n per step and get slower). `release`
 * puts the hidden leaves back and must run before the tree is used otherwise;
 * `reset` calls it. A slot with several keys in the range comes out once per
 * key; callers dedupe.
 */
export class RankCursor {
  private tree: RankTree | undefined;
  private cover: number[] = [];
  /** Hidden leaves as (leaf, cover node, slot, hint) quadruples, in hiding order. */
  private hidden: number[] = [];

  reset(tree: RankTree, lo: number, hi: number): this {
    this.release();
    this.tree = tree;
    this.cover.length = 0;
    if (lo < hi) tree.cover(lo, hi, (node) => this.cover.push(node));
    return this;
  }

  /** The next slot, best first, or -1 when the range is exhausted. */
  next(): number {
    const tree = this.tree;
    if (!tree) return -1;
    let best = -1;
    for (const node of this.cover) {
      if (tree.slotAt(node) >= 0 && (best < 0 || !tree.beats(best, node))) best = node;
    }
    if (best < 0) return -1;
    const leaf = tree.bestLeafUnder(best);
    const slot = tree.slotAt(leaf);
    this.hidden.push(leaf, best, slot, tree.hintAt(leaf));
    tree.suppress(leaf, best);
    return slot;
  }

  /** Restores the hidden leaves; each restore re-pulls its whole path, so the order does not matter. */
  release(): void {
    const tree = this.tree;
    const h = this.hidden;
    if (tree)
      for (let i = h.length - 4; i >= 0; i -= 4) tree.unsuppress(h[i]!, h[i + 1]!, h[i + 2]!, h[i + 3]!);
    h.length = 0;
    this.tree = undefined;
  }
}
