import type { KvOp } from '../../platform/ports/kv-store';
import type { MediaDoc } from '../documents/document-types';
import type { MediaRecord } from '../documents/records';
import { KV } from '../kv-tables';

/** The media documents a batch of KV writes changes: live ones to upsert, tombstoned ones to remove. */
export function mediaChangesOf(ops: readonly KvOp[]): { upserts: MediaDoc[]; removals: string[] } {
  const upserts: MediaDoc[] = [];
  const removals: string[] = [];
  for (const op of ops) {
    if (op.type !== 'put' || op.table !== KV.media) continue;
    const rec = op.value as MediaRecord;
    if (rec.deleted) removals.push(rec.id);
    else upserts.push(rec.doc);
  }
  return { upserts, removals };
}
