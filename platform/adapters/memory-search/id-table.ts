const EMPTY = -1;

/**
 * id → slot for every live slot: open addressing with linear probing over an
 * Int32Array of (hash, slot) pairs. On a heap of a million entries a Map
 * lookup of a caller's fresh id string costs several cache misses (~1.5 µs
 * here); this reads the caller's string once to hash it, probes integers
 * (a pair shares a cache line, so a probe costs one miss), and touches a
 * stored id only to confirm a match. Deletion shifts the following run back,
 * so there are no tombstones.
 */
export class IdTable {
  /** hash at 2i, slot at 2i + 1 (EMPTY when free). */
  private table = emptyTable(16);
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
    const table = this.table;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const slot = table[2 * i + 1]!;
      if (slot === EMPTY) return -1;
      if (table[2 * i] === h && ids[slot] === id) return slot;
    }
  }

  /**
   * `find(id, h)` if `accept` takes that slot, else -1. `accept` sees each
   * slot with the same hash before its id string is read, so a caller that
   * rejects most ids on typed arrays (a prefix test) skips the string reads.
   */
  findAccepted(id: string, h: number, accept: (slot: number) => boolean): number {
    const ids = this.ids();
    const table = this.table;
    for (let i = h & this.mask; ; i = (i + 1) & this.mask) {
      const slot = table[2 * i + 1]!;
      if (slot === EMPTY) return -1;
      if (table[2 * i] === h && accept(slot) && ids[slot] === id) return slot;
    }
  }

  /** Adds a slot whose id is not in the table yet. */
  insert(slot: number): void {
    if (2 * (this.count + 1) > this.capacity) this.resize(this.capacity * 2);
    this.place(this.hashes()[slot]!, slot);
    this.count++;
  }

  remove(slot: number): void {
    const table = this.table;
    const mask = this.mask;
    let i = this.hashes()[slot]! & mask;
    while (table[2 * i + 1] !== slot) {
      if (table[2 * i + 1] === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Backward-shift: move later entries of the run into the hole when their home allows it.
    let hole = i;
    for (let j = (i + 1) & mask; table[2 * j + 1] !== EMPTY; j = (j + 1) & mask) {
      const home = table[2 * j]! & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        table[2 * hole] = table[2 * j]!;
        table[2 * hole + 1] = table[2 * j + 1]!;
        hole = j;
      }
    }
    table[2 * hole + 1] = EMPTY;
    this.count--;
  }

  clear(): void {
    this.table = emptyTable(16);
    this.mask = 15;
    this.count = 0;
  }

  private get capacity(): number {
    return this.mask + 1;
  }

  private place(h: number, slot: number): void {
    let i = h & this.mask;
    while (this.table[2 * i + 1] !== EMPTY) i = (i + 1) & this.mask;
    this.table[2 * i] = h;
    this.table[2 * i + 1] = slot;
  }

  private resize(capacity: number): void {
    const old = this.table;
    this.table = emptyTable(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== EMPTY) this.place(old[i]!, old[i + 1]!);
  }
}

function emptyTable(capacity: number): Int32Array {
  const table = new Int32Array(2 * capacity);
  for (let i = 1; i < table.length; i += 2) table[i] = EMPTY;
  return table;
}
