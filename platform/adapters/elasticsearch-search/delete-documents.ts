import { errors } from '@elastic/elasticsearch';
import { StorageError } from '../../errors';
import type { BulkOperation, BulkWriter } from './bulk-writer';
import { documentIdOf } from './search-document';

/** Deletes by id through the bulk layer; an id Elasticsearch refuses to delete is an error naming them all. */
export async function deleteDocuments(
  writer: BulkWriter,
  index: string,
  kind: string,
  ids: readonly string[],
): Promise<void> {
  const ops: BulkOperation[] = ids
    .filter((id) => id !== '')
    .map((id) => ({ action: 'delete', index, id: documentIdOf(id) }));
  if (ops.length === 0) return;
  const { dropped } = await writer.write(ops, { flush: true });
  if (dropped.length > 0) {
    throw new StorageError('ES_DELETE_FAILED', `elasticsearch refused to delete: ${dropped[0]!.reason}`, {
      details: { kind, refused: dropped.map((d) => d.operation.id) },
    });
  }
}

/** A get of a missing document is a 404 saying `found: false`; a missing index or alias is a real error. */
export function isMissingDocument(err: unknown): boolean {
  const body =
    err instanceof errors.ResponseError ? (err.body as { found?: unknown } | undefined) : undefined;
  return body?.found === false;
}
