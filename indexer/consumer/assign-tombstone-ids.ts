import type { Logger } from '../../platform/logger';
import type { KvStore } from '../../platform/ports/kv-store';
import type { MediaRecord } from '../documents/records';
import { KV } from '../kv-tables';
import type { IdAssigner } from './id-assigner';

/** Set once every tombstone in the store has a dense id. */
export const TOMBSTONE_IDS_DONE = 'indexer:tombstone-dense-ids';
/** Ids stored per write: each write is one dense-id row holding them all. */
const CHUNK = 10_000;

/**
 * Gives a dense id to every tombstone stored without one, once per store.
 * Versions before 2026-12-07 stored a delete that came before its publish
 * without an id, and the handlers now take a post without an id to have no
 * record (ApplyContext.mayHaveMedia), so the late publish would be indexed.
 *
 * Run by the partitions' owner before its first batch: the ids come from the
 * same allocator and reach the replicas with the next POSTINGS record. A
 * crash part-way is safe to re-run, since stored ids are found again.
 */
export async function assignTombstoneIds(kv: KvStore, ids: IdAssigner, logger: Logger): Promise<number> {
  if ((await kv.get(KV.checkpoints, TOMBSTONE_IDS_DONE)) !== undefined) return 0;
  // A large store takes a while, once: say why the first batch waits.
  logger.info('scanning media records for tombstones without a dense id (once per store)');
  let assigned = 0;
  for await (const [id, rec] of kv.scan<MediaRecord>(KV.media)) {
    if (!rec.deleted || ids.lookup('media', id) !== undefined) continue;
    ids.assign('media', id);
    if (++assigned % CHUNK === 0) await ids.store(kv);
  }
  await ids.store(kv);
  await kv.batch([{ type: 'put', table: KV.checkpoints, key: TOMBSTONE_IDS_DONE, value: assigned }]);
  logger.info({ assigned }, 'tombstones without a dense id given one');
  return assigned;
}
