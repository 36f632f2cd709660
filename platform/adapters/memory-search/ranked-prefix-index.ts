import { foldedPrefixKeys } from '../../text/fold-text';
import { CandidateSet } from './candidate-set';
import { KeyOverlay } from './key-overlay';
import { PrefixBase } from './prefix-base';
import { PrefixQuery, type OnlyIdsStrategy, type QueryParts } from './prefix-query';
import { RankCursor } from './rank-cursor';
import { LEVEL, SlotTable } from './slot-table';
import { sortKeyOrder } from './sort-key-order';
import { mergeSortedPairs } from './sorted-keys';

/** How one kind's entries are read: id, rank and the names whose folded prefixes match. */
export interface KindShape<E> {
  idOf(entry: E): string;
  rankOf(entry: E): number;
  namesOf(entry: E): readonly string[];
}

export interface RankedPrefixIndexOptions {
  /** Keys the overlay holds before they move to the delta level. */
  overlayLimit?: number;
  /** Keys the delta level holds before it is merged into the base; by default 1/16 of the base, 16k to 256k. */
  deltaLimit?: number;
}

export interface IndexStats {
  entries: number;
  baseKeys: number;
  deltaKeys: number;
  overlayKeys: number;
  pendingKeys: number;
  deltaMerges: number;
  baseMerges: number;
}

const DEFAULT_OVERLAY_LIMIT = 4096;

/**
 * One kind's typeahead index, in three levels of sorted (folded key, slot)
 * pairs: the base (everything as of the last full merge, with a rank tree),
 * the delta (the same structure for keys written since, rebuilt in time
 * proportional to its own size), and the overlay (the latest few thousand
 * keys in sorted chunks, scanned per query). Keys written by the current call
 * wait in a pending list until `flush`.
 *
 * A write that only changes the rank re-ranks the slot's leaves in place; a
 * write that changes the keys kills them and adds the new keys as pending.
 * A full overlay is merged into a new delta; a full delta into a new base
 * (linear in the base, so rare: every 1/16 of the base in new keys).
 */
export class RankedPrefixIndex<E> {
  private readonly slots = new SlotTable<E>();
  private readonly base: PrefixBase;
  private readonly delta: PrefixBase;
  private readonly overlay = new KeyOverlay();
  /** Current keys of slots whose keys are in the overlay or pending, by slot. */
  private overlayKeys: (readonly string[] | undefined)[] = [];
  private pendingKeys: string[] = [];
  private pendingSlots: number[] = [];
  private pendingGens: number[] = [];
  private readonly parts: QueryParts;
  private deltaMerges = 0;
  private baseMerges = 0;

  constructor(
    private readonly shape: KindShape<E>,
    private readonly options: RankedPrefixIndexOptions = {},
  ) {
    const slots = this.slots as SlotTable<unknown>;
    this.base = new PrefixBase(slots);
    this.delta = new PrefixBase(slots);
    this.parts = {
      slots,
      base: this.base,
      delta: this.delta,
      overlay: this.overlay,
      cursors: [new RankCursor(), new RankCursor()],
      candidates: new CandidateSet(
        () => this.slots.ids,
        () => this.slots.idHash,
      ),
      overlayKeysOf: (slot) => this.overlayKeys[slot] ?? [],
    };
  }

  get size(): number {
    return this.slots.size;
  }

  get(id: string): E | undefined {
    const s = this.slots.slotOf(id);
    return s < 0 ? undefined : this.slots.entries[s];
  }

  /** Writes one entry; new keys become visible at the next `flush`. */
  upsert(entry: E): void {
    const { slots, shape } = this;
    const id = shape.idOf(entry);
    const rank = shape.rankOf(entry);
    let s = slots.slotOf(id);
    if (s < 0) {
      s = slots.allocate(id, entry, rank);
      this.attach(s, keysOfNames(shape.namesOf(entry)));
      return;
    }
    const previous = slots.entries[s]!;
    slots.entries[s] = entry;
    if (!sameNames(shape.namesOf(previous), shape.namesOf(entry))) {
      const keys = keysOfNames(shape.namesOf(entry));
      if (!sameKeySet(this.currentKeys(s), keys)) {
        this.detach(s);
        slots.rank[s] = rank;
        this.attach(s, keys);
        return;
      }
    }
    if (slots.rank[s] === rank) return;
    slots.rank[s] = rank;
    this.levelOf(s)?.refreshRank(s);
  }

  remove(id: string): void {
    const s = this.slots.slotOf(id);
    if (s < 0) return;
    this.detach(s);
    this.slots.release(s);
  }

  /** Makes pending keys searchable, moving levels down as they fill. */
  flush(): void {
    const n = this.pendingKeys.length;
    if (n === 0) return;
    if (this.delta.liveLength + this.overlay.length + n > this.deltaLimit()) {
      this.mergeBase();
      return;
    }
    if (this.overlay.length + n > (this.options.overlayLimit ?? DEFAULT_OVERLAY_LIMIT)) {
      this.mergeDelta();
      return;
    }
    const gen = this.slots.gen;
    for (let i = 0; i < n; i++) {
      const s = this.pendingSlots[i]!;
      const g = this.pendingGens[i]!;
      if (gen[s] === g) this.overlay.insert(this.pendingKeys[i]!, s, g);
    }
    this.clearPending();
  }

