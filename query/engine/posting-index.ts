import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers/promises';
import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';
import { AppError } from '../../platform/errors';
import { DenseIdMap } from './dense-id-map';
import { FrozenPostings, FrozenPostingsBuilder, type SlotKey } from './frozen-postings';
import type { IdBuffer } from './id-buffer';
import type { IdSpace, SetType } from './set-type';
import { UniverseFilter } from './universe-filter';

/** Terms keyed by a dense id of the owning user or location. */
export type IdTermKind = 'author' | 'loc' | 'follows' | 'followers';
/** Whole-index sets: live media, public media, and every known user. */
export type UniverseKind = 'live' | 'public' | 'users';

export type TermRef =
  { kind: 'tag'; tag: string } | { kind: IdTermKind; id: number } | { kind: UniverseKind };

export interface PostingOp {
  op: 'add' | 'remove';
  term: TermRef;
  /** Dense id of the member (media or user, depending on the term). */
  member: number;
}

const MAX_DENSE = 0xfffffffe;
/** The shared empty list: frozen, so nobody can add to it by mistake. */
export const EMPTY_BITMAP: ReadonlyRoaringBitmap32 = (() => {
  const empty = new RoaringBitmap32();
  empty.freeze();
  return empty;
})();

/** Which id space each term's members come from. */
export const TERM_MEMBER_TYPE: Record<TermRef['kind'], SetType> = {
  tag: 'media',
  author: 'media',
  loc: 'media',
  live: 'media',
  public: 'media',
  follows: 'user',
  followers: 'user',
  users: 'user',
};

/**
 * Posting lists: one roaring bitmap per term, in two tiers. The base is a
 * compacted, frozen image of every list (see FrozenPostings); the delta holds
 * mutable copies of the lists written since the last compact(). A read takes
 * the delta's copy when there is one. Writes come in batches that are
 * validated first and then applied without yielding, so a reader on the
 * event loop sees all of a batch or none of it.
 */
export class PostingIndex {
  readonly ids: Record<IdSpace, DenseIdMap>;
  private base = FrozenPostings.empty();
  private readonly deltaTags = new Map<string, RoaringBitmap32>();
  private readonly deltaById: Record<IdTermKind, Map<number, RoaringBitmap32>> = {
    author: new Map(),
    loc: new Map(),
    follows: new Map(),
    followers: new Map(),
  };
  private readonly universes: Record<UniverseKind, RoaringBitmap32> = {
    live: new RoaringBitmap32(),
    public: new RoaringBitmap32(),
    users: new RoaringBitmap32(),
  };
  /** Results are cut down to these; the same sets as `live` and `users`, shaped for cheap filtering. */
  private readonly filters = { live: new UniverseFilter(), users: new UniverseFilter() };
  private writeLocks = 0;
  private readonly lockWaiters: (() => void)[] = [];
  private version = 0;

  constructor(ids?: Partial<Record<IdSpace, DenseIdMap>>) {
    this.ids = {
      media: ids?.media ?? new DenseIdMap(),
      user: ids?.user ?? new DenseIdMap(),
      location: ids?.location ?? new DenseIdMap(),
    };
  }

  /** Bumped on every applied batch; caches key on it. */
  get generation(): number {
    return this.version;
  }

  /** Lists written since the last compact(); the caller compacts when this grows. */
  get deltaLists(): number {
    let n = this.deltaTags.size;
    for (const kind of ID_KINDS) n += this.deltaById[kind].size;
    return n;
  }

  /** Bytes of the frozen tier. */
  get baseBytes(): number {
    return this.base.byteSize;
  }

  tag(tag: string): ReadonlyRoaringBitmap32 {
    return this.deltaTags.get(tag) ?? this.base.tag(tag) ?? EMPTY_BITMAP;
  }

  byDenseId(kind: IdTermKind, id: number): ReadonlyRoaringBitmap32 {
    return this.deltaById[kind].get(id) ?? this.base.byId(kind, id) ?? EMPTY_BITMAP;
  }

  /**
   * Appends the members of byDenseId(kind, id), ascending, to `out`, without
   * making a bitmap object for a frozen list (for hot paths that read many).
   */
  appendByDenseId(kind: IdTermKind, id: number, out: IdBuffer): void {
    const delta = this.deltaById[kind].get(id);
    if (delta === undefined) {
      this.base.appendById(kind, id, out);
      return;
    }
    const size = delta.size;
    if (size === 0) return;
    const at = out.length;
    delta.toUint32Array(out.reserve(size).subarray(at, at + size));
    out.commit(size);
  }

  universe(kind: UniverseKind): ReadonlyRoaringBitmap32 {
    return this.universes[kind];
  }

  /** The set `not` complements within. */
  universeOf(type: SetType): ReadonlyRoaringBitmap32 {
    return type === 'media' ? this.universes.live : this.universes.users;
  }

