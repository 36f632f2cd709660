import { errors, type Client } from '@elastic/elasticsearch';
import { StorageError, ValidationError } from '../../errors';
import { INDEX_KINDS, type IndexKind } from '../../ports/search-index';
import { IndexNames } from './index-names';
import { indexSchemaOf } from './index-schemas';
import { describeErrorBody, mapElasticsearchError } from './map-elasticsearch-error';

export interface IndexAdminOptions {
  indexPrefix?: string;
  /** Index settings merged over the schema files' (replicas, refresh interval, shards). */
  settings?: Record<string, unknown>;
}

/**
 * Versioned indices behind aliases. Everyone reads and writes `<prefix><kind>`;
 * a reindex creates `<prefix><kind>_v<n+1>` from the current schema file,
 * fills it, then moves the alias in one `_aliases` call, so searches on the
 * alias see the old index or the new one, never neither.
 */
export class IndexAdmin {
  readonly names: IndexNames;
  private readonly settings: Record<string, unknown>;

  constructor(
    private readonly client: Client,
    options: IndexAdminOptions = {},
  ) {
    this.names = new IndexNames(options.indexPrefix);
    this.settings = { ...options.settings };
  }

  /**
   * Creates `<kind>_v1` with its alias, in one call, for each kind whose alias
   * is missing. Idempotent, and safe when several processes start at once.
   */
  async ensureIndices(kinds: readonly IndexKind[] = INDEX_KINDS): Promise<void> {
    await Promise.all(kinds.map((kind) => this.ensureIndex(kind)));
  }

  /** The physical indices the alias of `kind` points at (one, unless someone edited aliases by hand). */
  async aliasTargets(kind: IndexKind): Promise<string[]> {
    const alias = this.names.alias(kind);
    try {
      const found = await this.client.indices.getAlias({ name: alias });
      return Object.keys(found).sort();
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 404) return [];
      throw mapElasticsearchError(err, `get alias ${alias}`);
    }
  }

  /** Versions of `kind` that exist as physical indices, ascending. */
  async versions(kind: IndexKind): Promise<number[]> {
    const pattern = `${this.names.prefix}${kind}_v*`;
    try {
      const { indices } = await this.client.indices.resolveIndex({ name: pattern, expand_wildcards: 'all' });
      return indices
        .map((i) => this.names.versionOf(kind, i.name))
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
    } catch (err) {
      throw mapElasticsearchError(err, `resolve ${pattern}`);
    }
  }

  /** Creates the next version of `kind` from the current schema file, without alias; returns its name. */
  async createVersion(kind: IndexKind): Promise<string> {
    const versions = await this.versions(kind);
    const index = this.names.physical(kind, (versions[versions.length - 1] ?? 0) + 1);
    try {
      await this.client.indices.create({ index, ...indexSchemaOf(kind, this.settings) });
    } catch (err) {
      throw mapElasticsearchError(err, `create index ${index}`);
    }
    return index;
  }

  /**
   * Points the alias of `kind` at `index` only, atomically: one `_aliases`
   * call removes it from every index it was on and adds it to `index`. If the
   * alias moved meanwhile the call fails as a whole and nothing changes.
   * Returns the indices it left; `deleteOld` deletes them afterwards.
   */
  async swapAlias(
    kind: IndexKind,
    index: string,
    options: { deleteOld?: boolean } = {},
  ): Promise<{ previous: string[] }> {
    if (this.names.versionOf(kind, index) === undefined) {
      throw new ValidationError(`${index} is not a version of ${this.names.alias(kind)}`, [
        { field: 'index', reason: `not named ${this.names.physical(kind, 1).replace(/1$/, '<n>')}` },
      ]);
    }
    const alias = this.names.alias(kind);
    const previous = (await this.aliasTargets(kind)).filter((name) => name !== index);
    try {
      await this.client.indices.updateAliases({
        actions: [...previous.map((name) => ({ remove: { index: name, alias } })), { add: { index, alias } }],
      });
    } catch (err) {
      throw mapElasticsearchError(err, `move alias ${alias} to ${index}`);
    }
    if (options.deleteOld) await this.deleteIndices(previous);
    return { previous };
  }

  /** Deletes physical indices by name; missing ones are skipped. */
  async deleteIndices(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    try {
      await this.client.indices.delete({ index: [...names], ignore_unavailable: true });
    } catch (err) {
      throw mapElasticsearchError(err, `delete ${names.join(', ')}`);
    }
  }

  /** Deletes every version of every kind under this prefix (tests, teardown); returns their names. */
  async dropAll(): Promise<string[]> {
    const names: string[] = [];
    for (const kind of INDEX_KINDS) {
      for (const v of await this.versions(kind)) names.push(this.names.physical(kind, v));
    }
    await this.deleteIndices(names);
    return names;
  }

  private async ensureIndex(kind: IndexKind): Promise<void> {
    const alias = this.names.alias(kind);
    const index = this.names.physical(kind, 1);
    try {
      if (await this.aliasExists(alias)) return;
      await this.client.indices.create({
        index,
        ...indexSchemaOf(kind, this.settings),
        aliases: { [alias]: {} },
      });
    } catch (err) {
      const raced =
        err instanceof errors.ResponseError &&
        describeErrorBody(err.body).type === 'resource_already_exists_exception';
      if (!raced) throw mapElasticsearchError(err, `create index ${index}`);
      // Another process created it, with the alias in the same call; unless the alias was removed by hand.
      if (!(await this.aliasExists(alias))) {
        throw new StorageError(
          'ES_ALIAS_MISSING',
          `index ${index} exists but alias ${alias} does not; add the alias to the version in use`,
          { details: { index, alias } },
        );
      }
    }
  }

  private async aliasExists(alias: string): Promise<boolean> {
    try {
      return await this.client.indices.existsAlias({ name: alias });
    } catch (err) {
      throw mapElasticsearchError(err, `check alias ${alias}`);
    }
  }
}
