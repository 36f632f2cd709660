import { externalIdsOf } from '../../../indexer/consumer/id-assigner';
import { decodeHashtagDelta } from '../../../indexer/hashtag-delta-codec';
import { KV } from '../../../indexer/kv-tables';
import { decodePostingChange } from '../../../indexer/postings/posting-change';
import type { IndexKind } from '../../../platform/ports/search-index';
import type { LogRecord } from '../../../platform/ports/event-log';
import type { KvStore } from '../../../platform/ports/kv-store';
import { decodeEvent } from '../../../schemas/events';

export type Affected = Record<IndexKind, Set<string>>;

export const noneAffected = (): Affected => ({
  users: new Set(),
  hashtags: new Set(),
  locations: new Set(),
  media: new Set(),
});

/**
 * The documents a window of log records may have changed: upload events
 * (POST_PUBLISH), hashtag deltas (POST_HASHTAG) and posting changes
 * (POSTINGS, the only place a deleted post's location is still named).
 * Over-approximates: re-reading an unchanged document is harmless.
 */
export async function affectedBy(
  kv: KvStore,
  records: { publish: LogRecord[]; hashtag: LogRecord[]; postings: LogRecord[] },
  kinds: readonly IndexKind[],
): Promise<Affected> {
  const out = noneAffected();
  const authors: string[] = [];
  const places: string[] = [];
  for (const r of records.publish) {
    let e;
    try {
      e = decodeEvent(r.value);
    } catch {
      continue; // Dead-lettered by the indexer: it changed nothing.
    }
    switch (e.type) {
      case 'post.published':
        out.media.add(e.post.id);
        if (e.post.locationId) out.locations.add(e.post.locationId);
        break;
      case 'post.updated':
        out.media.add(e.post.id);
        break;
      case 'post.deleted':
        out.media.add(e.postId);
        break;
      case 'user.upserted':
        out.users.add(e.user.id);
        authors.push(e.user.id);
        break;
      case 'follow.added':
      case 'follow.removed':
        out.users.add(e.followerId).add(e.followeeId);
        break;
      case 'location.upserted':
        out.locations.add(e.location.id);
        places.push(e.location.id);
        break;
    }
  }
  for (const r of records.hashtag) {
    try {
      out.hashtags.add(decodeHashtagDelta(r).tag);
    } catch {
      // Skipped by the counter too.
    }
  }
  if (kinds.includes('locations')) {
    const dense = new Set<number>();
    for (const r of records.postings) {
      for (const op of decodePostingChange(r.value).ops) if (op.term.kind === 'loc') dense.add(op.term.id);
    }
    const ids = await externalIdsOf(kv, 'location', [...dense]);
    for (const id of ids) if (id !== undefined) out.locations.add(id);
  }
  if (kinds.includes('media')) {
    // Renames are copied into every media document that embeds the name.
    for (const [table, owners] of [
      [KV.authorMedia, authors],
      [KV.locationMedia, places],
    ] as const) {
      for (const owner of owners) {
        for await (const [key] of kv.scan(table, { prefix: `${owner}:` })) {
          out.media.add(key.slice(owner.length + 1));
        }
      }
    }
  }
  return out;
}
