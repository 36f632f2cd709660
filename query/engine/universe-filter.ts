import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';

const ID_LIMIT = 2 ** 32;

/**
 * A universe set kept in a second shape: [0, ceiling) minus `holes`. Dense
 * ids are handed out in order and rarely retired, so the holes stay small,
 * and cutting a result down to the universe costs the holes rather than an
 * AND across every container of a set as big as the index.
 */
export class UniverseFilter {
  private ceiling = 0;
  private holes = new RoaringBitmap32();

  /** Starts over from the whole set (bulk loads). */
  reset(set: ReadonlyRoaringBitmap32): void {
    this.holes.dispose();
    this.ceiling = set.isEmpty ? 0 : set.maximum() + 1;
    this.holes = RoaringBitmap32.fromRange(0, this.ceiling);
    this.holes.andNotInPlace(set);
    this.holes.runOptimize();
    this.holes.shrinkToFit();
  }

  /** `member` is now in the set. */
  added(member: number): void {
    if (member < this.ceiling) {
      this.holes.delete(member);
      return;
    }
    if (member > this.ceiling) this.holes.addRange(this.ceiling, member);
    this.ceiling = member + 1;
  }

  /** `member` was in the set and has left it. */
  removed(member: number): void {
    this.holes.add(member);
  }

  /** Intersects `bm` with the set, in place. */
  restrict(bm: RoaringBitmap32): void {
    if (!this.holes.isEmpty) bm.andNotInPlace(this.holes);
    if (this.ceiling < ID_LIMIT) bm.removeRange(this.ceiling, ID_LIMIT);
  }

  /** Recompresses the holes; run with compaction. */
  optimize(): void {
    this.holes.runOptimize();
    this.holes.shrinkToFit();
  }
}
