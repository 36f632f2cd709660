import { MemorySearchIndex } from '../../../platform/adapters/memory-search';
import { AppError, ValidationError } from '../../../platform/errors';
import {
  SUGGEST_KINDS as KINDS,
  type EntryOf,
  type IndexFailure,
  type IndexKind,
  type SearchEntry,
  type SearchIndex,
  type SuggestHit,
  type SuggestKind,
  type SuggestOptions,
} from '../../../platform/ports/search-index';
import { docId, type DocFailure, type IndexDoc, type SearchVersions } from './search-versions';

/**
 * The embedded typeahead index with Elasticsearch-style aliases: each kind
 * reads and writes its current version, a reindex fills another one beside
 * it, and `swap` repoints the kind in one synchronous step, so every call
 * sees the old version or the new one, never a half-filled one.
 */
export class AliasedSearchIndex implements SearchIndex, SearchVersions {
  readonly persistent = false;
  readonly kinds: readonly IndexKind[] = KINDS;
  private readonly versions = new Map<string, MemorySearchIndex>();
  private readonly aliases = new Map<SuggestKind, string>();
  private next = 1;
  private closed = false;

  /** `initial` (e.g. the index the service loaded at start) becomes version 1 of every kind. */
  constructor(initial: MemorySearchIndex = MemorySearchIndex.create()) {
    const name = `v${this.next++}`;
    this.versions.set(name, initial);
    for (const kind of KINDS) this.aliases.set(kind, name);
  }

  // SearchIndex, through the aliases.

  async upsert(entries: SearchEntry[]): Promise<{ failed: IndexFailure[] }> {
    const failed: IndexFailure[] = [];
    for (const kind of KINDS) {
      const mine = entries.filter((e) => e?.kind === kind);
      if (mine.length > 0) failed.push(...(await this.of(kind).upsert(mine)).failed);
    }
    const other = entries.filter((e) => !KINDS.includes(e?.kind));
    if (other.length > 0) failed.push(...(await this.of('users').upsert(other)).failed);
    return { failed };
  }

  remove(kind: SuggestKind, ids: string[]): Promise<void> {
    return this.of(kind).remove(kind, ids);
  }

  suggest<K extends SuggestKind>(kind: K, query: string, options: SuggestOptions): Promise<SuggestHit<K>[]> {
    return this.of(kind).suggest(kind, query, options);
  }

  get<K extends SuggestKind>(kind: K, id: string): Promise<EntryOf[K] | undefined> {
    return this.of(kind).get(kind, id);
  }

  count(kind: SuggestKind): Promise<number> {
    return this.of(kind).count(kind);
  }

  async refresh(): Promise<void> {
    for (const v of new Set(this.aliases.values())) await this.versions.get(v)!.refresh();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const v of this.versions.values()) await v.close();
    this.versions.clear();
  }

  // SearchVersions. A kind's name is its alias.

  alias(kind: IndexKind): string {
    return this.suggestKind(kind);
  }

  async current(kind: IndexKind): Promise<string | undefined> {
    return this.aliases.get(this.suggestKind(kind));
  }

  async exists(kind: IndexKind, version: string): Promise<boolean> {
    this.suggestKind(kind);
    return this.versions.has(version);
  }

  async create(kind: IndexKind): Promise<string> {
    this.suggestKind(kind);
    this.requireOpen();
    const name = `v${this.next++}`;
    this.versions.set(name, MemorySearchIndex.create());
    return name;
  }

  async upsertInto(kind: IndexKind, version: string, docs: IndexDoc[]): Promise<{ failed: DocFailure[] }> {
    const k = this.suggestKind(kind);
    const { failed } = await this.version(version).upsert(docs.filter((d): d is SearchEntry => d.kind === k));
    const wrongKind = docs
      .filter((d) => d.kind !== k)
      .map((d) => ({ id: docId(d), reason: `not a ${k} document` }));
    return { failed: [...failed.map((f) => ({ id: f.id, reason: f.reason })), ...wrongKind] };
  }

  async removeFrom(kind: IndexKind, version: string, ids: string[]): Promise<void> {
    await this.version(version).remove(this.suggestKind(kind), ids);
  }

  async countIn(kind: IndexKind, version: string): Promise<number> {
    return this.version(version).count(this.suggestKind(kind));
  }

  async getFrom(kind: IndexKind, version: string, ids: readonly string[]): Promise<(IndexDoc | undefined)[]> {
    const k = this.suggestKind(kind);
    const index = this.version(version);
    return Promise.all(
      ids.map(async (id) => {
        const entry = await index.get(k, id);
        return entry === undefined ? undefined : ({ kind: k, entry } as IndexDoc);
      }),
    );
  }

  async swap(kind: IndexKind, version: string): Promise<{ previous: string[] }> {
    const k = this.suggestKind(kind);
    this.version(version);
    const previous = this.aliases.get(k);
    this.aliases.set(k, version);
    return { previous: previous !== undefined && previous !== version ? [previous] : [] };
  }

  /** Closes versions no alias points at any more; a version still serving another kind is kept. */
  async drop(kind: IndexKind, versions: readonly string[]): Promise<void> {
    this.suggestKind(kind);
    const inUse = new Set(this.aliases.values());
    for (const v of versions) {
      const index = this.versions.get(v);
      if (!index || inUse.has(v)) continue;
      this.versions.delete(v);
      await index.close();
    }
  }

  /** The versions that exist, for tests and diagnostics. */
  versionNames(): string[] {
    return [...this.versions.keys()];
  }

  private of(kind: SuggestKind): MemorySearchIndex {
    this.requireOpen();
    const name = this.aliases.get(kind);
    const index = name === undefined ? undefined : this.versions.get(name);
    if (!index) {
      throw new ValidationError(`unknown search kind ${String(kind)}`, [
        { field: 'kind', reason: 'unknown' },
      ]);
    }
    return index;
  }

  /** A version by name, or the version a kind's alias points at. */
  private version(name: string): MemorySearchIndex {
    this.requireOpen();
    const aliased = this.aliases.get(name as SuggestKind);
    const index = this.versions.get(aliased ?? name);
    if (!index) throw new AppError('SEARCH_VERSION_MISSING', `search index version ${name} does not exist`);
    return index;
  }

  private suggestKind(kind: IndexKind): SuggestKind {
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new ValidationError(`the embedded search index has no ${kind} index`, [
        { field: 'kind', reason: `must be one of ${KINDS.join(', ')}` },
      ]);
    }
    return kind as SuggestKind;
  }

  private requireOpen(): void {
    if (this.closed) throw new AppError('SEARCH_INDEX_CLOSED', 'the search index is closed');
  }
}
