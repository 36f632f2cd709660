export { TrendingPipeline, type TrendingPipelineOptions } from './trending-pipeline';
export { PRIOR_POSTS, expectedRate, trendScore, type TrendingTag } from './trend-ranker';
export {
  defaultTrendRules,
  trendDropReason,
  type TrendDropReason,
  type TrendRules,
} from './trend-pre-processor';
export { parseTrendHit, windowStartOf, type TrendHit } from './trend-parser';
export { TREND_TOTALS, TREND_WATERMARKS, TREND_WINDOWS, parseWindowKey, windowKey } from './trend-tables';
export type { TrendDrops } from './trend-scorer';
