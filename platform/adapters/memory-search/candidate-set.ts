/**
 * A small, reusable set of candidate slots that a long list of caller ids is
 * tested against: open addressing on the slots' id hashes, emptied in O(1)
 * by bumping a generation. Probing reads only typed arrays; a stored id
 * string is read only to confirm a hash match.
 */
export class CandidateSet {
  private slots = new Int32Array(64);
  private gens = new Uint32Array(64);
  private gen = 1;
  private mask = 63;
  private count = 0;

  constructor(
    private readonly ids: () => readonly string[],
    private readonly hashes: () => Int32Array,
  ) {}

  get size(): number {
    return this.count;
  }

  add(slot: number): void {
    if (2 * (this.count + 1) > this.slots.length) this.grow();
    const h = this.hashes()[slot]!;
    let i = h & this.mask;
    while (this.gens[i] === this.gen) i = (i + 1) & this.mask;
    this.slots[i] = slot;
    this.gens[i] = this.gen;
    this.count++;
  }

  /** The candidate with this id (hash `h`), removed so a repeated id answers once; or -1. */
  take(id: string, h: number): number {
    const hashes = this.hashes();
    for (let i = h & this.mask; this.gens[i] === this.gen; i = (i + 1) & this.mask) {
      const slot = this.slots[i]!;
      if (slot >= 0 && hashes[slot] === h && this.ids()[slot] === id) {
        this.slots[i] = -1; // keeps the probe run intact
        this.count--;
        return slot;
      }
    }
    return -1;
  }

  clear(): void {
    this.count = 0;
    if (++this.gen === 0xffffffff) {
      this.gens.fill(0);
      this.gen = 1;
    }
  }

  private grow(): void {
    const live: number[] = [];
    for (let i = 0; i < this.slots.length; i++) {
      if (this.gens[i] === this.gen && this.slots[i]! >= 0) live.push(this.slots[i]!);
    }
    const capacity = this.slots.length * 2;
    this.slots = new Int32Array(capacity);
    this.gens = new Uint32Array(capacity);
    this.mask = capacity - 1;
    this.gen = 1;
    this.count = 0;
    for (const slot of live) this.add(slot);
  }
}
