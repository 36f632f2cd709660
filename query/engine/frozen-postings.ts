import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';
import { AppError } from '../../platform/errors';
import type { IdBuffer } from './id-buffer';

/** Which list a slot of the base belongs to. */
export type SlotKey = { kind: 'tag'; tag: string } | { kind: IdKind; id: number };
type IdKind = 'author' | 'loc' | 'follows' | 'followers';

const FORMAT = 'unsafe_frozen_croaring';
const ALIGN = 32;
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 16 * 1024 * 1024;
const ID_KINDS: IdKind[] = ['author', 'loc', 'follows', 'followers'];
/** croaring's container typecodes and the frozen header's cookie. */
const BITSET = 1;
const ARRAY = 2;
const RUN = 3;
const FROZEN_COOKIE = 13766;
const BITSET_BYTES = 8192;

/**
 * The compacted, read-only tier of the index: every posting list serialized
 * in croaring's frozen layout, back to back in large aligned chunks, with a
 * directory of (chunk, offset, length). A list costs its serialized bytes
 * and nothing else: no JS object and no per-container allocation until a
 * query asks for it, when a zero-copy view (~1 µs) is made. Mutable roaring
 * bitmaps cost ~60 bytes per posting on sparse lists, frozen ones ~5.
 *
 * The frozen layout may change between roaring versions, so it lives only in
 * memory; snapshots on disk use the portable format.
 */
export class FrozenPostings {
  /** 16- and 32-bit views of each chunk, for reading lists without a native view. */
  private readonly words16: Uint16Array[];
  private readonly words32: Uint32Array[];

  constructor(
    private readonly chunks: Uint8Array[],
    private readonly slotChunk: Uint32Array,
    private readonly slotOffset: Uint32Array,
    private readonly slotLength: Uint32Array,
    private readonly tagSlots: Map<string, number>,
    private readonly idSlots: Record<IdKind, Int32Array>,
  ) {
    this.words16 = chunks.map((c) => new Uint16Array(c.buffer, c.byteOffset, c.byteLength >>> 1));
    this.words32 = chunks.map((c) => new Uint32Array(c.buffer, c.byteOffset, c.byteLength >>> 2));
  }

  static empty(): FrozenPostings {
    return new FrozenPostingsBuilder().finish();
  }

  /** How many lists the base holds. */
  get listCount(): number {
    return this.slotChunk.length;
  }

  get byteSize(): number {
    let bytes = this.slotChunk.byteLength * 3;
    for (const c of this.chunks) bytes += c.byteLength;
    for (const kind of ID_KINDS) bytes += this.idSlots[kind].byteLength;
    return bytes;
  }

  tag(tag: string): ReadonlyRoaringBitmap32 | undefined {
    const slot = this.tagSlots.get(tag);
    return slot === undefined ? undefined : this.view(slot);
  }

  byId(kind: IdKind, id: number): ReadonlyRoaringBitmap32 | undefined {
    const slot = this.idSlots[kind][id];
    return slot === undefined || slot < 0 ? undefined : this.view(slot);
  }

  /**
   * Appends a list's ids, ascending, to `out`; false when the base has no
   * such list. Decodes the frozen bytes in JS: no native object per list,
   * so hot paths reading many small lists make no garbage for the GC.
   */
  appendById(kind: IdKind, id: number, out: IdBuffer): boolean {
    const slot = this.idSlots[kind][id];
    if (slot === undefined || slot < 0) return false;
    this.decode(slot, out);
    return true;
  }

  /** Every list in the base, as zero-copy views. */
  *entries(): IterableIterator<[SlotKey, ReadonlyRoaringBitmap32]> {
    for (const [tag, slot] of this.tagSlots) yield [{ kind: 'tag', tag }, this.view(slot)];
    for (const kind of ID_KINDS) {
      const slots = this.idSlots[kind];
      for (let id = 0; id < slots.length; id++)
        if (slots[id]! >= 0) yield [{ kind, id }, this.view(slots[id]!)];
    }
  }

