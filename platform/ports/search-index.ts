/**
 * The search index port: the search box's typeahead over users, hashtags and
 * locations. Embedded: an in-memory prefix index rebuilt from the KV store.
 * Distributed: Elasticsearch, written through the bulk layer.
 *
 * Matching is on folded text (platform/text/fold-text): a query matches an
 * entry when it is a prefix of the entry's whole name or of any word in it.
 */
export type SuggestKind = 'users' | 'hashtags' | 'locations';

/** The typeahead kinds plus the media documents the reindex tooling writes. */
export type IndexKind = SuggestKind | 'media';

export const INDEX_KINDS: readonly IndexKind[] = ['users', 'hashtags', 'locations', 'media'];
export const SUGGEST_KINDS: readonly SuggestKind[] = ['users', 'hashtags', 'locations'];

export interface UserEntry {
  id: string;
  username: string;
  fullName: string;
  followerCount: number;
}

export interface HashtagEntry {
  /** The canonical key (also the entry's id). */
  tag: string;
  displayName: string;
  totalPosts: number;
}

export interface LocationEntry {
  id: string;
  name: string;
  mediaCount: number;
}

export type SearchEntry =
  | { kind: 'users'; entry: UserEntry }
  | { kind: 'hashtags'; entry: HashtagEntry }
  | { kind: 'locations'; entry: LocationEntry };

export interface EntryOf {
  users: UserEntry;
  hashtags: HashtagEntry;
  locations: LocationEntry;
}

export interface SuggestOptions {
  limit: number;
  /** Only entries with these ids (the API's social tiers); absent means all. */
  onlyIds?: readonly string[];
}

export interface SuggestHit<K extends SuggestKind> {
  id: string;
  entry: EntryOf[K];
}

export interface IndexFailure {
  kind: SuggestKind;
  id: string;
  reason: string;
}

export interface SearchIndex {
  /** Upserts by (kind, id); idempotent. Entries that cannot be indexed are returned, not thrown. */
  upsert(entries: SearchEntry[]): Promise<{ failed: IndexFailure[] }>;
  remove(kind: SuggestKind, ids: string[]): Promise<void>;
  /**
   * Matching entries, best first: users by followerCount, hashtags by
   * totalPosts, locations by mediaCount, all descending; ties by id ascending.
   */
  suggest<K extends SuggestKind>(kind: K, query: string, options: SuggestOptions): Promise<SuggestHit<K>[]>;
  get<K extends SuggestKind>(kind: K, id: string): Promise<EntryOf[K] | undefined>;
  count(kind: SuggestKind): Promise<number>;
  /** Makes every completed upsert visible to suggest (Elasticsearch's refresh). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

export const entryId = (e: SearchEntry): string => (e.kind === 'hashtags' ? e.entry.tag : e.entry.id);
