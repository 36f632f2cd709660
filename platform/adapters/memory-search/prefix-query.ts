import type { CandidateSet } from './candidate-set';
import { hashId } from './id-hash';
import type { KeyOverlay } from './key-overlay';
import type { PrefixBase } from './prefix-base';
import type { RankCursor } from './rank-cursor';
import { LEVEL, type SlotTable } from './slot-table';
import { TopHits } from './top-hits';

export type OnlyIdsStrategy = 'auto' | 'by-ids' | 'by-range' | 'by-rank';

/**
 * Costs in µs behind the `auto` choice, measured at 1M users on the bench
 * machine: hashing one caller id, probing it in the candidate table,
 * resolving it in the kind's id table and testing its keys (several cold
 * cache lines), adding one range key to the candidates, and pulling one slot
 * from the rank cursor. Only their ratios matter.
 */
const COST = { hash: 0.08, probe: 0.03, idLookup: 1.5, rangeKey: 0.15, cursorStep: 1 };
const FIRST_RANK_BATCH = 64;

export interface QueryParts {
  slots: SlotTable<unknown>;
  base: PrefixBase;
  delta: PrefixBase;
  overlay: KeyOverlay;
  /** One per tree level: base, delta. */
  cursors: [RankCursor, RankCursor];
  candidates: CandidateSet;
  /** Current keys of a slot whose keys live in the overlay. */
  overlayKeysOf(slot: number): readonly string[];
}

/**
 * One suggest over one kind: the folded prefix's range in the base, the
 * delta and the overlay, and the ways to pick the best `limit` slots from
 * them. A slot's live keys are in exactly one level, so the levels never
 * report the same slot.
 */
export class PrefixQuery {
  private readonly baseLo: number;
  private readonly baseHi: number;
  private readonly deltaLo: number;
  private readonly deltaHi: number;
  private hashes = new Int32Array(0);
  /** The next slot of each tree level's cursor, -1 when done. */
  private readonly heads = [-1, -1];

  constructor(
    private readonly parts: QueryParts,
    private readonly prefix: string,
    private readonly limit: number,
  ) {
    [this.baseLo, this.baseHi] = parts.base.range(prefix);
    [this.deltaLo, this.deltaHi] = parts.delta.range(prefix);
  }

  all(): number[] {
    try {
      return this.best();
    } finally {
      this.releaseCursors();
    }
  }

  only(ids: readonly string[], strategy: OnlyIdsStrategy): number[] {
    try {
      return this.bestOf(ids, strategy);
    } finally {
      this.releaseCursors();
    }
  }

  private best(): number[] {
    const { slots } = this.parts;
    const top = new TopHits(slots, this.limit);
    const stamp = slots.nextStamp();
    this.forOverlay((s) => {
      if (slots.seen[s] === stamp) return;
      slots.seen[s] = stamp;
      top.offer(s);
    });
    this.startCursors();
    for (let s = this.nextBest(); s >= 0; s = this.nextBest()) {
      if (slots.seen[s] === stamp) continue;
      slots.seen[s] = stamp;
      if (top.full && !slots.outranks(s, top.worst)) break;
      top.offer(s);
    }
    return top.slots;
  }

  private bestOf(ids: readonly string[], strategy: OnlyIdsStrategy): number[] {
    let overlayPairs = 0;
    this.forOverlay(() => overlayPairs++);
    const range = this.baseHi - this.baseLo + (this.deltaHi - this.deltaLo) + overlayPairs;
    if (ids.length === 0 || range === 0) return [];
    switch (strategy) {
      case 'by-ids':
        return this.byIds(ids);
      case 'by-range':
        return this.byRange(ids);
      case 'by-rank':
        return this.byRank(ids, Number.POSITIVE_INFINITY);
      case 'auto': {
        const m = ids.length;
        const scan = m * (COST.hash + COST.probe);
        const idsCost = m * COST.idLookup;
        const rangeCost = range * COST.rangeKey + scan;
        // Caller ids spread evenly: about limit·n/m slots to pull before `limit` of them show up.
        const pulls = Math.min(range, (2 * this.limit * this.parts.slots.size) / m);
        const rankCost = scan + 2 * m * COST.probe + pulls * COST.cursorStep;
        if (rangeCost <= idsCost && rangeCost <= rankCost) return this.byRange(ids);
        if (rankCost < idsCost) return this.byRank(ids, 2 * idsCost);
        return this.byIds(ids);
      }
    }
  }

  /**
   * Few caller ids: resolve each one and test its keys. Most ids miss the
   * prefix, so the keys are tested on the slot the id hashes to before its
   * id string is read (each read is a cache miss at a million entries).
   */
  private byIds(ids: readonly string[]): number[] {
    const { slots } = this.parts;
    const top = new TopHits(slots, this.limit);
    const stamp = slots.nextStamp();
    const matches = (s: number) => this.matches(s);
    for (const id of ids) {
      const s = slots.slotOfIf(id, matches);
      if (s < 0 || slots.seen[s] === stamp) continue;
      slots.seen[s] = stamp;
      top.offer(s);
    }
    return top.slots;
  }

