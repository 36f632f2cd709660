import { AppError, ValidationError } from '../../errors';
import type {
  EntryOf,
  HashtagEntry,
  IndexFailure,
  LocationEntry,
  SearchEntry,
  SearchIndex,
  SuggestHit,
  SuggestKind,
  SuggestOptions,
  UserEntry,
} from '../../ports/search-index';
import { foldText } from '../../text/fold-text';
import { prepareSearchEntry } from '../../ports/prepare-search-entry';
import {
  checkSuggestArgs,
  requireIds,
  requireString,
  requireSuggestKind,
} from '../../ports/search-index-args';
import type { OnlyIdsStrategy } from './prefix-query';
import { RankedPrefixIndex, type IndexStats } from './ranked-prefix-index';

export { MAX_SUGGEST_LIMIT } from '../../ports/search-index-args';

export interface MemorySearchIndexOptions {
  /** Keys the overlay holds before they move to the delta level (4096); tests set it tiny to exercise merges. */
  overlayLimit?: number;
  /** Keys the delta level holds before the full merge into the base (1/16 of the base, 16k to 256k). */
  deltaLimit?: number;
  /** How `onlyIds` suggests pick candidates; `auto` chooses by a cost estimate. Forced for tests and benchmarks. */
  onlyIdsStrategy?: OnlyIdsStrategy;
}

type Indexes = { [K in SuggestKind]: RankedPrefixIndex<EntryOf[K]> };

const STRATEGIES: readonly OnlyIdsStrategy[] = ['auto', 'by-ids', 'by-range', 'by-rank'];

/**
 * The embedded search index: one RankedPrefixIndex per kind, all in memory,
 * rebuilt from the KV store at start (see `bulkLoad`). Writes are visible to
 * the next suggest, so `refresh` has nothing to do.
 */
export class MemorySearchIndex implements SearchIndex {
  private indexes: Indexes | undefined;
  private readonly strategy: OnlyIdsStrategy;

  private constructor(options: MemorySearchIndexOptions) {
    const { overlayLimit, deltaLimit, onlyIdsStrategy = 'auto' } = options;
    for (const [field, value] of [
      ['overlayLimit', overlayLimit],
      ['deltaLimit', deltaLimit],
    ] as const) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
        throw new ValidationError(`${field} must be a positive integer`, [
          { field, reason: 'not a positive integer' },
        ]);
      }
    }
    const limits = { overlayLimit, deltaLimit };
    if (!STRATEGIES.includes(onlyIdsStrategy)) {
      throw new ValidationError(`onlyIdsStrategy must be one of ${STRATEGIES.join(', ')}`, [
        { field: 'onlyIdsStrategy', reason: 'unknown strategy' },
      ]);
    }
    this.strategy = onlyIdsStrategy;
    this.indexes = {
      users: new RankedPrefixIndex<UserEntry>(
        { idOf: (e) => e.id, rankOf: (e) => e.followerCount, namesOf: (e) => [e.username, e.fullName] },
        limits,
      ),
      hashtags: new RankedPrefixIndex<HashtagEntry>(
        { idOf: (e) => e.tag, rankOf: (e) => e.totalPosts, namesOf: (e) => [e.tag, e.displayName] },
        limits,
      ),
      locations: new RankedPrefixIndex<LocationEntry>(
        { idOf: (e) => e.id, rankOf: (e) => e.mediaCount, namesOf: (e) => [e.name] },
        limits,
      ),
    };
  }

  static create(options: MemorySearchIndexOptions = {}): MemorySearchIndex {
    return new MemorySearchIndex(options);
  }

  async upsert(entries: SearchEntry[]): Promise<{ failed: IndexFailure[] }> {
    const indexes = this.open();
    if (!Array.isArray(entries)) {
      throw new ValidationError('entries must be an array', [{ field: 'entries', reason: 'not an array' }]);
    }
    const failed: IndexFailure[] = [];
    for (const raw of entries) this.write(indexes, raw, failed);
    flushAll(indexes);
    return { failed };
  }

  /**
   * Loads many entries (the KV store's documents at start) with one merge at
   * the end instead of one per overlay's worth. Same rules as `upsert`;
   * suggests running meanwhile see what has been loaded so far.
   */
  async bulkLoad(
    source: Iterable<SearchEntry> | AsyncIterable<SearchEntry>,
  ): Promise<{ loaded: number; failed: IndexFailure[] }> {
    const failed: IndexFailure[] = [];
    let loaded = 0;
    if (Symbol.iterator in source) {
      const indexes = this.open();
      for (const raw of source) if (this.write(indexes, raw, failed)) loaded++;
    } else {
      for await (const raw of source) if (this.write(this.open(), raw, failed)) loaded++;
    }
    flushAll(this.open());
    return { loaded, failed };
  }

  async remove(kind: SuggestKind, ids: string[]): Promise<void> {
    const index = this.indexOf(kind);
    requireIds(ids);
    for (const id of ids) index.remove(id);
  }

  async suggest<K extends SuggestKind>(
    kind: K,
    query: string,
    options: SuggestOptions,
  ): Promise<SuggestHit<K>[]> {
    const index = this.indexOf(kind) as unknown as RankedPrefixIndex<EntryOf[K]>;
    const { limit, onlyIds } = checkSuggestArgs(query, options);
    const prefix = foldText(query);
    if (prefix === '') return [];
    index.flush();
    return index.suggest(prefix, limit, onlyIds, this.strategy);
  }

  async get<K extends SuggestKind>(kind: K, id: string): Promise<EntryOf[K] | undefined> {
    const index = this.indexOf(kind) as unknown as RankedPrefixIndex<EntryOf[K]>;
    requireString(id, 'id');
    return index.get(id);
  }

  async count(kind: SuggestKind): Promise<number> {
    return this.indexOf(kind).size;
  }

  async refresh(): Promise<void> {
    this.open();
  }

  /** Drops every entry; any later call fails with SEARCH_INDEX_CLOSED. Closing twice is fine. */
  async close(): Promise<void> {
    if (!this.indexes) return;
    for (const index of Object.values(this.indexes)) index.clear();
    this.indexes = undefined;
  }

  /** Sizes and merge counts per kind, for benchmarks and health pages. */
  stats(): Record<SuggestKind, IndexStats> {
    const { users, hashtags, locations } = this.open();
    return { users: users.stats(), hashtags: hashtags.stats(), locations: locations.stats() };
  }

  private write(indexes: Indexes, raw: unknown, failed: IndexFailure[]): boolean {
    const prepared = prepareSearchEntry(raw);
    if (!prepared.ok) {
      failed.push(prepared.failure);
      return false;
    }
    const { kind, entry } = prepared.entry;
    (indexes[kind] as RankedPrefixIndex<typeof entry>).upsert(entry);
    return true;
  }

  private indexOf(kind: SuggestKind): RankedPrefixIndex<EntryOf[SuggestKind]> {
    const indexes = this.open();
    requireSuggestKind(kind);
    return indexes[kind] as RankedPrefixIndex<EntryOf[SuggestKind]>;
  }

  private open(): Indexes {
    if (!this.indexes) throw new AppError('SEARCH_INDEX_CLOSED', 'the search index is closed');
    return this.indexes;
  }
}

function flushAll(indexes: Indexes): void {
  indexes.users.flush();
  indexes.hashtags.flush();
  indexes.locations.flush();
}
