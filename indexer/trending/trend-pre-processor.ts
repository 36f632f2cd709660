import { MAX_DELTAS_PER_EVENT, type HashtagDelta } from '../hashtag-delta';

/** Why a record cannot count towards a trend. */
export type TrendDropReason = 'removal' | 'stuffing';

export interface TrendRules {
  /** Tags of one upload event that may count; default 10. */
  maxTagsPerPost: number;
}

export const defaultTrendRules: TrendRules = { maxTagsPerPost: 10 };

/**
 * The first stage: keeps only records that may make a tag trend.
 * - A removal (delta −1) never does: a tag trends on what is posted, and a
 *   deleted post only stops counting for the hashtag page.
 * - Hashtag stuffing: a post carrying many tags is mostly fishing for reach,
 *   so only its first `maxTagsPerPost` count. The position comes from the
 *   seq (its index within the upload event), which keeps the rule stateless
 *   and identical on a replay. An edit's removals come first in its event
 *   and use up positions too; that only makes the rule stricter.
 */
export function trendDropReason(delta: HashtagDelta, rules: TrendRules): TrendDropReason | undefined {
  if (delta.delta < 0) return 'removal';
  if (delta.seq % MAX_DELTAS_PER_EVENT >= rules.maxTagsPerPost) return 'stuffing';
  return undefined;
}
