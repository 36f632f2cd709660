import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';

/** Which list a slot of the base belongs to. */
export type SlotKey = { kind: 'tag'; tag: string } | { kind: IdKind; id: number };
type IdKind = 'author' | 'loc' | 'follows' | 'followers';

const FORMAT = 'unsafe_frozen_croaring';
const ALIGN = 32;
const FIRST_CHUNK = 64 * 1024;
const MAX_CHUNK = 64 * 1024 * 1024;
const ID_KINDS: IdKind[] = ['author', 'loc', 'follows', 'followers'];

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
  constructor(
    private readonly chunks: Uint8Array[],
    private readonly slotChunk: Uint32Array,
    private readonly slotOffset: Uint32Array,
    private readonly slotLength: Uint32Array,
    private readonly tagSlots: Map<string, number>,
    private readonly idSlots: Record<IdKind, Int32Array>,
  ) {}

  static empty(): FrozenPostings {
    return new FrozenPostingsBuilder().finish();
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

  /** Every list in the base, as zero-copy views. */
  *entries(): IterableIterator<[SlotKey, ReadonlyRoaringBitmap32]> {
    for (const [tag, slot] of this.tagSlots) yield [{ kind: 'tag', tag }, this.view(slot)];
    for (const kind of ID_KINDS) {
      const slots = this.idSlots[kind];
      for (let id = 0; id < slots.length; id++)
        if (slots[id]! >= 0) yield [{ kind, id }, this.view(slots[id]!)];
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
  private slotChunk = new Uint32Array(1024);
  private slotOffset = new Uint32Array(1024);
  private slotLength = new Uint32Array(1024);
  private slots = 0;
  private readonly tagSlots = new Map<string, number>();
  private readonly idSlots: Record<IdKind, Int32Array> = {
    author: new Int32Array(0),
    loc: new Int32Array(0),
    follows: new Int32Array(0),
    followers: new Int32Array(0),
  };

  /** Adds one list; empty lists are skipped. The bitmap is not kept. */
  add(key: SlotKey, bm: ReadonlyRoaringBitmap32): void {
    if (bm.isEmpty) return;
    const size = bm.getSerializationSizeInBytes(FORMAT);
    const at = Math.ceil(this.used / ALIGN) * ALIGN;
    let chunk = this.chunks[this.chunks.length - 1];
    let offset = at;
    if (!chunk || at + size > chunk.byteLength) {
      // Chunks double from 64 KiB to 64 MiB, so small indexes stay small.
      const next = Math.min(MAX_CHUNK, FIRST_CHUNK * 2 ** this.chunks.length);
      chunk = RoaringBitmap32.bufferAlignedAlloc(Math.max(next, size), ALIGN);
      this.chunks.push(chunk);
      offset = 0;
    }
    bm.serialize(FORMAT, chunk.subarray(offset, offset + size));
    this.used = offset + size;
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
    return new FrozenPostings(
      this.chunks,
      this.slotChunk.slice(0, n),
      this.slotOffset.slice(0, n),
      this.slotLength.slice(0, n),
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