  /** Whether one of the slot's current keys starts with the prefix. */
  private matches(s: number): boolean {
    const level = this.parts.slots.level[s];
    return level === LEVEL.base
      ? this.parts.base.hasPositionIn(s, this.baseLo, this.baseHi)
      : level === LEVEL.delta
        ? this.parts.delta.hasPositionIn(s, this.deltaLo, this.deltaHi)
        : this.parts.overlayKeysOf(s).some((k) => k.startsWith(this.prefix));
  }

  /** A small range: every slot in it becomes a candidate, then one pass over the caller ids. */
  private byRange(ids: readonly string[]): number[] {
    const { slots, base, delta, candidates } = this.parts;
    const stamp = slots.nextStamp();
    const add = (s: number) => {
      if (slots.seen[s] === stamp) return;
      slots.seen[s] = stamp;
      candidates.add(s);
    };
    this.forOverlay(add);
    for (let p = this.baseLo; p < this.baseHi; p++) {
      const s = base.tree.leafSlot(p);
      if (s >= 0) add(s);
    }
    for (let p = this.deltaLo; p < this.deltaHi; p++) {
      const s = delta.tree.leafSlot(p);
      if (s >= 0) add(s);
    }
    const top = new TopHits(slots, this.limit);
    this.scan(ids, top);
    return top.slots;
  }

  /**
   * A large range and many caller ids: take the range's slots best first in
   * batches and test the caller ids against each batch, until the hits are
   * known to be the best ones. Each batch is sized from the hit rate so far.
   * If the caller ids turn out sparse in this range and the work passes
   * `budget`, look them up one by one instead.
   */
  private byRank(ids: readonly string[], budget: number): number[] {
    const { slots, candidates } = this.parts;
    const top = new TopHits(slots, this.limit);
    const stamp = slots.nextStamp();
    const add = (s: number) => {
      slots.seen[s] = stamp;
      candidates.add(s);
    };
    this.forOverlay((s) => {
      if (slots.seen[s] !== stamp) add(s);
    });
    this.startCursors();
    let batch = Math.max(FIRST_RANK_BATCH, 4 * this.limit);
    let spent = ids.length * COST.hash;
    let pulledSoFar = 0;
    for (;;) {
      let last = -1;
      let pulled = 0;
      while (pulled < batch) {
        const s = this.nextBest();
        if (s < 0) break;
        if (slots.seen[s] === stamp) continue;
        add(s);
        last = s;
        pulled++;
      }
      this.scan(ids, top);
      spent += ids.length * COST.probe + pulled * COST.cursorStep;
      pulledSoFar += pulled;
      if (pulled < batch) return top.slots;
      // Every slot not yet pulled ranks below `last`.
      if (top.full && (top.worst === last || slots.outranks(top.worst, last))) return top.slots;
      const missing = this.limit - top.slots.length;
      const rate = top.slots.length / pulledSoFar;
      batch = Math.ceil(rate > 0 && missing > 0 ? (1.5 * missing) / rate : 2 * pulledSoFar);
      batch = Math.min(Math.max(batch, FIRST_RANK_BATCH), 4 * pulledSoFar);
      if (spent + ids.length * COST.probe + batch * COST.cursorStep > budget) {
        this.releaseCursors();
        return this.byIds(ids);
      }
    }
  }

  /** Offers every caller id that is a candidate (each once), then empties the candidates. */
  private scan(ids: readonly string[], top: TopHits): void {
    const { candidates } = this.parts;
    if (candidates.size > 0) {
      const hashes = this.callerHashes(ids);
      for (let i = 0; i < ids.length; i++) {
        const s = candidates.take(ids[i]!, hashes[i]!);
        if (s < 0) continue;
        top.offer(s);
        if (candidates.size === 0) break;
      }
    }
    candidates.clear();
  }

  /** Hashes of the caller ids, computed once per query however many rounds scan them. */
  private callerHashes(ids: readonly string[]): Int32Array {
    if (this.hashes.length !== ids.length) {
      this.hashes = new Int32Array(ids.length);
      for (let i = 0; i < ids.length; i++) this.hashes[i] = hashId(ids[i]!);
    }
    return this.hashes;
  }

  private releaseCursors(): void {
    this.parts.cursors[0].release();
    this.parts.cursors[1].release();
  }

  private startCursors(): void {
    const { base, delta, cursors } = this.parts;
    this.heads[0] = cursors[0].reset(base.tree, this.baseLo, this.baseHi).next();
    this.heads[1] = cursors[1].reset(delta.tree, this.deltaLo, this.deltaHi).next();
  }

  /** The better of the two levels' next slots: both cursors run best first. */
  private nextBest(): number {
    const [a, b] = this.heads as [number, number];
    if (a < 0 && b < 0) return -1;
    const takeA = b < 0 || (a >= 0 && this.parts.slots.outranks(a, b));
    this.heads[takeA ? 0 : 1] = this.parts.cursors[takeA ? 0 : 1].next();
    return takeA ? a : b;
  }

  private forOverlay(visit: (slot: number) => void): void {
    const gen = this.parts.slots.gen;
    this.parts.overlay.forRange(this.prefix, (s, g) => {
      if (g === gen[s]) visit(s);
    });
  }
}
