import { TRANSIENT_STATUSES } from './map-elasticsearch-error';

/**
 * What the bulk writer does with one bulk item by its HTTP status:
 * - `ok`: applied (2xx, or deleting a document that is not there);
 * - `retry`: 429, the node was overloaded; sent again after a backoff;
 * - `fail`: 502–504, the shard or node is missing; the write is rejected
 *   with a TransientError so the caller retries it later;
 * - `drop`: the document itself is refused (mapping errors, other 4xx, 500);
 *   it goes to the dead-letter sink, as sending it again would fail again.
 */
export type BulkItemDecision = 'ok' | 'retry' | 'fail' | 'drop';

/**
 * `errorType` is the item's `error.type`; a delete of a missing document
 * answers 404 without one, while a missing index answers 404 with
 * `index_not_found_exception`, which is dropped like any 4xx.
 */
export function bulkItemDecision(
  status: number,
  action: 'index' | 'create' | 'update' | 'delete',
  errorType?: string,
): BulkItemDecision {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 404 && action === 'delete' && errorType === undefined) return 'ok';
  if (status === 429) return 'retry';
  if (TRANSIENT_STATUSES.has(status)) return 'fail';
  return 'drop';
}
