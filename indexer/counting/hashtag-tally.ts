/**
 * Net deltas per tag since the last flush. Besides the sum it keeps the
 * lowest running sum, so applying the tally to a stored count gives exactly
 * what applying each delta in order with a clamp at 0 would give: the
 * result never depends on where flush boundaries fell.
 */
interface Entry {
  net: number;
  /** Minimum over the running sums, the empty prefix (0) included. */
  low: number;
}

export interface TallyResult {
  count: number;
  /** How many decrements the clamp at 0 swallowed; 0 when none. */
  clampedBy: number;
}

export class HashtagTally {
  private readonly entries = new Map<string, Entry>();
  private readonly spellings = new Map<string, string>();

  /** The first spelling a delta in this tally carried for the tag. */
  display(tag: string): string | undefined {
    return this.spellings.get(tag);
  }

  add(tag: string, delta: number, display?: string): void {
    if (display !== undefined && !this.spellings.has(tag)) this.spellings.set(tag, display);
    const entry = this.entries.get(tag);
    if (entry === undefined) {
      this.entries.set(tag, { net: delta, low: Math.min(0, delta) });
      return;
    }
    entry.net += delta;
    if (entry.net < entry.low) entry.low = entry.net;
  }

  get size(): number {
    return this.entries.size;
  }

  tags(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The count after this tally's deltas, applied one by one to `current`
   * with a clamp at 0: the walk bottoms out at `current + low`, and every
   * step it would have gone below 0 is lost.
   */
  apply(tag: string, current: number): TallyResult {
    const entry = this.entries.get(tag);
    if (entry === undefined) return { count: current, clampedBy: 0 };
    const clampedBy = Math.max(0, -(current + entry.low));
    return { count: current + entry.net + clampedBy, clampedBy };
  }
}
