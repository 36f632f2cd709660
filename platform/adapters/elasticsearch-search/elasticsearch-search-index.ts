import type { Client } from '@elastic/elasticsearch';
import { AppError, ValidationError } from '../../errors';
import { type Logger, silentLogger } from '../../logger';
import {
  entryId,
  INDEX_KINDS,
  SUGGEST_KINDS,
  type EntryOf,
  type IndexFailure,
  type SearchEntry,
  type SearchIndex,
  type SuggestHit,
  type SuggestKind,
  type SuggestOptions,
} from '../../ports/search-index';
import { foldText } from '../../text/fold-text';
// Shared with the embedded index so that both refuse exactly the same entries.
import { prepareSearchEntry } from '../../ports/prepare-search-entry';
import {
  checkSuggestArgs,
  requireIds,
  requireString,
  requireSuggestKind,
} from '../../ports/search-index-args';
import { BulkWriter, type BulkOperation, type BulkWriterOptions, type BulkWriterStats } from './bulk-writer';
import { createElasticsearchClient } from './elasticsearch-client';
import { IndexAdmin } from './index-admin';
import { deleteDocuments, isMissingDocument } from './delete-documents';
import { ElasticsearchMediaIndex } from './elasticsearch-media-index';
import { IndexNames } from './index-names';
import { mapElasticsearchError } from './map-elasticsearch-error';
import { documentIdOf, entryOfSource, MAX_DOCUMENT_ID_BYTES, searchSourceOf } from './search-document';
import { suggestRequest } from './suggest-request';

export interface ElasticsearchSearchIndexOptions {
  /** `http://host:port` of one node. */
  node: string;
  /** Prepended to every index and alias name: one deployment, or one test run. */
  indexPrefix?: string;
  logger?: Logger;
  /** Per request (30 s). */
  requestTimeoutMs?: number;
  /** Bulk writer tuning; `onDrop` defaults to a warning in the log (upsert also returns the entry). */
  bulk?: Omit<BulkWriterOptions, 'onDrop' | 'logger' | 'requestTimeoutMs'> & {
    onDrop?: BulkWriterOptions['onDrop'];
  };
}

interface Open {
  client: Client;
  writer: BulkWriter;
}

/**
 * The distributed SearchIndex: one Elasticsearch index per kind, read and
 * written through its alias (see IndexAdmin). Documents carry pre-folded
 * prefix keys (schemas/elasticsearch), so a `prefix` query matches exactly
 * what the embedded index matches; writes go through the BulkWriter.
 */
export class ElasticsearchSearchIndex implements SearchIndex {
  private state: Open | undefined;
  /** The media documents, through this index's client and bulk layer. */
  readonly media: ElasticsearchMediaIndex;

  private constructor(
    state: Open,
    private readonly names: IndexNames,
  ) {
    this.state = state;
    this.media = new ElasticsearchMediaIndex(() => this.open(), names);
  }

  /** Connects and creates the typeahead and media indices and aliases when missing. */
  static async connect(options: ElasticsearchSearchIndexOptions): Promise<ElasticsearchSearchIndex> {
    const { node, indexPrefix, requestTimeoutMs, bulk } = options ?? ({} as ElasticsearchSearchIndexOptions);
    const logger = options?.logger ?? silentLogger;
    const names = new IndexNames(indexPrefix);
    const onDrop: BulkWriterOptions['onDrop'] =
      bulk?.onDrop ??
      ((op, reason, status) =>
        logger.warn({ index: op.index, id: op.id, status, reason }, 'document refused'));
    const client = createElasticsearchClient({ node, requestTimeoutMs });
    try {
      const writer = new BulkWriter(client, { ...bulk, onDrop, logger, requestTimeoutMs });
      await new IndexAdmin(client, { indexPrefix }).ensureIndices(INDEX_KINDS);
      return new ElasticsearchSearchIndex({ client, writer }, names);
    } catch (err) {
      await client.close();
      throw mapElasticsearchError(err, 'connect');
    }
  }

