/** Bytes of records between two index entries; a lookup scans at most about this much. */
export const INDEX_INTERVAL_BYTES = 4096;

/**
 * Sparse offset → file position index of one segment, kept in growable typed
 * arrays (no object per entry). Each entry also holds the highest timestamp
 * of the records before it, which never decreases, so a timestamp lookup is
 * a binary search even if individual timestamps go backwards.
 */
export class SparseIndex {
  private offsets = new Float64Array(64);
  private positions = new Float64Array(64);
  private maxTimestampsBefore = new Float64Array(64);
  private count = 0;
  private lastPosition = -Infinity;

  get size(): number {
    return this.count;
  }

  /** Called for every record in position order; keeps one entry per interval. */
  maybeAdd(offset: number, position: number, maxTimestampBefore: number): void {
    if (position - this.lastPosition < INDEX_INTERVAL_BYTES) return;
    if (this.count === this.offsets.length) this.grow();
    this.offsets[this.count] = offset;
    this.positions[this.count] = position;
    this.maxTimestampsBefore[this.count] = maxTimestampBefore;
    this.count++;
    this.lastPosition = position;
  }

  /** The entry at or before `offset` (entry 0 is the segment's first record). */
  floorByOffset(offset: number): { offset: number; position: number } {
    const i = this.lastIndexWhere((j) => this.offsets[j] <= offset);
    return { offset: this.offsets[i], position: this.positions[i] };
  }

  /** The last entry before which every record's timestamp is below `timestamp`. */
  floorByTimestamp(timestamp: number): { offset: number; position: number } {
    const i = this.lastIndexWhere((j) => this.maxTimestampsBefore[j] < timestamp);
    return { offset: this.offsets[i], position: this.positions[i] };
  }

  private lastIndexWhere(pred: (i: number) => boolean): number {
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (pred(mid)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private grow(): void {
    const n = this.offsets.length * 2;
    const grow = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.offsets = grow(this.offsets);
    this.positions = grow(this.positions);
    this.maxTimestampsBefore = grow(this.maxTimestampsBefore);
  }
}
