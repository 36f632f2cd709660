import type { HashtagCountRecord } from '../../../indexer/counting/read-hashtag-count';
import type {
  HashtagNameRecord,
  LocationRecord,
  MediaRecord,
  UserRecord,
} from '../../../indexer/documents/records';
import { KV } from '../../../indexer/kv-tables';
import type { IndexKind } from '../../../platform/ports/search-index';
import type { KvStore } from '../../../platform/ports/kv-store';
import type { IndexDoc } from './search-versions';

/** The KV table each index kind is built from. */
export const SOURCE_TABLE: Record<IndexKind, string> = {
  users: KV.users,
  locations: KV.locations,
  hashtags: KV.hashtagCounts,
  media: KV.media,
};

export interface DocChunk {
  /** The last source key read: resume a scan after it. */
  lastKey: string;
  /** Source rows read. */
  read: number;
  docs: IndexDoc[];
  /** Keys of rows that have no document (placeholders, zero counts, tombstones). */
  absent: string[];
}

/**
 * The documents of `kind` as the indexer would write them, built from the KV
 * tables (the same rules as indexer/search/load-search-index.ts), in key
 * order and in chunks, resuming after `after`.
 */
export async function* scanDocuments(
  kv: KvStore,
  kind: IndexKind,
  options: { after?: string; chunk?: number } = {},
): AsyncGenerator<DocChunk> {
  const size = options.chunk ?? 1000;
  let rows: [string, unknown][] = [];
  const emit = async (): Promise<DocChunk> => {
    const built = await documentsOf(kv, kind, rows);
    const chunk: DocChunk = { lastKey: rows[rows.length - 1]![0], read: rows.length, ...built };
    rows = [];
    return chunk;
  };
  for await (const row of kv.scan(SOURCE_TABLE[kind], { after: options.after })) {
    rows.push(row);
    if (rows.length >= size) yield await emit();
  }
  if (rows.length > 0) yield await emit();
}

/** The current documents of some ids: a doc, or absent when the index should not hold one. */
export async function readDocuments(
  kv: KvStore,
  kind: IndexKind,
  ids: readonly string[],
): Promise<{ docs: IndexDoc[]; absent: string[] }> {
  const values = await kv.getMany(SOURCE_TABLE[kind], [...ids]);
  return documentsOf(
    kv,
    kind,
    ids.map((id, i) => [id, values[i]]),
  );
}

async function documentsOf(
  kv: KvStore,
  kind: IndexKind,
  rows: [string, unknown][],
): Promise<{ docs: IndexDoc[]; absent: string[] }> {
  const docs: IndexDoc[] = [];
  const absent: string[] = [];
  if (kind === 'hashtags') {
    const live = rows.filter(([, v]) => ((v as HashtagCountRecord | undefined)?.count ?? 0) > 0);
    const names = await kv.getMany<HashtagNameRecord>(
      KV.hashtagNames,
      live.map(([k]) => k),
    );
    const liveKeys = new Set(live.map(([k]) => k));
    for (const [key] of rows) if (!liveKeys.has(key)) absent.push(key);
    live.forEach(([tag, v], i) => {
      const c = v as HashtagCountRecord;
      docs.push({
        kind: 'hashtags',
        entry: { tag, displayName: names[i]?.displayName ?? tag, totalPosts: c.count },
      });
    });
    return { docs, absent };
  }
  for (const [key, value] of rows) {
    const doc = documentOf(kind, value);
    if (doc) docs.push(doc);
    else absent.push(key);
  }
  return { docs, absent };
}

function documentOf(kind: Exclude<IndexKind, 'hashtags'>, value: unknown): IndexDoc | undefined {
  if (value === undefined) return undefined;
  switch (kind) {
    case 'users': {
      const u = value as UserRecord;
      return u.known
        ? {
            kind,
            entry: { id: u.id, username: u.username, fullName: u.fullName, followerCount: u.followerCount },
          }
        : undefined;
    }
    case 'locations': {
      const l = value as LocationRecord;
      return l.known ? { kind, entry: { id: l.id, name: l.name, mediaCount: l.mediaCount } } : undefined;
    }
    case 'media': {
      const m = value as MediaRecord;
      return m.deleted ? undefined : { kind, entry: m.doc };
    }
  }
}
