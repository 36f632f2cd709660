/** Past this many slots a cleared buffer lets its storage go, so one huge request does not pin memory. */
const MAX_KEPT = 1 << 20;
const INITIAL = 256;

/**
 * A growable run of uint32 ids, meant to be kept and reused by a hot path
 * so that gathering ids allocates nothing per call.
 */
export class IdBuffer {
  private data = new Uint32Array(INITIAL);
  private used = 0;

  get length(): number {
    return this.used;
  }

  clear(): void {
    this.used = 0;
    if (this.data.length > MAX_KEPT) this.data = new Uint32Array(INITIAL);
  }

  push(id: number): void {
    if (this.used === this.data.length) this.grow(1);
    this.data[this.used++] = id;
  }

  /**
   * Room for `extra` more ids: write them into the returned array from
   * index `length`, then call commit(extra).
   */
  reserve(extra: number): Uint32Array {
    if (this.used + extra > this.data.length) this.grow(extra);
    return this.data;
  }

  commit(written: number): void {
    this.used += written;
  }

  /** The ids so far; valid until the next write. */
  view(): Uint32Array {
    return this.data.subarray(0, this.used);
  }

  /** Sorts ascending and drops repeats, in place. */
  sortUnique(): void {
    const ids = this.view().sort();
    let n = 0;
    for (let i = 0; i < ids.length; i++) if (n === 0 || ids[i] !== ids[n - 1]) ids[n++] = ids[i]!;
    this.used = n;
  }

  private grow(extra: number): void {
    const next = new Uint32Array(Math.max(this.used + extra, this.data.length * 2));
    next.set(this.data.subarray(0, this.used));
    this.data = next;
  }
}
