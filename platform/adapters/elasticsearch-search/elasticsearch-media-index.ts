import { errors, type Client } from '@elastic/elasticsearch';
import { StorageError, ValidationError } from '../../errors';
import type { MediaDocument, MediaIndex } from '../../ports/media-index';
import type { BulkOperation, BulkWriter } from './bulk-writer';
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
      const docId = documentIdOf(id);
      if (docId === '' || Buffer.byteLength(docId) > MAX_DOCUMENT_ID_BYTES) {
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
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string')) {
      throw new ValidationError('ids must be an array of strings', [{ field: 'ids', reason: 'not strings' }]);
    }
    const ops: BulkOperation[] = ids
      .filter((id) => id !== '')
      .map((id) => ({ action: 'delete', index: this.names.alias('media'), id: documentIdOf(id) }));
    if (ops.length === 0) return;
    const { dropped } = await writer.write(ops, { flush: true });
    if (dropped.length > 0) {
      throw new StorageError('ES_DELETE_FAILED', `elasticsearch refused to delete: ${dropped[0]!.reason}`, {
        details: { kind: 'media', refused: dropped.map((d) => d.operation.id) },
      });
    }
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
    const docId = documentIdOf(id);
    if (docId === '' || Buffer.byteLength(docId) > MAX_DOCUMENT_ID_BYTES) return undefined;
    try {
      const found = await client.get<MediaDocument & Record<string, unknown>>({
        index: this.names.alias('media'),
        id: docId,
      });
      return found.found ? found._source : undefined;
    } catch (err) {
      const body =
        err instanceof errors.ResponseError ? (err.body as { found?: unknown } | undefined) : undefined;
      if (body?.found === false) return undefined;
      throw mapElasticsearchError(err, 'get media');
    }
  }
}
