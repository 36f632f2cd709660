import type { SearchEntry, SearchIndex, SuggestKind } from '../../platform/ports/search-index';
import { foldText, foldedPrefixKeys } from '../../platform/text/fold-text';

export const user = (id: string, username: string, fullName: string, followerCount = 0): SearchEntry => ({
  kind: 'users',
  entry: { id, username, fullName, followerCount },
});
export const tag = (t: string, displayName: string, totalPosts = 0): SearchEntry => ({
  kind: 'hashtags',
  entry: { tag: t, displayName, totalPosts },
});
export const place = (id: string, name: string, mediaCount = 0): SearchEntry => ({
  kind: 'locations',
  entry: { id, name, mediaCount },
});

/** An entry as the oracle sees it: its id, the names it is found by, and the count it ranks by. */
export interface Model {
  id: string;
  names: string[];
  count: number;
}

export const modelOf = (e: SearchEntry): Model => {
  switch (e.kind) {
    case 'users':
      return { id: e.entry.id, names: [e.entry.username, e.entry.fullName], count: e.entry.followerCount };
    case 'hashtags':
      return { id: e.entry.tag, names: [e.entry.tag, e.entry.displayName], count: e.entry.totalPosts };
    case 'locations':
      return { id: e.entry.id, names: [e.entry.name], count: e.entry.mediaCount };
  }
};

const keyCache = new Map<string, string[]>();
/** foldedPrefixKeys, memoised: the oracle runs over thousands of entries per query. */
function keysOf(name: string): string[] {
  let keys = keyCache.get(name);
  if (!keys) {
    if (keyCache.size > 200_000) keyCache.clear();
    keys = foldedPrefixKeys(name);
    keyCache.set(name, keys);
  }
  return keys;
}

/** The brute-force oracle: every entry any of whose folded keys starts with the folded query, sorted, sliced. */
export function bruteForceSuggest(
  entries: Iterable<Model>,
  query: string,
  limit: number,
  onlyIds?: readonly string[],
): string[] {
  const folded = foldText(query);
  if (folded === '') return [];
  const allowed = onlyIds && new Set(onlyIds);
  return [...entries]
    .filter((m) => !allowed || allowed.has(m.id))
    .filter((m) => m.names.some((n) => keysOf(n).some((k) => k.startsWith(folded))))
    .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit)
    .map((m) => m.id);
}

/** Gives each test a fresh index; the property cases also make their own, one per run. */
export type SearchIndexFactory = () => Promise<{ index: SearchIndex; cleanup(): Promise<void> }>;

/** The index of the running test, and the helpers the cases read and write it with. */
export interface FreshSearchIndex {
  readonly index: SearchIndex;
  /** Upserts the entries, expecting none to fail, then refreshes. */
  load(entries: SearchEntry[]): Promise<void>;
  /** The ids of the hits, best first. */
  ids(kind: SuggestKind, query: string, limit?: number, onlyIds?: string[]): Promise<string[]>;
}

/** Opens a fresh index from `factory` before each test of the enclosing describe and cleans it up after. */
export function useFreshSearchIndex(factory: SearchIndexFactory): FreshSearchIndex {
  let index: SearchIndex;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ index, cleanup } = await factory());
  });
  afterEach(async () => {
    await cleanup();
  });

  return {
    get index() {
      return index;
    },
    load: async (entries: SearchEntry[]) => {
      expect(await index.upsert(entries)).toEqual({ failed: [] });
      await index.refresh();
    },
    ids: async (kind: SuggestKind, query: string, limit = 50, onlyIds?: string[]) =>
      (await index.suggest(kind, query, { limit, onlyIds })).map((h) => h.id),
  };
}
