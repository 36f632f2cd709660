import type { HashtagDelta } from '../hashtag-delta';

/** A post counted for a tag in one time window. */
export interface TrendHit {
  tag: string;
  /** Start of the window holding the post's event time, ms since the epoch. */
  windowStart: number;
}

export function windowStartOf(at: number, windowMs: number): number {
  return at - (at % windowMs);
}

/** The second stage: a record becomes a hit in the window of its event time `at`. */
export function parseTrendHit(delta: HashtagDelta, windowMs: number): TrendHit {
  return { tag: delta.tag, windowStart: windowStartOf(delta.at, windowMs) };
}