  async upsert(entries: SearchEntry[]): Promise<{ failed: IndexFailure[] }> {
    const { writer } = this.open();
    if (!Array.isArray(entries)) {
      throw new ValidationError('entries must be an array', [{ field: 'entries', reason: 'not an array' }]);
    }
    const failures: { at: number; failure: IndexFailure }[] = [];
    const origin = new Map<BulkOperation, { at: number; kind: SuggestKind; id: string }>();
    const ops: BulkOperation[] = [];
    entries.forEach((raw, at) => {
      const prepared = prepareSearchEntry(raw);
      if (!prepared.ok) {
        failures.push({ at, failure: prepared.failure });
        return;
      }
      const { kind } = prepared.entry;
      const id = entryId(prepared.entry);
      const docId = documentIdOf(id);
      if (docId !== id && Buffer.byteLength(docId) > MAX_DOCUMENT_ID_BYTES) {
        const reason = `id must be at most ${MAX_DOCUMENT_ID_BYTES} UTF-8 bytes once encoded for Elasticsearch`;
        failures.push({ at, failure: { kind, id, reason } });
        return;
      }
      const document = searchSourceOf(prepared.entry);
      const op: BulkOperation = {
        action: 'index',
        index: this.names.alias(kind),
        id: docId,
        document,
        requireAlias: true,
      };
      ops.push(op);
      origin.set(op, { at, kind, id });
    });
    if (ops.length > 0) {
      const { dropped } = await writer.write(ops, { flush: true });
      for (const { operation, reason } of dropped) {
        const { at, kind, id } = origin.get(operation)!;
        failures.push({ at, failure: { kind, id, reason } });
      }
    }
    return { failed: failures.sort((a, b) => a.at - b.at).map((f) => f.failure) };
  }

  async remove(kind: SuggestKind, ids: string[]): Promise<void> {
    const { writer } = this.open();
    requireSuggestKind(kind);
    requireIds(ids);
    await deleteDocuments(writer, this.names.alias(kind), kind, ids);
  }

  async suggest<K extends SuggestKind>(
    kind: K,
    query: string,
    options: SuggestOptions,
  ): Promise<SuggestHit<K>[]> {
    const { client } = this.open();
    requireSuggestKind(kind);
    const { limit, onlyIds } = checkSuggestArgs(query, options);
    const folded = foldText(query);
    if (folded === '' || onlyIds?.length === 0) return [];
    try {
      const response = await client.search(suggestRequest(this.names.alias(kind), folded, limit, onlyIds));
      return (response.hits?.hits ?? []).map((hit) => {
        const entry = entryOfSource(kind, hit._source);
        return { id: entryId({ kind, entry } as SearchEntry), entry };
      });
    } catch (err) {
      throw mapElasticsearchError(err, `suggest ${kind}`);
    }
  }

  async get<K extends SuggestKind>(kind: K, id: string): Promise<EntryOf[K] | undefined> {
    const { client } = this.open();
    requireSuggestKind(kind);
    requireString(id, 'id');
    const docId = documentIdOf(id);
    if (docId === '' || Buffer.byteLength(docId) > MAX_DOCUMENT_ID_BYTES) return undefined;
    try {
      const found = await client.get({
        index: this.names.alias(kind),
        id: docId,
        _source_includes: ['entry'],
      });
      return found.found ? entryOfSource(kind, found._source) : undefined;
    } catch (err) {
      if (isMissingDocument(err)) return undefined;
      throw mapElasticsearchError(err, `get ${kind}`);
    }
  }

  async count(kind: SuggestKind): Promise<number> {
    const { client } = this.open();
    requireSuggestKind(kind);
    try {
      return (await client.count({ index: this.names.alias(kind) })).count;
    } catch (err) {
      throw mapElasticsearchError(err, `count ${kind}`);
    }
  }

  async refresh(): Promise<void> {
    const { client, writer } = this.open();
    await writer.flush();
    try {
      await client.indices.refresh({ index: SUGGEST_KINDS.map((k) => this.names.alias(k)) });
    } catch (err) {
      throw mapElasticsearchError(err, 'refresh');
    }
  }

  /** Sends what is queued, then closes the client; any later call fails with SEARCH_INDEX_CLOSED. */
  async close(): Promise<void> {
    const state = this.state;
    if (!state) return;
    this.state = undefined;
    try {
      await state.writer.close();
    } finally {
      await state.client.close();
    }
  }

  /** The bulk writer's counters, for metrics and benchmarks. */
  bulkStats(): BulkWriterStats {
    return this.open().writer.stats();
  }

  private open(): Open {
    if (!this.state) throw new AppError('SEARCH_INDEX_CLOSED', 'the search index is closed');
    return this.state;
  }
}
