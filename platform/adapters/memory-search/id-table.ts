const EMPTY = -1;

/**
 * id → slot for every live slot: open addressing with linear probing over an
 * Int32Array of slots, hashes taken from `hashes[slot]`. On a heap of a
 * million entries a Map lookup of a caller's fresh id string costs several
 * cache misses (~1.5 µs here); this reads the caller's string once to hash it,
 * probes integers, and touches a stored id only to confirm a match. Deletion
 * shifts the following run back, so there are no tombstones.
 */
export class IdTable {
  private table = new Int32Array(16).fill(EMPTY);
  private mask = 15;
  private count = 0;

  constructor(
    private readonly ids: () => readonly string[],
    private readonly hashes: () => Int32Array,
  ) {}

  get size(): number {
    return this.count;
  }

  /** The slot holding `id` (whose hash is `h`), or -1. */
  find(id: string, h: number): number {
    const ids = this.ids();
    const hashes = this.hashes();
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const slot = this.table[i]!;
      if (slot === EMPTY) return -1;
      if (hashes[slot] === h && ids[slot] === id) return slot;
    }
  }

  /** Adds a slot whose id is not in the table yet. */
  insert(slot: number): void {
    if (2 * (this.count + 1) > this.table.length) this.resize(this.table.length * 2);
    this.place(slot);
    this.count++;
  }

  remove(slot: number): void {
    const hashes = this.hashes();
    const mask = this.mask;
    let i = hashes[slot]! & mask;
    while (this.table[i] !== slot) {
      if (this.table[i] === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Backward-shift: move later entries of the run into the hole when their home allows it.
    let hole = i;
    for (let j = (i + 1) & mask; this.table[j] !== EMPTY; j = (j + 1) & mask) {
      const home = hashes[this.table[j]!]! & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.table[hole] = this.table[j]!;
        hole = j;
      }
    }
    this.table[hole] = EMPTY;
    this.count--;
  }

  clear(): void {
    this.table = new Int32Array(16).fill(EMPTY);
    this.mask = 15;
    this.count = 0;
  }

  private place(slot: number): void {
    let i = this.hashes()[slot]! & this.mask;
    while (this.table[i] !== EMPTY) i = (i + 1) & this.mask;
    this.table[i] = slot;
  }

  private resize(capacity: number): void {
    const old = this.table;
    this.table = new Int32Array(capacity).fill(EMPTY);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i++) if (old[i] !== EMPTY) this.place(old[i]!);
  }
}