  /** Intersects `bm` in place with the universe of `type`, at a cost that follows the universe's gaps. */
  restrictToUniverse(bm: RoaringBitmap32, type: SetType): void {
    this.filters[type === 'media' ? 'live' : 'users'].restrict(bm);
  }

  get(term: TermRef): ReadonlyRoaringBitmap32 {
    if (term.kind === 'tag') return this.tag(term.tag);
    if (isUniverse(term)) return this.universes[term.kind];
    return this.byDenseId(term.kind, term.id);
  }

  /** Applies a batch atomically: nothing is changed if any op is invalid. */
  apply(ops: readonly PostingOp[]): void {
    this.assertWritable();
    for (const op of ops) validateOp(op);
    for (const op of ops) {
      const filter = op.term.kind === 'live' || op.term.kind === 'users' ? this.filters[op.term.kind] : null;
      if (op.op === 'add') {
        this.mutable(op.term).add(op.member);
        filter?.added(op.member);
      } else if (this.has(op.term, op.member)) {
        this.mutable(op.term).delete(op.member);
        filter?.removed(op.member);
      }
    }
    if (ops.length > 0) this.version++;
  }

  /** Bulk load of a whole posting list, for benchmarks and snapshot loading. */
  addMany(term: TermRef, members: Uint32Array | readonly number[]): void {
    this.assertWritable();
    validateTerm(term);
    this.mutable(term).addMany(members);
    this.resetFilter(term);
    this.version++;
  }

  /** Replaces a posting list wholesale (snapshot loading). */
  setBitmap(term: TermRef, bitmap: RoaringBitmap32): void {
    this.assertWritable();
    validateTerm(term);
    if (term.kind === 'tag') this.deltaTags.set(term.tag, bitmap);
    else if (isUniverse(term)) this.universes[term.kind] = bitmap;
    else this.deltaById[term.kind].set(term.id, bitmap);
    this.resetFilter(term);
    this.version++;
  }

  /** Every non-empty posting list, for snapshots and memory accounting. */
  *entries(): IterableIterator<[TermRef, ReadonlyRoaringBitmap32]> {
    for (const kind of UNIVERSES) yield [{ kind }, this.universes[kind]];
    for (const [tag, bm] of this.deltaTags) if (!bm.isEmpty) yield [{ kind: 'tag', tag }, bm];
    for (const kind of ID_KINDS) {
      for (const [id, bm] of this.deltaById[kind]) if (!bm.isEmpty) yield [{ kind, id }, bm];
    }
    for (const [key, bm] of this.base.entries()) {
      const shadowed =
        key.kind === 'tag' ? this.deltaTags.has(key.tag) : this.deltaById[key.kind].has(key.id);
      if (!shadowed) yield [key, bm];
    }
  }

  /**
   * Folds the delta into a new frozen base. Synchronous, so readers never
   * see a mix; compactInSlices() does the same without holding the event loop.
   */
  compact(): void {
    this.assertWritable();
    const build = this.buildCompacted();
    let step = build.next();
    while (!step.done) step = build.next();
    this.install(step.value);
  }

  /**
   * compact() in slices of about `sliceMs`, pausing between them so queries
   * are served meanwhile: they read the old tiers, which stay as they were.
   * Writes are refused (INDEX_LOCKED) until it ends. Snapshots may start
   * during a pause; the next slice waits for them, since a slice reshapes
   * delta lists a snapshot may be serializing. The swap is one synchronous step.
   */
  async compactInSlices(options: { sliceMs?: number; pause?: () => Promise<unknown> } = {}): Promise<void> {
    const { sliceMs = 5, pause = () => setImmediate() } = options;
    this.assertWritable();
    this.writeLocks++;
    try {
      const build = this.buildCompacted();
      let deadline = performance.now() + sliceMs;
      for (;;) {
        const step = build.next();
        if (step.done) {
          await this.otherLocksReleased();
          this.install(step.value);
          return;
        }
        if (performance.now() >= deadline) {
          await pause();
          await this.otherLocksReleased();
          deadline = performance.now() + sliceMs;
        }
      }
    } finally {
      this.releaseWriteLock();
    }
  }

  /** Builds the compacted base, yielding every few hundred lists so a caller can pause. */
  private *buildCompacted(): Generator<void, FrozenPostings> {
    const builder = new FrozenPostingsBuilder(this.base.listCount + this.deltaLists);
    let n = 0;
    const addDelta = (key: SlotKey, bm: RoaringBitmap32) => {
      if (!bm.isFrozen) bm.runOptimize();
      builder.add(key, bm);
    };
    for (const [tag, bm] of this.deltaTags) {
      addDelta({ kind: 'tag', tag }, bm);
      if ((++n & 127) === 0) yield;
    }
    for (const kind of ID_KINDS) {
      for (const [id, bm] of this.deltaById[kind]) {
        addDelta({ kind, id }, bm);
        if ((++n & 127) === 0) yield;
      }
    }
    // Lists the delta did not touch are copied byte for byte.
    for (const [key, slot] of this.base.slots()) {
      const shadowed =
        key.kind === 'tag' ? this.deltaTags.has(key.tag) : this.deltaById[key.kind].has(key.id);
      if (!shadowed) builder.addFrozen(key, this.base, slot);
      if ((++n & 1023) === 0) yield;
    }
    return builder.finish();
  }

