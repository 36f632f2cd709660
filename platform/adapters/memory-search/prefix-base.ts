import { RankTree } from './rank-tree';
import type { SlotTable } from './slot-table';
import { gallopLowerBound, prefixRange } from './sorted-keys';

/**
 * One sorted level of a kind's keys (the base or the delta): an array of
 * (folded key, slot) pairs, the rank tree over it, and each slot's positions
 * in it (compressed rows by slot) so a rank change or a rename touches only
 * that slot's leaves. It is immutable apart from killing leaves and
 * re-ranking them; new keys reach it by `rebuild`, a merge with sorted pairs.
 */
export class PrefixBase {
  keys: string[] = [];
  readonly tree: RankTree;
  /** Leaves not killed since the last rebuild. */
  private live = 0;
  private posStart = new Int32Array(1);
  private posList = new Int32Array(0);

  constructor(slots: SlotTable<unknown>) {
    this.tree = new RankTree(slots);
  }

  get length(): number {
    return this.keys.length;
  }

  get liveLength(): number {
    return this.live;
  }

  range(prefix: string): [number, number] {
    return prefixRange(this.keys, prefix);
  }

  /** Marks the slot's leaves dead, as when it is renamed or removed. */
  kill(slot: number): void {
    if (slot + 1 >= this.posStart.length) return;
    for (let i = this.posStart[slot]!; i < this.posStart[slot + 1]!; i++) {
      const p = this.posList[i]!;
      if (this.tree.leafSlot(p) !== slot) continue;
      this.tree.kill(p);
      this.live--;
    }
  }

  /** The live pairs in key order. */
  livePairs(): { keys: string[]; slots: Int32Array } {
    const keys: string[] = new Array<string>(this.live);
    const slots = new Int32Array(this.live);
    let out = 0;
    for (let p = 0; p < this.keys.length; p++) {
      const s = this.tree.leafSlot(p);
      if (s < 0) continue;
      keys[out] = this.keys[p]!;
      slots[out++] = s;
    }
    return { keys, slots };
  }

  refreshRank(slot: number): void {
    if (slot + 1 >= this.posStart.length) return;
    for (let i = this.posStart[slot]!; i < this.posStart[slot + 1]!; i++) this.tree.refresh(this.posList[i]!);
  }

  keysOf(slot: number): string[] {
    const out: string[] = [];
    if (slot + 1 >= this.posStart.length) return out;
    for (let i = this.posStart[slot]!; i < this.posStart[slot + 1]!; i++)
      out.push(this.keys[this.posList[i]!]!);
    return out;
  }

  /** Whether one of the slot's keys sits in [lo, hi): a prefix match without touching a string. */
  hasPositionIn(slot: number, lo: number, hi: number): boolean {
    if (slot + 1 >= this.posStart.length) return false;
    for (let i = this.posStart[slot]!; i < this.posStart[slot + 1]!; i++) {
      const p = this.posList[i]!;
      if (p >= lo && p < hi) return true;
    }
    return false;
  }

  /**
   * Replaces the base with its live pairs merged with `addKeys`/`addSlots`
   * (sorted by key): each addition is placed by galloping search and the live
   * runs between them are copied without comparing. An added key equal to a
   * base key takes the base's string, so repeated words are stored once.
   */
  rebuild(addKeys: readonly string[], addSlots: Int32Array, slotCount: number): void {
    const old = this.keys;
    const tree = this.tree;
    const total = this.live + addKeys.length;
    const outKeys: string[] = new Array<string>(total);
    const leaves = new Int32Array(total);
    let out = 0;
    let i = 0;
    const copyLiveUntil = (end: number) => {
      for (; i < end; i++) {
        const s = tree.leafSlot(i);
        if (s >= 0) {
          outKeys[out] = old[i]!;
          leaves[out++] = s;
        }
      }
    };
    for (let j = 0; j < addKeys.length; j++) {
      let key = addKeys[j]!;
      copyLiveUntil(gallopLowerBound(old, key, i));
      if (i < old.length && old[i] === key) key = old[i]!;
      outKeys[out] = key;
      leaves[out++] = addSlots[j]!;
    }
    copyLiveUntil(old.length);

    const posStart = new Int32Array(slotCount + 1);
    for (let p = 0; p < leaves.length; p++) posStart[leaves[p]! + 1]!++;
    for (let s = 0; s < slotCount; s++) posStart[s + 1]! += posStart[s]!;
    const fill = posStart.slice(0, slotCount);
    const posList = new Int32Array(leaves.length);
    for (let p = 0; p < leaves.length; p++) posList[fill[leaves[p]!]!++] = p;

    this.keys = outKeys;
    this.posStart = posStart;
    this.posList = posList;
    this.live = total;
    tree.build(leaves);
  }

  clear(): void {
    this.keys = [];
    this.posStart = new Int32Array(1);
    this.posList = new Int32Array(0);
    this.live = 0;
    this.tree.clear();
  }
}