  /** The best `limit` entries whose keys start with the folded `prefix`; call `flush` first. */
  suggest(
    prefix: string,
    limit: number,
    onlyIds: readonly string[] | undefined,
    strategy: OnlyIdsStrategy,
  ): { id: string; entry: E }[] {
    const query = new PrefixQuery(this.parts, prefix, limit);
    const hits = onlyIds === undefined ? query.all() : query.only(onlyIds, strategy);
    return hits.map((s) => ({ id: this.slots.ids[s]!, entry: this.slots.entries[s]! }));
  }

  stats(): IndexStats {
    return {
      entries: this.slots.size,
      baseKeys: this.base.liveLength,
      deltaKeys: this.delta.liveLength,
      overlayKeys: this.overlay.length,
      pendingKeys: this.pendingKeys.length,
      deltaMerges: this.deltaMerges,
      baseMerges: this.baseMerges,
    };
  }

  clear(): void {
    this.slots.clear();
    this.base.clear();
    this.delta.clear();
    this.overlay.clear();
    this.overlayKeys = [];
    this.clearPending();
  }

  private deltaLimit(): number {
    return this.options.deltaLimit ?? Math.min(262_144, Math.max(16_384, this.base.liveLength >> 4));
  }

  private levelOf(s: number): PrefixBase | undefined {
    const level = this.slots.level[s];
    return level === LEVEL.base ? this.base : level === LEVEL.delta ? this.delta : undefined;
  }

  private currentKeys(s: number): readonly string[] {
    return this.levelOf(s)?.keysOf(s) ?? this.overlayKeys[s] ?? [];
  }

  private attach(s: number, keys: readonly string[]): void {
    this.overlayKeys[s] = keys;
    const gen = this.slots.gen[s]!;
    for (const key of keys) {
      this.pendingKeys.push(key);
      this.pendingSlots.push(s);
      this.pendingGens.push(gen);
    }
  }

  private detach(s: number): void {
    this.levelOf(s)?.kill(s);
    this.slots.level[s] = LEVEL.overlay;
    this.slots.gen[s]!++;
    this.overlayKeys[s] = undefined;
  }

  /** Current overlay and pending pairs, sorted by key, equal keys sharing one string. */
  private sortedRecentPairs(): { keys: string[]; slots: Int32Array } {
    let keys = this.pendingKeys;
    let owners = this.pendingSlots;
    let gens = this.pendingGens;
    if (this.overlay.length > 0) {
      keys = [];
      owners = [];
      gens = [];
      const collect = (key: string, s: number, g: number) => {
        keys.push(key);
        owners.push(s);
        gens.push(g);
      };
      this.overlay.forEach(collect);
      for (let i = 0; i < this.pendingKeys.length; i++) {
        collect(this.pendingKeys[i]!, this.pendingSlots[i]!, this.pendingGens[i]!);
      }
    }
    const { order, repeats } = sortKeyOrder(keys);
    const gen = this.slots.gen;
    const sortedKeys = new Array<string>(order.length);
    const sortedSlots = new Int32Array(order.length);
    let runHead = '';
    let out = 0;
    for (let i = 0; i < order.length; i++) {
      const x = order[i]!;
      if (repeats[i] === 0) runHead = keys[x]!;
      if (gen[owners[x]!] !== gens[x]) continue;
      sortedKeys[out] = runHead;
      sortedSlots[out++] = owners[x]!;
    }
    sortedKeys.length = out;
    return { keys: sortedKeys, slots: sortedSlots.subarray(0, out) };
  }

  private mergeDelta(): void {
    const recent = this.sortedRecentPairs();
    this.delta.rebuild(recent.keys, recent.slots, this.slots.highWater);
    this.promote(recent.slots, LEVEL.delta);
    this.deltaMerges++;
  }

  /** Everything into a new base: the delta's live pairs are sorted already, the recent ones get sorted. */
  private mergeBase(): void {
    const added = mergeSortedPairs(this.delta.livePairs(), this.sortedRecentPairs());
    this.slots.refreshOrder();
    this.base.rebuild(added.keys, added.slots, this.slots.highWater);
    this.delta.clear();
    this.promote(added.slots, LEVEL.base);
    this.baseMerges++;
  }

  private promote(slots: Int32Array, level: number): void {
    for (const s of slots) {
      this.slots.level[s] = level;
      this.overlayKeys[s] = undefined;
    }
    this.overlay.clear();
    this.clearPending();
  }

  private clearPending(): void {
    this.pendingKeys = [];
    this.pendingSlots = [];
    this.pendingGens = [];
  }
}

function keysOfNames(names: readonly string[]): string[] {
  if (names.length === 1) return foldedPrefixKeys(names[0]!);
  const keys: string[] = [];
  for (const name of names) for (const key of foldedPrefixKeys(name)) if (!keys.includes(key)) keys.push(key);
  return keys;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

function sameKeySet(current: readonly string[], next: readonly string[]): boolean {
  return current.length === next.length && next.every((key) => current.includes(key));
}
