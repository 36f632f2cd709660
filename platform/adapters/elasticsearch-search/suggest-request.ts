import type { estypes } from '@elastic/elasticsearch';
import { codeUnitKey } from './code-unit-key';

/** Elasticsearch's default `index.max_terms_count`, the most terms one `terms` query may hold. */
export const MAX_TERMS_PER_QUERY = 65_536;

/**
 * The search behind `suggest`: documents with a prefix key starting with the
 * folded query, optionally only the given ids, best rank first and ties by
 * id. Everything is a filter (no scoring); the sort equals the index sort,
 * so with `track_total_hits: false` each segment stops after `limit` hits.
 */
export function suggestRequest(
  index: string,
  foldedQuery: string,
  limit: number,
  onlyIds: readonly string[] | undefined,
): estypes.SearchRequest {
  const filter: estypes.QueryDslQueryContainer[] = [
    { prefix: { prefix_keys: { value: codeUnitKey(foldedQuery) } } },
  ];
  if (onlyIds !== undefined) {
    const ids = [...new Set(onlyIds.map(codeUnitKey))];
    const clauses: estypes.QueryDslQueryContainer[] = [];
    for (let i = 0; i < ids.length; i += MAX_TERMS_PER_QUERY) {
      clauses.push({ terms: { id: ids.slice(i, i + MAX_TERMS_PER_QUERY) } });
    }
    filter.push(clauses.length === 1 ? clauses[0]! : { bool: { should: clauses, minimum_should_match: 1 } });
  }
  return {
    index,
    size: limit,
    track_total_hits: false,
    _source: ['entry'],
    query: { bool: { filter } },
    sort: [{ rank: { order: 'desc' } }, { id: { order: 'asc' } }],
    filter_path: ['hits.hits._source'],
  };
}
