import type { KvStore } from '../../platform/ports/kv-store';
import type { SearchEntry, SearchIndex } from '../../platform/ports/search-index';
import type { HashtagCountRecord } from '../counting/read-hashtag-count';
import type { HashtagNameRecord, LocationRecord, UserRecord } from '../documents/records';
import { KV } from '../kv-tables';

const CHUNK = 10_000;

/**
 * Fills an empty search index from the KV store's documents: the embedded
 * index lives in memory, and the documents are its source of truth.
 */
export async function loadSearchIndex(kv: KvStore, search: SearchIndex): Promise<{ entries: number }> {
  let entries = 0;
  let chunk: SearchEntry[] = [];
  const push = async (entry: SearchEntry) => {
    chunk.push(entry);
    if (chunk.length >= CHUNK) await flush();
  };
  const flush = async () => {
    if (chunk.length === 0) return;
    await search.upsert(chunk);
    entries += chunk.length;
    chunk = [];
  };
  for await (const [, u] of kv.scan<UserRecord>(KV.users)) {
    if (u.known) {
      await push({
        kind: 'users',
        entry: { id: u.id, username: u.username, fullName: u.fullName, followerCount: u.followerCount },
      });
    }
  }
  for await (const [, l] of kv.scan<LocationRecord>(KV.locations)) {
    if (l.known)
      await push({ kind: 'locations', entry: { id: l.id, name: l.name, mediaCount: l.mediaCount } });
  }
  let counts: HashtagCountRecord[] = [];
  const flushTags = async () => {
    const names = await kv.getMany<HashtagNameRecord>(
      KV.hashtagNames,
      counts.map((c) => c.tag),
    );
    for (const [i, c] of counts.entries()) {
      await push({
        kind: 'hashtags',
        entry: { tag: c.tag, displayName: names[i]?.displayName ?? c.tag, totalPosts: c.count },
      });
    }
    counts = [];
  };
  for await (const [, c] of kv.scan<HashtagCountRecord>(KV.hashtagCounts)) {
    if (c.count <= 0) continue;
    counts.push(c);
    if (counts.length >= CHUNK) await flushTags();
  }
  await flushTags();
  await flush();
  await search.refresh();
  return { entries };
}
