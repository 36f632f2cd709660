import type { MediaDoc } from '../../../indexer/documents/document-types';
import {
  BulkWriter,
  createElasticsearchClient,
  documentIdOf,
  entryOfSource,
  IndexAdmin,
  indexSchemaOf,
  mapElasticsearchError,
  searchSourceOf,
  type BulkOperation,
  type BulkWriterStats,
} from '../../../platform/adapters/elasticsearch-search';
import { StorageError } from '../../../platform/errors';
import type { Logger } from '../../../platform/logger';
import { prepareSearchEntry } from '../../../platform/ports/prepare-search-entry';
import { INDEX_KINDS, type IndexKind, type SuggestKind } from '../../../platform/ports/search-index';
import type { RetryPolicy } from '../../../platform/retry';
import { docId, type DocFailure, type IndexDoc, type SearchVersions } from './search-versions';

type Client = ReturnType<typeof createElasticsearchClient>;

export interface ElasticsearchVersionsOptions {
  node: string;
  indexPrefix?: string;
  logger?: Logger;
  /** Bulk request size and parallelism of the load. */
  bulk?: { maxDocs?: number; concurrency?: number; retry?: Partial<RetryPolicy> };
  requestTimeoutMs?: number;
}

/** Source fields that carry a document's own id: typeahead entries nest it, media documents do not. */
const ID_FIELDS = ['entry.id', 'entry.tag', 'id'];

/**
 * SearchVersions on Elasticsearch: versions are physical indices created
 * from the current schema file by IndexAdmin, written through the project's
 * BulkWriter (which backs off on 429), and swapped with one `_aliases` call.
 * A new version is created with refreshes off, as bulk loads are faster
 * without them; the swap restores the schema's refresh interval and
 * refreshes before it moves the alias, so the first query on the new
 * version already sees every document.
 */
export class ElasticsearchVersions implements SearchVersions {
  readonly persistent = true;
  readonly kinds: readonly IndexKind[] = INDEX_KINDS;
  readonly admin: IndexAdmin;
  private readonly loader: IndexAdmin;
  private readonly writer: BulkWriter;

  private constructor(
    readonly client: Client,
    options: ElasticsearchVersionsOptions,
  ) {
    this.admin = new IndexAdmin(client, { indexPrefix: options.indexPrefix });
    this.loader = new IndexAdmin(client, {
      indexPrefix: options.indexPrefix,
      settings: { refresh_interval: '-1' },
    });
    this.writer = new BulkWriter(client, {
      onDrop: (op, reason, status) =>
        options.logger?.warn({ index: op.index, id: op.id, status, reason }, 'refused'),
      maxDocs: options.bulk?.maxDocs ?? 1000,
      concurrency: options.bulk?.concurrency ?? 2,
      retry: options.bulk?.retry,
      logger: options.logger,
      requestTimeoutMs: options.requestTimeoutMs,
    });
  }

  /** Connects and creates any missing alias (with its `_v1`), media's included. */
  static async connect(options: ElasticsearchVersionsOptions): Promise<ElasticsearchVersions> {
    const client = createElasticsearchClient({
      node: options.node,
      requestTimeoutMs: options.requestTimeoutMs,
    });
    const versions = new ElasticsearchVersions(client, options);
    try {
      await versions.admin.ensureIndices();
    } catch (err) {
      await client.close();
      throw err;
    }
    return versions;
  }

  alias(kind: IndexKind): string {
    return this.admin.names.alias(kind);
  }

  async current(kind: IndexKind): Promise<string | undefined> {
    const targets = await this.admin.aliasTargets(kind);
    return targets[targets.length - 1];
  }

  async exists(kind: IndexKind, version: string): Promise<boolean> {
    const v = this.admin.names.versionOf(kind, version);
    return v !== undefined && (await this.admin.versions(kind)).includes(v);
  }

  create(kind: IndexKind): Promise<string> {
    return this.loader.createVersion(kind);
  }

