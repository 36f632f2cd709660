import type { FollowRecord, LocationRecord, MediaRecord, UserRecord } from '../../indexer/documents/records';
import { KV } from '../../indexer/kv-tables';
import type { KvStore } from '../../platform/ports/kv-store';
import type { PostingIndex } from '../../query/engine/posting-index';
import { QueryEngine } from '../../query/engine/query-engine';
import { HashtagPageReader } from '../../query/hashtag-page/hashtag-page-reader';
import type { GeneratedEvent } from './event-stream';
import { expectedState } from './indexer-model';

export async function dumpTable(kv: KvStore, table: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for await (const [k, v] of kv.scan(table)) out[k] = v;
  return out;
}

/** Recent occurredAt values, so trending keeps the windows instead of dropping them as too old. */
export function recentEvents(events: GeneratedEvent[]): GeneratedEvent[] {
  const start = Date.now() - events.length * 1000;
  return events.map((e, i) => ({
    ...e,
    raw: { ...e.raw, occurredAt: new Date(start + i * 1000).toISOString() },
  }));
}

/**
 * Documents, follow edges, every posting list and every hashtag page's
 * spelling and count, checked against the independent model of the events.
 */
export async function expectModelState(
  kv: KvStore,
  index: PostingIndex,
  events: GeneratedEvent[],
): Promise<void> {
  const expected = expectedState(events);
  for (const [id, m] of expected.media) {
    const rec = await kv.get<MediaRecord>(KV.media, id);
    expect({ id, deleted: rec?.deleted, tags: rec && !rec.deleted ? rec.doc.tags : undefined }).toEqual({
      id,
      deleted: m.deleted,
      tags: m.deleted ? undefined : m.tags,
    });
  }
  const users = await dumpTable(kv, KV.users);
  for (const [id, u] of expected.users) expect(users[id] as UserRecord).toMatchObject(u);
  const locations = await dumpTable(kv, KV.locations);
  for (const [id, l] of expected.locations) expect(locations[id] as LocationRecord).toMatchObject(l);
  const edges = Object.entries(await dumpTable(kv, KV.follows)).filter(([, v]) => (v as FollowRecord).on);
  expect(edges.map(([k]) => k).sort()).toEqual([...expected.follows].sort());
  const engine = new QueryEngine(index, { limits: { maxResultLimit: 10_000 } });
  for (const [term, ids] of expected.postings) {
    expect({ term, ids: engine.search(term, { limit: 10_000 }).ids.sort() }).toEqual({
      term,
      ids: [...ids].sort(),
    });
  }
  const reader = new HashtagPageReader({ kv, index: () => index });
  for (const [tag, want] of expected.hashtags) {
    const page = await reader.read(tag);
    expect({ tag, displayName: page?.displayName, totalPosts: page?.totalPosts }).toEqual({
      tag,
      displayName: want.displayName,
      totalPosts: want.count,
    });
  }
}
