import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';

/** Which list a slot of the base belongs to. */
export type SlotKey =
  { kind: 'tag'; tag: string } | { kind: 'author' | 'loc' | 'follows' | 'followers'; id: number };

const FORMAT = 'unsafe_frozen_croaring';
const ALIGN = 32;

/**
 * The compacted, read-only tier of the index: every posting list serialized
 * in croaring's frozen layout, back to back in one aligned buffer, with a
 * directory of offsets. A list costs its serialized bytes and nothing else:
 * no JS object and no per-container allocation until a query asks for it,
 * when a zero-copy view (~1 µs) is made. Mutable roaring bitmaps cost ~60
 * bytes per posting on sparse lists, frozen ones ~5.
 *
 * The frozen layout may change between roaring versions, so it lives only in
 * memory; snapshots on disk use the portable format.
 */
export class FrozenPostings {
  private constructor(
    private readonly buffer: Uint8Array,
    private readonly offsets: Float64Array,
    private readonly lengths: Uint32Array,
    private readonly tagSlots: Map<string, number>,
    private readonly idSlots: Record<'author' | 'loc' | 'follows' | 'followers', Int32Array>,
  ) {}

  static empty(): FrozenPostings {
    const none = new Int32Array(0);
    return new FrozenPostings(new Uint8Array(0), new Float64Array(0), new Uint32Array(0), new Map(), {
      author: none,
      loc: none,
      follows: none,
      followers: none,
    });
  }

  /** Packs `lists` (skipping empty ones) into a new base. */
  static build(lists: Iterable<[SlotKey, ReadonlyRoaringBitmap32]>): FrozenPostings {
    const keys: SlotKey[] = [];
    const sizes: number[] = [];
    const bitmaps: ReadonlyRoaringBitmap32[] = [];
    let total = 0;
    const maxId = { author: -1, loc: -1, follows: -1, followers: -1 };
    for (const [key, bm] of lists) {
      if (bm.isEmpty) continue;
      const size = bm.getSerializationSizeInBytes(FORMAT);
      keys.push(key);
      sizes.push(size);
      bitmaps.push(bm);
      total = align(total) + size;
      if (key.kind !== 'tag') maxId[key.kind] = Math.max(maxId[key.kind], key.id);
    }
    const buffer: Uint8Array = RoaringBitmap32.bufferAlignedAlloc(Math.max(ALIGN, align(total)), ALIGN);
    const offsets = new Float64Array(keys.length);
    const lengths = new Uint32Array(keys.length);
    const tagSlots = new Map<string, number>();
    const idSlots = {
      author: new Int32Array(maxId.author + 1).fill(-1),
      loc: new Int32Array(maxId.loc + 1).fill(-1),
      follows: new Int32Array(maxId.follows + 1).fill(-1),
      followers: new Int32Array(maxId.followers + 1).fill(-1),
    };
    let at = 0;
    for (let slot = 0; slot < keys.length; slot++) {
      at = align(at);
      const size = sizes[slot]!;
      bitmaps[slot]!.serialize(FORMAT, buffer.subarray(at, at + size));
      offsets[slot] = at;
      lengths[slot] = size;
      at += size;
      const key = keys[slot]!;
      if (key.kind === 'tag') tagSlots.set(key.tag, slot);
      else idSlots[key.kind][key.id] = slot;
    }
    return new FrozenPostings(buffer, offsets, lengths, tagSlots, idSlots);
  }

  get byteSize(): number {
    return this.buffer.byteLength + this.offsets.byteLength + this.lengths.byteLength;
  }

  tag(tag: string): ReadonlyRoaringBitmap32 | undefined {
    const slot = this.tagSlots.get(tag);
    return slot === undefined ? undefined : this.view(slot);
  }

  byId(kind: 'author' | 'loc' | 'follows' | 'followers', id: number): ReadonlyRoaringBitmap32 | undefined {
    const slot = this.idSlots[kind][id];
    return slot === undefined || slot < 0 ? undefined : this.view(slot);
  }

  hasTag(tag: string): boolean {
    return this.tagSlots.has(tag);
  }

  tagNames(): IterableIterator<string> {
    return this.tagSlots.keys();
  }

  /** Every list in the base, as zero-copy views. */
  *entries(): IterableIterator<[SlotKey, ReadonlyRoaringBitmap32]> {
    for (const [tag, slot] of this.tagSlots) yield [{ kind: 'tag', tag }, this.view(slot)];
    for (const kind of ['author', 'loc', 'follows', 'followers'] as const) {
      const slots = this.idSlots[kind];
      for (let id = 0; id < slots.length; id++)
        if (slots[id]! >= 0) yield [{ kind, id }, this.view(slots[id]!)];
    }
  }

  private view(slot: number): ReadonlyRoaringBitmap32 {
    const at = this.offsets[slot]!;
    return RoaringBitmap32.unsafeFrozenView(this.buffer.subarray(at, at + this.lengths[slot]!), FORMAT);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
