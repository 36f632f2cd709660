import type { KvOp } from '../../platform/ports/kv-store';
import type { SearchEntry } from '../../platform/ports/search-index';
import type { LocationRecord, UserRecord } from '../documents/records';
import { KV } from '../kv-tables';

/**
 * The typeahead entries a batch of KV writes changes: every user and
 * location written with a known name. Placeholders (referenced before their
 * upsert) have no name to match yet.
 */
export function searchEntriesOf(ops: readonly KvOp[]): SearchEntry[] {
  const out: SearchEntry[] = [];
  for (const op of ops) {
    if (op.type !== 'put') continue;
    if (op.table === KV.users) {
      const u = op.value as UserRecord;
      if (u.known) {
        out.push({
          kind: 'users',
          entry: { id: u.id, username: u.username, fullName: u.fullName, followerCount: u.followerCount },
        });
      }
    } else if (op.table === KV.locations) {
      const l = op.value as LocationRecord;
      if (l.known)
        out.push({ kind: 'locations', entry: { id: l.id, name: l.name, mediaCount: l.mediaCount } });
    }
  }
  return out;
}