  async upsertInto(kind: IndexKind, version: string, docs: IndexDoc[]): Promise<{ failed: DocFailure[] }> {
    const failed: DocFailure[] = [];
    const origin = new Map<BulkOperation, string>();
    const ops: BulkOperation[] = [];
    for (const doc of docs) {
      const id = docId(doc);
      if (doc.kind !== kind) {
        failed.push({ id, reason: `not a ${kind} document` });
        continue;
      }
      let document: object;
      if (doc.kind === 'media') {
        document = doc.entry;
      } else {
        const prepared = prepareSearchEntry(doc);
        if (!prepared.ok) {
          failed.push({ id, reason: prepared.failure.reason });
          continue;
        }
        document = searchSourceOf(prepared.entry);
      }
      const op: BulkOperation = { action: 'index', index: version, id: documentIdOf(id), document };
      ops.push(op);
      origin.set(op, id);
    }
    if (ops.length > 0) {
      const { dropped } = await this.writer.write(ops, { flush: true });
      for (const d of dropped)
        failed.push({ id: origin.get(d.operation) ?? d.operation.id, reason: d.reason });
    }
    return { failed };
  }

  async removeFrom(_kind: IndexKind, version: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const { dropped } = await this.writer.write(
      ids.map((id) => ({ action: 'delete', index: version, id: documentIdOf(id) })),
      { flush: true },
    );
    if (dropped.length > 0) {
      throw new StorageError('ES_DELETE_FAILED', `elasticsearch refused to delete: ${dropped[0]!.reason}`, {
        details: { index: version, refused: dropped.map((d) => d.operation.id) },
      });
    }
  }

  async countIn(_kind: IndexKind, version: string): Promise<number> {
    await this.writer.flush();
    try {
      await this.client.indices.refresh({ index: version });
      return (await this.client.count({ index: version })).count;
    } catch (err) {
      throw mapElasticsearchError(err, `count ${version}`);
    }
  }

  async getFrom(kind: IndexKind, version: string, ids: readonly string[]): Promise<(IndexDoc | undefined)[]> {
    if (ids.length === 0) return [];
    try {
      const { docs } = await this.client.mget({ index: version, ids: ids.map(documentIdOf) });
      return docs.map((d) => {
        if (!('found' in d) || !d.found) return undefined;
        return kind === 'media'
          ? { kind, entry: d._source as MediaDoc }
          : ({ kind, entry: entryOfSource(kind as SuggestKind, d._source) } as IndexDoc);
      });
    } catch (err) {
      throw mapElasticsearchError(err, `get from ${version}`);
    }
  }

  async *idsIn(kind: IndexKind, version: string): AsyncIterable<string[]> {
    const idOf = (source: unknown): string => {
      const s = source as { id?: string; entry?: { id?: string; tag?: string } };
      return kind === 'media' ? s.id! : kind === 'hashtags' ? s.entry!.tag! : s.entry!.id!;
    };
    let scrollId: string | undefined;
    try {
      let page = await this.client.search({
        index: version,
        scroll: '1m',
        size: 1000,
        sort: ['_doc'],
        _source: ID_FIELDS,
      });
      for (;;) {
        scrollId = page._scroll_id;
        const hits = page.hits.hits;
        if (hits.length === 0) break;
        yield hits.map((h) => idOf(h._source));
        page = await this.client.scroll({ scroll_id: scrollId!, scroll: '1m' });
      }
    } catch (err) {
      throw mapElasticsearchError(err, `list ${version}`);
    } finally {
      if (scrollId) await this.client.clearScroll({ scroll_id: scrollId }).catch(() => undefined);
    }
  }

  async swap(kind: IndexKind, version: string): Promise<{ previous: string[] }> {
    await this.writer.flush();
    const interval = (indexSchemaOf(kind).settings.index as { refresh_interval?: string } | undefined)
      ?.refresh_interval;
    try {
      // null restores Elasticsearch's default when the schema sets none (the client's types omit it).
      const settings = { index: { refresh_interval: interval ?? null } } as { index: object };
      await this.client.indices.putSettings({ index: version, settings });
      await this.client.indices.refresh({ index: version });
    } catch (err) {
      throw mapElasticsearchError(err, `prepare ${version} for the swap`);
    }
    return this.admin.swapAlias(kind, version);
  }

  drop(_kind: IndexKind, versions: readonly string[]): Promise<void> {
    return this.admin.deleteIndices(versions);
  }

  /** The bulk layer's counters: 429 retries, refusals. */
  stats(): BulkWriterStats {
    return this.writer.stats();
  }

  async close(): Promise<void> {
    try {
      await this.writer.close();
    } finally {
      await this.client.close();
    }
  }
}
