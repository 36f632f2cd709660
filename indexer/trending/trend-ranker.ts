import type { Clock } from '../../platform/clock';
import { ValidationError } from '../../platform/errors';
import type { KvStore } from '../../platform/ports/kv-store';
import { windowStartOf } from './trend-parser';
import { TREND_TOTALS, TREND_WINDOWS, parseWindowKey, windowKey, windowPrefix } from './trend-tables';

export interface TrendingTag {
  tag: string;
  score: number;
  /** P: posts in the latest complete window. */
  current: number;
  /** P′: the rate expected from the tag's past windows, per window. */
  expected: number;
}

/** Pseudo-count added to a tag's history, so a tag never seen before gets a finite P′. */
export const PRIOR_POSTS = 1;

/**
 * P′ = (S + PRIOR_POSTS) / n: the mean count over the n past windows, every
 * window without posts counting as 0, with one imaginary post spread over
 * the history. A brand-new tag gets P′ = 1/n instead of 0.
 */
export function expectedRate(pastPosts: number, pastWindows: number): number {
  return (pastPosts + PRIOR_POSTS) / pastWindows;
}

/**
 * P·ln(P/P′): the information a tag's current rate carries against what its
 * history predicts. It is 0 at the expected rate and negative below it, so a
 * tag that is always busy scores about 0, however busy, while a jump scores high.
 */
export function trendScore(current: number, expected: number): number {
  return current * Math.log(current / expected);
}

export interface TrendRankerOptions {
  kv: KvStore;
  clock: Clock;
  windowMs: number;
  retentionMs: number;
}

/**
 * The fourth stage. P is the count of the latest complete window: a partial
 * window undercounts early on and scaling it up is noise, so a trend shows
 * one window (5 minutes) late but steady. The past windows are the retained
 * ones before it, n = retentionMs / windowMs − 1 of them; the partial
 * current window belongs to neither. S comes from `trend_totals`, which
 * still counts an expired window until the scorer's next flush prunes it.
 */
export class TrendRanker {
  constructor(private readonly options: TrendRankerOptions) {}

  async rank(limit: number): Promise<TrendingTag[]> {
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new ValidationError(`limit must be a positive integer, got ${String(limit)}`, [
        { field: 'limit', reason: 'not a positive integer' },
      ]);
    }
    const { kv, clock, windowMs, retentionMs } = this.options;
    const currentStart = windowStartOf(clock.now(), windowMs);
    const latestStart = currentStart - windowMs;
    const pastWindows = retentionMs / windowMs - 1;

    const latest: [string, number][] = [];
    for await (const [key, n] of kv.scan<number>(TREND_WINDOWS, { prefix: windowPrefix(latestStart) })) {
      latest.push([parseWindowKey(key).tag, n]);
    }
    if (latest.length === 0) return [];
    const tags = latest.map(([tag]) => tag);
    const [totals, partial] = await Promise.all([
      kv.getMany<number>(TREND_TOTALS, tags),
      kv.getMany<number>(
        TREND_WINDOWS,
        tags.map((tag) => windowKey(currentStart, tag)),
      ),
    ]);

    const ranked: TrendingTag[] = [];
    latest.forEach(([tag, current], i) => {
      const past = Math.max(0, (totals[i] ?? 0) - current - (partial[i] ?? 0));
      const expected = expectedRate(past, pastWindows);
      const score = trendScore(current, expected);
      if (score > 0) ranked.push({ tag, score, current, expected });
    });
    ranked.sort((a, b) => b.score - a.score || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    return ranked.slice(0, limit);
  }
}