  /** Every list's key and slot, for copying unchanged lists into a new base (see `addFrozen`). */
  *slots(): IterableIterator<[SlotKey, number]> {
    for (const [tag, slot] of this.tagSlots) yield [{ kind: 'tag', tag }, slot];
    for (const kind of ID_KINDS) {
      const slots = this.idSlots[kind];
      for (let id = 0; id < slots.length; id++) if (slots[id]! >= 0) yield [{ kind, id }, slots[id]!];
    }
  }

  /** A list's frozen bytes, in place. */
  slotBytes(slot: number): Uint8Array {
    const at = this.slotOffset[slot]!;
    return this.chunks[this.slotChunk[slot]!]!.subarray(at, at + this.slotLength[slot]!);
  }

  /**
   * The frozen layout, back to front: a uint32 header (containers << 15 |
   * cookie), a typecode byte per container, a uint16 count per container,
   * a uint16 key per container; in front of those the bitset, run and array
   * zones, each holding its containers in order. Little-endian, as the
   * platforms roaring builds for are.
   */
  private decode(slot: number, out: IdBuffer): void {
    const c = this.slotChunk[slot]!;
    const bytes = this.chunks[c]!;
    const w16 = this.words16[c]!;
    const w32 = this.words32[c]!;
    const start = this.slotOffset[slot]!;
    const end = start + this.slotLength[slot]!;
    const header =
      (bytes[end - 4]! | (bytes[end - 3]! << 8) | (bytes[end - 2]! << 16) | (bytes[end - 1]! << 24)) >>> 0;
    if ((header & 0x7fff) !== FROZEN_COOKIE)
      throw new AppError('CORRUPT_POSTINGS', `frozen slot ${slot} has a bad header`);
    const n = header >>> 15;
    const types = end - 4 - n;
    const counts = (end - 4 - 3 * n) >>> 1;
    const keys = (end - 4 - 5 * n) >>> 1;
    let bitsetBytes = 0;
    let runBytes = 0;
    for (let i = 0; i < n; i++) {
      const type = bytes[types + i];
      if (type === BITSET) bitsetBytes += BITSET_BYTES;
      else if (type === RUN) runBytes += 4 * w16[counts + i]!;
    }
    let bitset = start >>> 2;
    let run = (start + bitsetBytes) >>> 1;
    let array = (start + bitsetBytes + runBytes) >>> 1;
    for (let i = 0; i < n; i++) {
      const high = w16[keys + i]! * 0x10000;
      const count = w16[counts + i]!;
      const type = bytes[types + i];
      if (type === ARRAY) {
        const into = out.reserve(count + 1);
        let at = out.length;
        for (let j = 0; j <= count; j++) into[at++] = high + w16[array + j]!;
        out.commit(count + 1);
        array += count + 1;
      } else if (type === RUN) {
        let size = 0;
        for (let r = 0; r < count; r++) size += w16[run + 2 * r + 1]! + 1;
        const into = out.reserve(size);
        let at = out.length;
        for (let r = 0; r < count; r++, run += 2) {
          const from = high + w16[run]!;
          const to = from + w16[run + 1]!;
          for (let v = from; v <= to; v++) into[at++] = v;
        }
        out.commit(size);
      } else {
        const into = out.reserve(count + 1);
        let at = out.length;
        for (let w = 0; w < BITSET_BYTES / 4; w++) {
          let word = w32[bitset + w]!;
          const base = high + w * 32;
          while (word !== 0) {
            const lowest = word & -word;
            into[at++] = base + 31 - Math.clz32(lowest);
            word ^= lowest;
          }
        }
        out.commit(at - out.length);
        bitset += BITSET_BYTES / 4;
      }
    }
  }

  private view(slot: number): ReadonlyRoaringBitmap32 {
    const at = this.slotOffset[slot]!;
    const chunk = this.chunks[this.slotChunk[slot]!]!;
    return RoaringBitmap32.unsafeFrozenView(chunk.subarray(at, at + this.slotLength[slot]!), FORMAT);
  }
}

/**
 * Builds a base one list at a time, so a caller can stream lists in (from a
 * snapshot, a bulk load or a compaction) without holding them all as
 * mutable bitmaps at once.
 */
export class FrozenPostingsBuilder {
  private readonly chunks: Uint8Array[] = [];
  private used = 0;
  private slotChunk: Uint32Array;
  private slotOffset: Uint32Array;
  private slotLength: Uint32Array;
  private slots = 0;
  private readonly tagSlots = new Map<string, number>();
  private readonly idSlots: Record<IdKind, Int32Array> = {
    author: new Int32Array(0),
    loc: new Int32Array(0),
    follows: new Int32Array(0),
    followers: new Int32Array(0),
  };

