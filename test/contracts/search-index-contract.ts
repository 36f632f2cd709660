import { useFreshSearchIndex, type SearchIndexFactory } from './search-index-fixtures';
import { searchIndexOracleCase } from './search-index-oracle-contract';
import { searchIndexQueryCases } from './search-index-query-contract';
import { searchIndexWriteCases } from './search-index-write-contract';

export interface SearchIndexContractOptions {
  /** Runs of the random-sequence property; lower it for slow backends. */
  propertyRuns?: number;
}

/**
 * The behaviour every SearchIndex adapter owes the API, through the port
 * only: each read follows `refresh()`, nothing depends on timing.
 */
export function searchIndexContract(
  name: string,
  factory: SearchIndexFactory,
  options: SearchIndexContractOptions = {},
): void {
  describe(`SearchIndex contract: ${name}`, () => {
    const subject = useFreshSearchIndex(factory);
    searchIndexQueryCases(subject);
    searchIndexWriteCases(subject);
    searchIndexOracleCase(factory, options.propertyRuns ?? 150);
  });
}