  private install(base: FrozenPostings): void {
    this.base = base;
    this.deltaTags.clear();
    for (const kind of ID_KINDS) this.deltaById[kind].clear();
    for (const kind of UNIVERSES) {
      this.universes[kind].runOptimize();
      this.universes[kind].shrinkToFit();
    }
    this.filters.live.optimize();
    this.filters.users.optimize();
    this.version++;
  }

  /** Installs a base built elsewhere (snapshot load, bulk load); only into an index with no delta. */
  loadBase(base: FrozenPostings): void {
    this.assertWritable();
    if (this.deltaLists > 0)
      throw new AppError('INDEX_NOT_EMPTY', 'loadBase needs an index with an empty delta');
    this.base = base;
    this.version++;
  }

  /** Blocks writers while `fn` runs (snapshots read bitmaps across awaits). */
  async withWritesBlocked<T>(fn: () => Promise<T>): Promise<T> {
    this.writeLocks++;
    try {
      return await fn();
    } finally {
      this.releaseWriteLock();
    }
  }

  private releaseWriteLock(): void {
    this.writeLocks--;
    const waiters = this.lockWaiters.splice(0);
    for (const wake of waiters) wake();
  }

  /** Waits until the caller's write lock is the only one. */
  private async otherLocksReleased(): Promise<void> {
    while (this.writeLocks > 1) await new Promise<void>((resolve) => this.lockWaiters.push(resolve));
  }

  get writable(): boolean {
    return this.writeLocks === 0;
  }

  private assertWritable(): void {
    if (this.writeLocks > 0)
      throw new AppError('INDEX_LOCKED', 'the index is being snapshotted; retry when it is writable');
  }

  private resetFilter(term: TermRef): void {
    if (term.kind === 'live' || term.kind === 'users')
      this.filters[term.kind].reset(this.universes[term.kind]);
  }

  private has(term: TermRef, member: number): boolean {
    return this.get(term).has(member);
  }

  /** The delta's copy of a list, made on first write (copy-on-write from the base). */
  private mutable(term: TermRef): RoaringBitmap32 {
    if (isUniverse(term)) return this.universes[term.kind];
    if (term.kind === 'tag') {
      let bm = this.deltaTags.get(term.tag);
      if (!bm) this.deltaTags.set(term.tag, (bm = copyOf(this.base.tag(term.tag))));
      return bm;
    }
    const delta = this.deltaById[term.kind];
    let bm = delta.get(term.id);
    if (!bm) delta.set(term.id, (bm = copyOf(this.base.byId(term.kind, term.id))));
    return bm;
  }
}

/** A mutable copy; a new empty bitmap is made without an argument, which is 4x cheaper than from []. */
function copyOf(frozen: ReadonlyRoaringBitmap32 | undefined): RoaringBitmap32 {
  return frozen === undefined ? new RoaringBitmap32() : new RoaringBitmap32(frozen);
}

const ID_KINDS = ['author', 'loc', 'follows', 'followers'] as const;
const UNIVERSES = ['live', 'public', 'users'] as const;

export function isUniverseKind(kind: string): kind is UniverseKind {
  return kind === 'live' || kind === 'public' || kind === 'users';
}

export function isUniverse(term: TermRef): term is { kind: UniverseKind } {
  return isUniverseKind(term.kind);
}

function isDense(n: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= MAX_DENSE;
}

function validateTerm(term: TermRef): void {
  if (term.kind === 'tag') {
    if (typeof term.tag !== 'string' || term.tag.length === 0)
      throw new AppError('BAD_TERM', 'tag must be non-empty');
  } else if ('id' in term && !isDense(term.id)) {
    throw new AppError('BAD_TERM', `${term.kind} id ${String(term.id)} is not a dense uint32`);
  } else if (!(term.kind in TERM_MEMBER_TYPE)) {
    throw new AppError('BAD_TERM', `unknown term kind ${String(term.kind)}`);
  }
}

function validateOp(op: PostingOp): void {
  if (op.op !== 'add' && op.op !== 'remove')
    throw new AppError('BAD_OP', `unknown posting op ${String(op.op)}`);
  validateTerm(op.term);
  if (!isDense(op.member)) throw new AppError('BAD_OP', `member ${String(op.member)} is not a dense uint32`);
}
