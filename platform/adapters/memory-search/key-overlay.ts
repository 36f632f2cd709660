import { lowerBound, upperBound } from './sorted-keys';

/** Pairs per chunk before it splits: an insert moves at most this many array elements. */
const CHUNK_MAX = 512;

interface Chunk {
  keys: string[];
  slots: number[];
  gens: number[];
}

/**
 * The keys written since the last base merge, sorted, in chunks of at most
 * 512 pairs (a B-tree's leaf level), so an insert costs a binary search and a
 * short splice however large the overlay grows. A pair carries the slot's key
 * generation at write time; when the slot is renamed or removed the
 * generation moves on and the pair is skipped, then dropped at the next merge.
 */
export class KeyOverlay {
  private chunks: Chunk[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }

  insert(key: string, slot: number, gen: number): void {
    if (this.chunks.length === 0) this.chunks.push({ keys: [], slots: [], gens: [] });
    // The first chunk whose last key is above `key`, else the last chunk.
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const keys = this.chunks[mid]!.keys;
      if (keys[keys.length - 1]! <= key) lo = mid + 1;
      else hi = mid;
    }
    const chunk = this.chunks[lo]!;
    const at = upperBound(chunk.keys, key);
    chunk.keys.splice(at, 0, key);
    chunk.slots.splice(at, 0, slot);
    chunk.gens.splice(at, 0, gen);
    this.total++;
    if (chunk.keys.length > CHUNK_MAX) {
      const half = chunk.keys.length >>> 1;
      this.chunks.splice(lo + 1, 0, {
        keys: chunk.keys.splice(half),
        slots: chunk.slots.splice(half),
        gens: chunk.gens.splice(half),
      });
    }
  }

  /** Calls `visit` for each pair whose key starts with `prefix`, in key order. */
  forRange(prefix: string, visit: (slot: number, gen: number) => void): void {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const keys = this.chunks[mid]!.keys;
      if (keys[keys.length - 1]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let c = lo; c < this.chunks.length; c++) {
      const { keys, slots, gens } = this.chunks[c]!;
      for (let i = c === lo ? lowerBound(keys, prefix) : 0; i < keys.length; i++) {
        if (!keys[i]!.startsWith(prefix)) return;
        visit(slots[i]!, gens[i]!);
      }
    }
  }

  forEach(visit: (key: string, slot: number, gen: number) => void): void {
    for (const { keys, slots, gens } of this.chunks) {
      for (let i = 0; i < keys.length; i++) visit(keys[i]!, slots[i]!, gens[i]!);
    }
  }

  clear(): void {
    this.chunks = [];
    this.total = 0;
  }
}
