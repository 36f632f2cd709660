import type { UploadEvent } from '../../schemas/events';

/**
 * Whether an event needs no `event_ids` row to be dropped when redelivered:
 * publishes and deletes are idempotent on their post's record, which is
 * never removed (a delete leaves a tombstone), so a second copy is ignored
 * anyway. Every other event records its id. Most events are publishes, so
 * this saves a row and a read for most of them.
 */
export function dedupedByRecord(event: UploadEvent): boolean {
  return event.type === 'post.published' || event.type === 'post.deleted';
}
