export { MemorySearchIndex, MAX_SUGGEST_LIMIT, type MemorySearchIndexOptions } from './memory-search-index';
export type { OnlyIdsStrategy } from './prefix-query';
export type { IndexStats } from './ranked-prefix-index';
