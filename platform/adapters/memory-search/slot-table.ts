import { hashId } from './id-hash';
import { IdTable } from './id-table';
import { sortKeyOrder } from './sort-key-order';

export const LEVEL = { overlay: 0, delta: 1, base: 2 } as const;

/**
 * Per-entry state in parallel arrays indexed by a dense slot number, so the
 * rank tree and the candidate scans read typed arrays instead of objects.
 * A removed slot is reused by the next new id.
 *
 * Order: rank descending, then id ascending in plain JS string order
 * (UTF-16 code units, the `<` operator), so "10" comes before "9" and "B"
 * before "a". Comparing ids means touching two strings scattered over the
 * heap, so `seq` caches each id's position in that order; it is refreshed at
 * every base merge and is -1 for slots created since, which fall back to
 * comparing the strings.
 */
export class SlotTable<E> {
  ids: string[] = [];
  entries: (E | undefined)[] = [];
  rank = new Float64Array(16);
  seq = new Int32Array(16);
  /** hashId of each slot's id. */
  idHash = new Int32Array(16);
  /** Bumped whenever a slot's key set changes, so stale overlay pairs can be recognised. */
  gen = new Int32Array(16);
  /** Where the slot's current keys are (LEVEL): live leaves of the base or the delta, or overlay/pending pairs. */
  level = new Uint8Array(16);
  /** Dedupe marks for one query; compared against `stamp`. */
  seen = new Uint32Array(16);
  private stamp = 0;
  private readonly byId = new IdTable(
    () => this.ids,
    () => this.idHash,
  );
  private readonly free: number[] = [];
  private used = 0;
  /** Slots in id order as of the last refresh; `seq[order[i]] === i` while still valid. */
  private order = new Int32Array(0);

  get size(): number {
    return this.byId.size;
  }

  /** Slots ever handed out; every live slot is below this. */
  get highWater(): number {
    return this.used;
  }

  slotOf(id: string, h = hashId(id)): number {
    return this.byId.find(id, h);
  }

  /** `slotOf(id)` if `accept` takes it, else -1; `accept` runs first, so rejected ids cost no string reads. */
  slotOfIf(id: string, accept: (slot: number) => boolean): number {
    return this.byId.findAccepted(id, hashId(id), accept);
  }

  isLive(slot: number): boolean {
    return this.entries[slot] !== undefined;
  }

  allocate(id: string, entry: E, rank: number): number {
    const slot = this.free.pop() ?? this.used++;
    if (slot >= this.rank.length) this.grow(slot + 1);
    this.ids[slot] = id;
    this.entries[slot] = entry;
    this.rank[slot] = rank;
    this.seq[slot] = -1;
    this.level[slot] = LEVEL.overlay;
    this.idHash[slot] = hashId(id);
    this.byId.insert(slot);
    return slot;
  }

  release(slot: number): void {
    this.byId.remove(slot);
    this.ids[slot] = '';
    this.entries[slot] = undefined;
    this.seq[slot] = -1;
    this.level[slot] = LEVEL.overlay;
    this.gen[slot]!++;
    this.free.push(slot);
  }

  /** True when `a` ranks strictly before `b`. */
  outranks(a: number, b: number): boolean {
    const ra = this.rank[a]!;
    const rb = this.rank[b]!;
    if (ra !== rb) return ra > rb;
    return this.idBefore(a, b);
  }

  idBefore(a: number, b: number): boolean {
    const sa = this.seq[a]!;
    const sb = this.seq[b]!;
    if (sa >= 0 && sb >= 0) return sa < sb;
    return this.ids[a]! < this.ids[b]!;
  }

  /** Starts a new dedupe generation for `seen`. */
  nextStamp(): number {
    if (++this.stamp === 0xffffffff) {
      this.seen.fill(0);
      this.stamp = 1;
    }
    return this.stamp;
  }

  /** Re-derives `seq` for every live slot: keeps the old order, merges in the slots created since. */
  refreshOrder(): void {
    const kept: number[] = [];
    for (let i = 0; i < this.order.length; i++) {
      const slot = this.order[i]!;
      if (this.seq[slot] === i) kept.push(slot);
    }
    const fresh: number[] = [];
    for (let slot = 0; slot < this.used; slot++) {
      if (this.seq[slot] === -1 && this.entries[slot] !== undefined) fresh.push(slot);
    }
    const freshIds = fresh.map((slot) => this.ids[slot]!);
    const sorted = sortKeyOrder(freshIds).order;
    const order = new Int32Array(kept.length + fresh.length);
    let k = 0;
    let out = 0;
    for (let j = 0; j < sorted.length; j++) {
      const slot = fresh[sorted[j]!]!;
      const id = this.ids[slot]!;
      // Binary search in the kept ids: few fresh slots, many kept ones.
      let lo = k;
      let hi = kept.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (this.ids[kept[mid]!]! < id) lo = mid + 1;
        else hi = mid;
      }
      while (k < lo) order[out++] = kept[k++]!;
      order[out++] = slot;
    }
    while (k < kept.length) order[out++] = kept[k++]!;
    for (let i = 0; i < order.length; i++) this.seq[order[i]!] = i;
    this.order = order;
  }

  clear(): void {
    this.ids = [];
    this.entries = [];
    this.rank = new Float64Array(0);
    this.seq = new Int32Array(0);
    this.idHash = new Int32Array(0);
    this.gen = new Int32Array(0);
    this.level = new Uint8Array(0);
    this.seen = new Uint32Array(0);
    this.order = new Int32Array(0);
    this.byId.clear();
    this.free.length = 0;
    this.used = 0;
  }

  private grow(min: number): void {
    const cap = Math.max(min, this.rank.length * 2, 16);
    this.rank = grown(this.rank, new Float64Array(cap));
    this.seq = grown(this.seq, new Int32Array(cap));
    this.idHash = grown(this.idHash, new Int32Array(cap));
    this.gen = grown(this.gen, new Int32Array(cap));
    this.level = grown(this.level, new Uint8Array(cap));
    this.seen = grown(this.seen, new Uint32Array(cap));
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array | Uint32Array>(from: T, to: T): T {
  to.set(from as never);
  return to;
}
