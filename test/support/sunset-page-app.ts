import { KV } from '../../indexer/kv-tables';
import { TrendRanker } from '../../indexer/trending/trend-ranker';
import { MemorySearchIndex } from '../../platform/adapters/memory-search';
import type { Clock } from '../../platform/clock';
import type { EventLog } from '../../platform/ports/event-log';
import { createApiApp, type ApiApp } from '../../query/api/create-api-app';
import { PostingIndex } from '../../query/engine/posting-index';
import type { GatedKv } from './gated-kv-store';

export interface SunsetPageAppOptions {
  kv: GatedKv;
  log: EventLog;
  clock: Clock;
  /** The image URL of post 1001, the page's one top post. */
  imageUrl: string;
  /** More hashtags that have a name and nothing else, as `[tag, displayName]`. */
  names?: [string, string][];
  web?: boolean;
}

/**
 * The API over one public post (1001) under #sunset, whose count says 3,
 * with the hashtag-page cache on (60 s): the fixture of the suites that
 * hold back or fail the store behind that cache.
 */
export function createSunsetPageApp(o: SunsetPageAppOptions): ApiApp {
  const { kv, clock } = o;
  const index = new PostingIndex();
  const dense = index.ids.media.getOrAssign('1001');
  index.apply([
    { op: 'add', term: { kind: 'tag', tag: 'sunset' }, member: dense },
    { op: 'add', term: { kind: 'public' }, member: dense },
    { op: 'add', term: { kind: 'live' }, member: dense },
  ]);
  kv.put(KV.hashtagNames, 'sunset', { tag: 'sunset', displayName: 'Sunset' });
  kv.put(KV.hashtagCounts, 'sunset', { tag: 'sunset', count: 3, updatedAt: '2024-01-01T00:00:00Z' });
  for (const [tag, displayName] of o.names ?? []) kv.put(KV.hashtagNames, tag, { tag, displayName });
  kv.put(KV.media, '1001', {
    id: '1001',
    deleted: false,
    dense,
    at: 0,
    doc: { id: '1001', imageUrl: o.imageUrl },
  });
  return createApiApp({
    log: o.log,
    kv,
    search: MemorySearchIndex.create(),
    index: () => index,
    trending: new TrendRanker({ kv, clock, windowMs: 300_000, retentionMs: 3_600_000 }),
    ready: async () => true,
    clock,
    tagCache: { ttlMs: 60_000 },
    ...(o.web === undefined ? {} : { web: o.web }),
  });
}
