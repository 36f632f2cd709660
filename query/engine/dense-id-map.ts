import { AppError } from '../../platform/errors';
import { joinExternalId, splitExternalId } from './external-id';

const MAGIC = 0x44494d31; // "DIM1"
const MAX_IDS = 0xfffffffe;
/** Linear probing: about 2.5 probes per hit on average at this load; the table is half one kept under 0.5. */
const MAX_LOAD = 0.75;

/**
 * Maps external 64-bit ids to dense uint32 ids assigned in arrival order.
 *
 * Dense ids index two flat uint32 arrays (the id's high and low halves), and an
 * open-addressing table of dense ids finds them again. That costs 13-19
 * bytes per id, against ~80 for a Map of strings, which matters at 10M media.
 */
export class DenseIdMap {
  private hi: Uint32Array;
  private lo: Uint32Array;
  private count = 0;
  /** Slot holds dense id + 1; 0 marks an empty slot. */
  private slots: Uint32Array;
  private mask: number;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    const slotCount = nextPowerOfTwo(Math.ceil(capacity / MAX_LOAD));
    this.slots = new Uint32Array(slotCount);
    this.mask = slotCount - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Dense id of `external`, or undefined when it has never arrived. Throws on a malformed id. */
  get(external: string): number | undefined {
    const id = splitOrThrow(external);
    const found = this.find(id.hi, id.lo);
    return found < 0 ? undefined : found;
  }

  /** Dense id of `external`, assigning the next one on first arrival. */
  getOrAssign(external: string): number {
    const id = splitOrThrow(external);
    const found = this.find(id.hi, id.lo);
    if (found >= 0) return found;
    if (this.count >= MAX_IDS) throw new AppError('ID_SPACE_FULL', 'dense id space exhausted');
    if (this.count === this.hi.length) this.growIds();
    if (this.count + 1 > this.slots.length * MAX_LOAD) this.rehash(this.slots.length * 2);
    const dense = this.count++;
    this.hi[dense] = id.hi;
    this.lo[dense] = id.lo;
    this.insertSlot(dense);
    return dense;
  }

  /** External id of a dense id. */
  external(dense: number): string {
    if (!Number.isInteger(dense) || dense < 0 || dense >= this.count) {
      throw new RangeError(`dense id ${dense} is not assigned`);
    }
    return joinExternalId(this.hi[dense]!, this.lo[dense]!);
  }

  /** Bytes held by the arrays; used by the memory benchmark. */
  byteSize(): number {
    return this.hi.byteLength + this.lo.byteLength + this.slots.byteLength;
  }

  /** Little-endian: magic, count, then the high and low halves in dense order. */
  serialize(): Buffer {
    const out = Buffer.allocUnsafe(8 + this.count * 8);
    out.writeUInt32LE(MAGIC, 0);
    out.writeUInt32LE(this.count, 4);
    Buffer.from(this.hi.buffer, this.hi.byteOffset, this.count * 4).copy(out, 8);
    Buffer.from(this.lo.buffer, this.lo.byteOffset, this.count * 4).copy(out, 8 + this.count * 4);
    return out;
  }

  static deserialize(buf: Uint8Array): DenseIdMap {
    const view = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    if (view.length < 8 || view.readUInt32LE(0) !== MAGIC) {
      throw new AppError('SNAPSHOT_CORRUPT', 'id map section has a bad header');
    }
    const count = view.readUInt32LE(4);
    if (view.length !== 8 + count * 8)
      throw new AppError('SNAPSHOT_CORRUPT', 'id map section has a bad length');
    const map = new DenseIdMap(count);
    for (let i = 0; i < count; i++) {
      map.hi[i] = view.readUInt32LE(8 + i * 4);
      map.lo[i] = view.readUInt32LE(8 + count * 4 + i * 4);
    }
    map.count = count;
    for (let i = 0; i < count; i++) map.insertSlot(i);
    return map;
  }

  private find(hi: number, lo: number): number {
    let slot = hash(hi, lo) & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      const dense = entry - 1;
      if (this.hi[dense] === hi && this.lo[dense] === lo) return dense;
      slot = (slot + 1) & this.mask;
    }
  }

  private insertSlot(dense: number): void {
    let slot = hash(this.hi[dense]!, this.lo[dense]!) & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = dense + 1;
  }

  private growIds(): void {
    const capacity = Math.min(MAX_IDS, this.hi.length * 2);
    const hi = new Uint32Array(capacity);
    const lo = new Uint32Array(capacity);
    hi.set(this.hi);
    lo.set(this.lo);
    this.hi = hi;
    this.lo = lo;
  }

  private rehash(slotCount: number): void {
    this.slots = new Uint32Array(slotCount);
    this.mask = slotCount - 1;
    for (let i = 0; i < this.count; i++) this.insertSlot(i);
  }
}

function splitOrThrow(external: string) {
  const id = splitExternalId(external);
  if (!id)
    throw new AppError('BAD_ID', `"${external}" is not a 64-bit decimal id`, { details: { id: external } });
  return id;
}

function hash(hi: number, lo: number): number {
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function nextPowerOfTwo(n: number): number {
  let p = 16;
  while (p < n) p *= 2;
  return p;
}
