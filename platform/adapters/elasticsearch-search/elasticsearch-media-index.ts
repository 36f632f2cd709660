import type { Client } from '@elastic/elasticsearch';
import { ValidationError } from '../../errors';
import type { MediaDocument, MediaIndex } from '../../ports/media-index';
import { requireIds, requireString } from '../../ports/search-index-args';
import type { BulkOperation, BulkWriter } from './bulk-writer';
import { deleteDocuments, isMissingDocument } from './delete-documents';
import type { IndexNames } from './index-names';
import { mapElasticsearchError } from './map-elasticsearch-error';
import { documentIdOf, MAX_DOCUMENT_ID_BYTES } from './search-document';

/**
 * Media documents in the `media` alias, through the same bulk layer as the
 * typeahead entries. Owned by ElasticsearchSearchIndex, which closes it.
 */
export class ElasticsearchMediaIndex implements MediaIndex {
  constructor(
    private readonly open: () => { client: Client; writer: BulkWriter },
    private readonly names: IndexNames,
  ) {}

  async upsertMedia(docs: MediaDocument[]): Promise<{ failed: { id: string; reason: string }[] }> {
    const { writer } = this.open();
    if (!Array.isArray(docs)) {
      throw new ValidationError('docs must be an array', [{ field: 'docs', reason: 'not an array' }]);
    }
    const failed: { id: string; reason: string }[] = [];
    const origin = new Map<BulkOperation, string>();
    const ops: BulkOperation[] = [];
    for (const doc of docs) {
      const id = typeof doc?.id === 'string' ? doc.id : '';
      const docId = usableDocumentId(id);
      if (docId === undefined) {
        failed.push({ id, reason: `id must be 1 to ${MAX_DOCUMENT_ID_BYTES} UTF-8 bytes` });
        continue;
      }
      const op: BulkOperation = {
        action: 'index',
        index: this.names.alias('media'),
        id: docId,
        document: doc,
        requireAlias: true,
      };
      ops.push(op);
      origin.set(op, id);
    }
    if (ops.length > 0) {
      const { dropped } = await writer.write(ops, { flush: true });
      for (const d of dropped) failed.push({ id: origin.get(d.operation)!, reason: d.reason });
    }
    return { failed };
  }

  async removeMedia(ids: string[]): Promise<void> {
    const { writer } = this.open();
    requireIds(ids);
    await deleteDocuments(writer, this.names.alias('media'), 'media', ids);
  }

  async refreshMedia(): Promise<void> {
    const { client, writer } = this.open();
    await writer.flush();
    try {
      await client.indices.refresh({ index: this.names.alias('media') });
    } catch (err) {
      throw mapElasticsearchError(err, 'refresh media');
    }
  }

  async getMedia(id: string): Promise<(MediaDocument & Record<string, unknown>) | undefined> {
    const { client } = this.open();
    requireString(id, 'id');
    const docId = usableDocumentId(id);
    if (docId === undefined) return undefined;
    try {
      const found = await client.get<MediaDocument & Record<string, unknown>>({
        index: this.names.alias('media'),
        id: docId,
      });
      return found.found ? found._source : undefined;
    } catch (err) {
      if (isMissingDocument(err)) return undefined;
      throw mapElasticsearchError(err, 'get media');
    }
  }
}

/** The Elasticsearch id of a media id, or undefined when it is empty or too long to be one. */
function usableDocumentId(id: string): string | undefined {
  const docId = documentIdOf(id);
  return docId === '' || Buffer.byteLength(docId) > MAX_DOCUMENT_ID_BYTES ? undefined : docId;
}
