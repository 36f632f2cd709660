import { StorageError } from '../../errors';
import type { EntryOf, SearchEntry, SuggestKind } from '../../ports/search-index';
import { foldedPrefixKeys } from '../../text/fold-text';
import { codeUnitKey } from './code-unit-key';

/** Elasticsearch's limit on `_id`, in UTF-8 bytes. */
export const MAX_DOCUMENT_ID_BYTES = 512;

/** What a typeahead index stores per entry (schemas/elasticsearch/{users,hashtags,locations}.json). */
export interface SearchSource {
  /** The entry id as a code-unit key: the onlyIds filter and the tie-break sort. */
  id: string;
  rank: number;
  /** Code-unit keys of the folded whole names and words, matched with a `prefix` query. */
  prefix_keys: string[];
  entry: EntryOf[SuggestKind];
}

/** The document `_id` of an entry id: a code-unit key, so distinct ids never collide. */
export const documentIdOf = (id: string): string => codeUnitKey(id);

/** The indexed document of a validated entry; its `_id` is `documentIdOf(source.entry's id)`. */
export function searchSourceOf(e: SearchEntry): SearchSource {
  switch (e.kind) {
    case 'users': {
      const { id, username, fullName, followerCount } = e.entry;
      return source(id, followerCount, [username, fullName], { id, username, fullName, followerCount });
    }
    case 'hashtags': {
      const { tag, displayName, totalPosts } = e.entry;
      return source(tag, totalPosts, [tag, displayName], { tag, displayName, totalPosts });
    }
    case 'locations': {
      const { id, name, mediaCount } = e.entry;
      return source(id, mediaCount, [name], { id, name, mediaCount });
    }
  }
}

function source(id: string, rank: number, names: string[], entry: SearchSource['entry']): SearchSource {
  const keys = new Set<string>();
  for (const name of names) for (const key of foldedPrefixKeys(name)) keys.add(codeUnitKey(key));
  return { id: codeUnitKey(id), rank, prefix_keys: [...keys], entry };
}

/** The port entry stored in a hit's `_source.entry`, checked field by field. */
export function entryOfSource<K extends SuggestKind>(kind: K, source: unknown): EntryOf[K] {
  const e = ((source as { entry?: unknown } | undefined)?.entry ?? {}) as Record<string, unknown>;
  const str = (field: string) => {
    if (typeof e[field] !== 'string') throw badSource(kind, field);
    return e[field];
  };
  const num = (field: string) => {
    if (typeof e[field] !== 'number') throw badSource(kind, field);
    return e[field];
  };
  switch (kind) {
    case 'users':
      return {
        id: str('id'),
        username: str('username'),
        fullName: str('fullName'),
        followerCount: num('followerCount'),
      } as EntryOf[K];
    case 'hashtags':
      return {
        tag: str('tag'),
        displayName: str('displayName'),
        totalPosts: num('totalPosts'),
      } as EntryOf[K];
    default:
      return { id: str('id'), name: str('name'), mediaCount: num('mediaCount') } as EntryOf[K];
  }
}

function badSource(kind: SuggestKind, field: string): StorageError {
  return new StorageError('ES_BAD_DOCUMENT', `a ${kind} document has no valid entry.${field}`, {
    details: { kind, field },
  });
}
