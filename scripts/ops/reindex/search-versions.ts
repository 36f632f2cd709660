import type { MediaDoc } from '../../../indexer/documents/document-types';
import type { IndexKind, SearchEntry } from '../../../platform/ports/search-index';

/** A document of one index kind: a typeahead entry, or a media document. */
export type IndexDoc = SearchEntry | { kind: 'media'; entry: MediaDoc };

export const docId = (d: IndexDoc): string => (d.kind === 'hashtags' ? d.entry.tag : d.entry.id);

export interface DocFailure {
  id: string;
  reason: string;
}

/**
 * Versioned indices behind per-kind aliases: what a reindex writes into and
 * swaps, and what verify reads. Elasticsearch: physical `<kind>_v<n>` indices
 * and aliases (IndexAdmin). Embedded: in-memory versions behind
 * AliasedSearchIndex. Wherever a method takes a version, `alias(kind)` may be
 * given instead: it names whatever version the alias points at when the call runs.
 */
export interface SearchVersions {
  /** True when versions outlive the process (Elasticsearch), so a resumed run can keep filling one. */
  readonly persistent: boolean;
  /** The kinds this target indexes. */
  readonly kinds: readonly IndexKind[];
  /** The name of the alias of `kind`, usable in place of a version. */
  alias(kind: IndexKind): string;
  /** The version the alias of `kind` points at now. */
  current(kind: IndexKind): Promise<string | undefined>;
  exists(kind: IndexKind, version: string): Promise<boolean>;
  /** A new, empty version from the current schema; not behind the alias. */
  create(kind: IndexKind): Promise<string>;
  /** Idempotent upserts into one version; refused documents come back. */
  upsertInto(kind: IndexKind, version: string, docs: IndexDoc[]): Promise<{ failed: DocFailure[] }>;
  removeFrom(kind: IndexKind, version: string, ids: string[]): Promise<void>;
  /** Documents in one version, after making every write visible. */
  countIn(kind: IndexKind, version: string): Promise<number>;
  /** The stored documents of some ids, in order; undefined where there is none. */
  getFrom(kind: IndexKind, version: string, ids: readonly string[]): Promise<(IndexDoc | undefined)[]>;
  /** Every document id in one version, in pages; only where the index can list them. */
  idsIn?(kind: IndexKind, version: string): AsyncIterable<string[]>;
  /** Makes every write visible, then points the alias at `version` only, atomically; returns the versions it left. */
  swap(kind: IndexKind, version: string): Promise<{ previous: string[] }>;
  drop(kind: IndexKind, versions: readonly string[]): Promise<void>;
}