  /** `expectedLists` sizes the directory up front, sparing a compaction the copies of growing it. */
  constructor(expectedLists = 1024) {
    const capacity = Math.max(16, expectedLists);
    this.slotChunk = new Uint32Array(capacity);
    this.slotOffset = new Uint32Array(capacity);
    this.slotLength = new Uint32Array(capacity);
  }

  /** Adds one list; empty lists are skipped. The bitmap is not kept. */
  add(key: SlotKey, bm: ReadonlyRoaringBitmap32): void {
    if (bm.isEmpty) return;
    const size = bm.getSerializationSizeInBytes(FORMAT);
    const offset = this.place(size);
    bm.serialize(FORMAT, this.chunks[this.chunks.length - 1]!.subarray(offset, offset + size));
    this.addSlot(key, offset, size);
  }

  /**
   * Adds a list of another base by copying its bytes: the frozen layout
   * holds no pointers and only needs alignment, so no view or re-serialization.
   */
  addFrozen(key: SlotKey, from: FrozenPostings, slot: number): void {
    const bytes = from.slotBytes(slot);
    const offset = this.place(bytes.byteLength);
    this.chunks[this.chunks.length - 1]!.set(bytes, offset);
    this.addSlot(key, offset, bytes.byteLength);
  }

  /** The offset in the last chunk where `size` bytes go, aligned; starts a chunk when needed. */
  private place(size: number): number {
    const at = Math.ceil(this.used / ALIGN) * ALIGN;
    const chunk = this.chunks[this.chunks.length - 1];
    if (chunk && at + size <= chunk.byteLength) {
      this.used = at + size;
      return at;
    }
    // Chunks double from 64 KiB to 16 MiB: small indexes stay small, and zeroing one new chunk stays a short pause.
    const next = Math.min(MAX_CHUNK, FIRST_CHUNK * 2 ** this.chunks.length);
    this.chunks.push(RoaringBitmap32.bufferAlignedAlloc(Math.max(next, size), ALIGN));
    this.used = size;
    return 0;
  }

  private addSlot(key: SlotKey, offset: number, size: number): void {
    const slot = this.slots++;
    if (slot === this.slotChunk.length) this.growSlots();
    this.slotChunk[slot] = this.chunks.length - 1;
    this.slotOffset[slot] = offset;
    this.slotLength[slot] = size;
    if (key.kind === 'tag') this.tagSlots.set(key.tag, slot);
    else this.setIdSlot(key.kind, key.id, slot);
  }

  finish(): FrozenPostings {
    const last = this.chunks.length - 1;
    // Give back the unused tail of the last chunk.
    if (last >= 0 && this.used < this.chunks[last]!.byteLength) {
      const trimmed = RoaringBitmap32.bufferAlignedAlloc(Math.max(ALIGN, this.used), ALIGN);
      trimmed.set(this.chunks[last]!.subarray(0, this.used));
      this.chunks[last] = trimmed;
    }
    const n = this.slots;
    // A directory sized well up front is kept as it is rather than copied.
    const fit = (a: Uint32Array) => (n >= a.length * 0.9 ? a.subarray(0, n) : a.slice(0, n));
    return new FrozenPostings(
      this.chunks,
      fit(this.slotChunk),
      fit(this.slotOffset),
      fit(this.slotLength),
      this.tagSlots,
      this.idSlots,
    );
  }

  private growSlots(): void {
    const grow = (a: Uint32Array) => {
      const b = new Uint32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.slotChunk = grow(this.slotChunk);
    this.slotOffset = grow(this.slotOffset);
    this.slotLength = grow(this.slotLength);
  }

  private setIdSlot(kind: IdKind, id: number, slot: number): void {
    let slots = this.idSlots[kind];
    if (id >= slots.length) {
      const grown = new Int32Array(Math.max(id + 1, slots.length * 2)).fill(-1);
      grown.set(slots);
      this.idSlots[kind] = slots = grown;
    }
    slots[id] = slot;
  }
}
