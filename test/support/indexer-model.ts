import { STREAM_TAGS, type GeneratedEvent } from './event-stream';

/** What the indexer should end up with, computed plainly from the event stream. */
export interface ModelMedia {
  id: string;
  authorId: string;
  caption: string;
  imageUrl: string;
  locationId: string | null;
  createdAt: string;
  tags: string[];
  deleted: boolean;
}

export interface ExpectedState {
  media: Map<string, ModelMedia>;
  users: Map<
    string,
    {
      id: string;
      username: string;
      fullName: string;
      isPrivate: boolean;
      known: boolean;
      followerCount: number;
      followingCount: number;
      mediaCount: number;
    }
  >;
  locations: Map<
    string,
    { id: string; name: string; lat: number | null; lon: number | null; known: boolean; mediaCount: number }
  >;
  follows: Set<string>;
  deadLetters: number;
  /** Posting lists by term name, as sets of external ids. */
  postings: Map<string, Set<string>>;
  /** Every tag an applied caption carried, with its first-seen spelling and live post count. */
  hashtags: Map<string, { displayName: string; count: number }>;
}

export function expectedState(events: GeneratedEvent[]): ExpectedState {
  const seen = new Set<string>();
  const media = new Map<string, ModelMedia>();
  const userInfo = new Map<string, { username: string; fullName: string; isPrivate: boolean }>();
  const referencedUsers = new Set<string>();
  const locInfo = new Map<string, { name: string; lat: number | null; lon: number | null }>();
  const referencedLocs = new Set<string>();
  const follows = new Set<string>();
  const names = new Map<string, string>();
  const remember = (keys: string[]) => {
    for (const k of keys) if (!names.has(k)) names.set(k, STREAM_TAGS.find((t) => t.key === k)!.spelling);
  };
  let deadLetters = 0;
  for (const g of events) {
    if (!g.valid) {
      deadLetters++;
      continue;
    }
    const e = g.raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (seen.has(e.eventId)) continue;
    seen.add(e.eventId);
    switch (e.type) {
      case 'post.published':
        if (media.has(e.post.id)) break;
        media.set(e.post.id, {
          id: e.post.id,
          authorId: e.post.authorId,
          caption: e.post.caption,
          imageUrl: e.post.imageUrl,
          locationId: e.post.locationId ?? null,
          createdAt: e.post.createdAt,
          tags: g.tagKeys!,
          deleted: false,
        });
        remember(g.tagKeys!);
        referencedUsers.add(e.post.authorId);
        if (e.post.locationId) referencedLocs.add(e.post.locationId);
        break;
      case 'post.updated': {
        const m = media.get(e.post.id);
        if (m && !m.deleted && m.caption !== e.post.caption) {
          media.set(m.id, { ...m, caption: e.post.caption, tags: g.tagKeys! });
          remember(g.tagKeys!);
        }
        break;
      }
      case 'post.deleted': {
        const m = media.get(e.postId);
        if (m) m.deleted = true;
        else media.set(e.postId, { id: e.postId, deleted: true } as ModelMedia);
        break;
      }
      case 'user.upserted':
        userInfo.set(e.user.id, {
          username: e.user.username,
          fullName: e.user.fullName,
          isPrivate: e.user.isPrivate,
        });
        referencedUsers.add(e.user.id);
        break;
      case 'follow.added':
        follows.add(`${e.followerId}:${e.followeeId}`);
        referencedUsers.add(e.followerId).add(e.followeeId);
        break;
      case 'follow.removed':
        follows.delete(`${e.followerId}:${e.followeeId}`);
        break;
      case 'location.upserted':
        locInfo.set(e.location.id, {
          name: e.location.name,
          lat: e.location.lat ?? null,
          lon: e.location.lon ?? null,
        });
        referencedLocs.add(e.location.id);
        break;
    }
  }
  const live = [...media.values()].filter((m) => !m.deleted);
  const users: ExpectedState['users'] = new Map();
  for (const id of referencedUsers) {
    const info = userInfo.get(id);
    users.set(id, {
      id,
      username: info?.username ?? '',
      fullName: info?.fullName ?? '',
      isPrivate: info?.isPrivate ?? false,
      known: info !== undefined,
      followerCount: [...follows].filter((f) => f.endsWith(`:${id}`)).length,
      followingCount: [...follows].filter((f) => f.startsWith(`${id}:`)).length,
      mediaCount: live.filter((m) => m.authorId === id).length,
    });
  }
  const locations: ExpectedState['locations'] = new Map();
  for (const id of referencedLocs) {
    const info = locInfo.get(id);
    locations.set(id, {
      id,
      name: info?.name ?? '',
      lat: info?.lat ?? null,
      lon: info?.lon ?? null,
      known: info !== undefined,
      mediaCount: live.filter((m) => m.locationId === id).length,
    });
  }
  const postings = new Map<string, Set<string>>();
  const add = (term: string, id: string) => {
    if (!postings.has(term)) postings.set(term, new Set());
    postings.get(term)!.add(id);
  };
  for (const m of live) {
    for (const t of m.tags) add(`tag:${t}`, m.id);
    add(`author:${m.authorId}`, m.id);
    if (m.locationId) add(`loc:${m.locationId}`, m.id);
    add('is:live', m.id);
    if (!(userInfo.get(m.authorId)?.isPrivate ?? false)) add('is:public', m.id);
  }
  // User sets only ever hold users whose upsert has arrived (the engine's user universe).
  for (const f of follows) {
    const [a, b] = f.split(':') as [string, string];
    if (userInfo.has(b)) add(`follows:${a}`, b);
    if (userInfo.has(a)) add(`followers:${b}`, a);
  }
  for (const [id] of userInfo) add('is:user', id);
  const hashtags: ExpectedState['hashtags'] = new Map();
  for (const [tag, displayName] of names) {
    hashtags.set(tag, { displayName, count: postings.get(`tag:${tag}`)?.size ?? 0 });
  }
  return { media, users, locations, follows, deadLetters, postings, hashtags };
}
