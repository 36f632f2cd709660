import { defaultPartitions } from '../../indexer/topics';
import { partitionForKey } from '../../platform/partition-for-key';

/**
 * A small hand-designed world for the HTTP tests, and brute-force answers
 * computed from it alone: the service is checked against these, never
 * against its own output.
 */
export interface WorldUser {
  id: string;
  username: string;
  fullName: string;
  isPrivate: boolean;
}
export interface WorldLocation {
  id: string;
  name: string;
  lat?: number;
  lon?: number;
}
export interface WorldPost {
  label: string;
  id: string;
  authorId: string;
  caption: string;
  locationId?: string;
  createdAt: string;
  imageUrl: string;
}
/** A post as it ends up once edits and deletes are applied, with its publish order. */
export interface FinalPost extends WorldPost {
  order: number;
  tags: string[];
  deleted: boolean;
}

const u = (id: string, username: string, fullName: string, isPrivate = false): WorldUser => ({
  id,
  username,
  fullName,
  isPrivate,
});

export const USERS: WorldUser[] = [
  u('101', 'alice', 'Alice Martin'),
  u('102', 'bob', 'Bob Stone'),
  u('103', 'carol', 'Carol Jones', true),
  u('104', 'jose_luis', 'José Luis'),
  u('105', 'josephine', 'Josephine Ray'),
  u('106', 'joan', 'Joan Baez'),
  u('107', 'jordan', 'Jordan Peel'),
  u('108', 'jonas', 'Jonas Brand'),
  u('109', 'dave', 'Dave Jorgensen', true),
  u('110', 'erin', 'Érin Joly'),
  u('111', 'frank', 'Frank Ocean'),
  u('112', 'gina', 'Gina Lollo'),
];
/** Followed by 111 but never upserted: a placeholder with counters and no profile. */
export const PLACEHOLDER_USER = '199';

export const LOCATIONS: WorldLocation[] = [
  { id: '201', name: 'São Paulo', lat: -23.55, lon: -46.63 },
  { id: '202', name: 'Santa Monica', lat: 34.02, lon: -118.49 },
  { id: '203', name: 'San Diego' },
  { id: '204', name: 'Paris', lat: 48.85, lon: 2.35 },
  { id: '205', name: 'Sandy Hook' },
];

/** Follow edges added, in order; REMOVED_FOLLOWS are taken back afterwards. */
export const FOLLOWS: [string, string][] = [
  ['101', '102'],
  ['101', '106'],
  ['101', '103'],
  ['102', '105'],
  ['102', '108'],
  ['102', '103'],
  ['102', '101'],
  ['103', '104'],
  ['106', '107'],
  ...['102', '103', '104', '105', '108', '110', '111', '112'].map((f): [string, string] => [f, '107']),
  ['111', '104'],
  ['112', '104'],
  ['105', '110'],
  ['107', '109'],
  ['111', PLACEHOLDER_USER],
  ['112', '106'],
];
export const REMOVED_FOLLOWS: [string, string][] = [['112', '106']];

/** [label, author, caption, location]; published in this order, oldest first. */
const POST_SPECS: [string, string, string, string?][] = [
  ['p1', '101', 'Golden #Sunset at the #beach', '201'],
  ['p2', '102', '#sunset again #Summer', '202'],
  ['p3', '103', '#sunset #beach from a private account', '201'],
  ['p4', '101', '#Café morning', '203'],
  ['p5', '104', '#cafe\u0301 con leche #sunset', '201'],
  ['p6', '102', '#beach #nsfw'],
  ['p7', '105', '#SUNSET #sunrise', '201'],
  ['p8', '109', '#sunset #nsfw', '202'],
  ['p9', '110', 'no tags here', '204'],
  ['p10', '108', '#sun #sunset #beach'],
  ['p11', '101', '#sunset #summer', '202'],
  ['p12', '102', '#sunset'],
  ['p13', '103', '#beach #summer #secret'],
  ['p14', '106', '#sunset #beach #summer', '201'],
  ['p15', '107', '#sun', '204'],
  ['p16', '111', '#sunset #nsfw #beach'],
  ['p17', '112', '#summer #sunrise', '203'],
  ['p18', '101', '#sunset #gone', '202'],
  ['p19', '102', '#beach'],
  ['p20', '104', '#sunset #summer #beach', '201'],
  ['p21', '110', '#Sunset #beach'],
  ['p22', '108', '#summer'],
  ...Array.from({ length: 105 }, (_, i): [string, string, string] => [
    `m${i + 1}`,
    '112',
    `Post #many ${i + 1}`,
  ]),
];
export const UPDATES: Record<string, string> = { p19: '#sunset #sunrise today' };
export const DELETES = ['p18'];

/**
 * Post ids that all land on one POST_PUBLISH partition, so one request
 * publishes them in a fixed order (the index's "newest" is arrival order).
 */
function samePartitionIds(n: number): string[] {
  const ids: string[] = [];
  const target = partitionForKey('1000', defaultPartitions.postPublish);
  for (let id = 1000; ids.length < n; id++) {
    if (partitionForKey(String(id), defaultPartitions.postPublish) === target) ids.push(String(id));
  }
  return ids;
}

const POST_IDS = samePartitionIds(POST_SPECS.length);
export const POSTS: WorldPost[] = POST_SPECS.map(([label, authorId, caption, locationId], i) => ({
  label,
  id: POST_IDS[i]!,
  authorId,
  caption,
  ...(locationId ? { locationId } : {}),
  createdAt: new Date(Date.UTC(2024, 4, 1, 10, i)).toISOString(),
  imageUrl: `https://img.example.com/${POST_IDS[i]!}.jpg`,
}));
export const postId = (label: string): string => POSTS.find((p) => p.label === label)!.id;

/** Hashtags as written in these captions: `#` after a space or at the start, NFC, lower-cased key. */
export function tagsOf(caption: string): { key: string; display: string }[] {
  const out: { key: string; display: string }[] = [];
  for (const m of caption.matchAll(/(?:^|\s)[#＃]([\p{L}\p{M}\p{N}_]+)/gu)) {
    const display = m[1]!.normalize('NFC');
    const key = display.toLowerCase();
    if (!out.some((t) => t.key === key)) out.push({ key, display });
  }
  return out;
}

/** Case- and accent-insensitive folding, written independently of the service's. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/gu, ' ').trim();
}

/** Typeahead matching: the query folds to a prefix of a whole name or of one of its words. */
export function prefixMatches(q: string, names: string[]): boolean {
  const fq = fold(q);
  return names.some((name) => {
    const whole = fold(name);
    return whole.startsWith(fq) || whole.split(/[ _.-]+/u).some((w) => w.startsWith(fq));
  });
}

const byCountThenId =
  <T>(count: (x: T) => number, id: (x: T) => string) =>
  (a: T, b: T) =>
    count(b) - count(a) || (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0);

export const has = (p: FinalPost, tag: string): boolean => p.tags.includes(tag);

/** The world after every event, and the answers each route should give. */
export class WorldOracle {
  readonly posts: FinalPost[];
  readonly edges = new Set<string>();
  readonly displayNames = new Map<string, string>();

  constructor() {
    for (const [a, b] of FOLLOWS) this.edges.add(`${a}:${b}`);
    for (const [a, b] of REMOVED_FOLLOWS) this.edges.delete(`${a}:${b}`);
    this.posts = POSTS.map((p, order) => ({
      ...p,
      order,
      tags: tagsOf(UPDATES[p.label] ?? p.caption).map((t) => t.key),
      deleted: DELETES.includes(p.label),
    }));
    const captions = [...POSTS.map((p) => p.caption), ...Object.values(UPDATES)];
    for (const t of captions.flatMap(tagsOf)) {
      if (!this.displayNames.has(t.key)) this.displayNames.set(t.key, t.display);
    }
  }

  get live(): FinalPost[] {
    return this.posts.filter((p) => !p.deleted);
  }
  user(id: string): WorldUser | undefined {
    return USERS.find((x) => x.id === id);
  }
  follows(a: string, b: string): boolean {
    return this.edges.has(`${a}:${b}`);
  }
  followeesOf(id: string): string[] {
    return [...this.edges].filter((e) => e.startsWith(`${id}:`)).map((e) => e.split(':')[1]!);
  }
  followerCount(id: string): number {
    return [...this.edges].filter((e) => e.endsWith(`:${id}`)).length;
  }

  /** Private authors' posts: the author and their followers only. */
  visible(p: FinalPost, viewer?: string): boolean {
    const author = this.user(p.authorId)!;
    return (
      !author.isPrivate || viewer === p.authorId || (viewer !== undefined && this.follows(viewer, p.authorId))
    );
  }

  /** Ids of the live, visible posts matching `pred`, newest first. */
  media(pred: (p: FinalPost) => boolean, viewer?: string): string[] {
    return this.live
      .filter((p) => pred(p) && this.visible(p, viewer))
      .sort((a, b) => b.order - a.order)
      .map((p) => p.id);
  }

  mediaItem(id: string) {
    const p = this.posts.find((x) => x.id === id)!;
    return { id: p.id, imageUrl: p.imageUrl, authorId: p.authorId, createdAt: p.createdAt };
  }

  userDoc(id: string) {
    const x = this.user(id)!;
    return {
      ...x,
      followerCount: this.followerCount(id),
      followingCount: this.followeesOf(id).length,
      mediaCount: this.live.filter((p) => p.authorId === id).length,
    };
  }

  locationDoc(id: string) {
    const l = LOCATIONS.find((x) => x.id === id)!;
    return {
      id,
      name: l.name,
      lat: l.lat ?? null,
      lon: l.lon ?? null,
      mediaCount: this.live.filter((p) => p.locationId === id).length,
    };
  }

  mediaDoc(id: string) {
    const p = this.posts.find((x) => x.id === id)!;
    const caption = UPDATES[p.label] ?? p.caption;
    return {
      id,
      authorId: p.authorId,
      authorUsername: this.user(p.authorId)!.username,
      caption,
      imageUrl: p.imageUrl,
      tags: p.tags,
      locationId: p.locationId ?? null,
      locationName: LOCATIONS.find((l) => l.id === p.locationId)?.name ?? null,
      createdAt: p.createdAt,
    };
  }

  totalPosts(tag: string): number {
    return this.live.filter((p) => has(p, tag)).length;
  }

  tagPage(tag: string) {
    const newest = this.media((p) => has(p, tag)).slice(0, 100);
    return {
      tag,
      displayName: this.displayNames.get(tag)!,
      totalPosts: this.totalPosts(tag),
      topPosts: newest.map((id) => ({ id, imageUrl: this.mediaItem(id).imageUrl })),
    };
  }

  /** Followees, then their followees, then everyone else; each tier by follower count, then id. */
  typeaheadUsers(q: string, viewer: string | undefined, limit: number) {
    const matching = USERS.filter((x) => prefixMatches(q, [x.username, x.fullName]));
    const following = new Set(viewer ? this.followeesOf(viewer) : []);
    const second = new Set([...following].flatMap((f) => this.followeesOf(f)));
    for (const f of following) second.delete(f);
    if (viewer) second.delete(viewer);
    const rank = byCountThenId<WorldUser>(
      (x) => this.followerCount(x.id),
      (x) => x.id,
    );
    const tier = (proximity: string, pick: (x: WorldUser) => boolean) =>
      matching
        .filter(pick)
        .sort(rank)
        .map((x) => ({
          id: x.id,
          username: x.username,
          fullName: x.fullName,
          followerCount: this.followerCount(x.id),
          proximity,
        }));
    return [
      ...tier('following', (x) => following.has(x.id)),
      ...tier('second', (x) => second.has(x.id)),
      ...tier('none', (x) => !following.has(x.id) && !second.has(x.id)),
    ].slice(0, limit);
  }

  typeaheadHashtags(q: string, limit: number) {
    return [...this.displayNames]
      .map(([tag, displayName]) => ({ tag, displayName, totalPosts: this.totalPosts(tag) }))
      .filter((h) => h.totalPosts > 0 && prefixMatches(q, [h.tag, h.displayName]))
      .sort(
        byCountThenId(
          (h) => h.totalPosts,
          (h) => h.tag,
        ),
      )
      .slice(0, limit);
  }

  typeaheadLocations(q: string, limit: number) {
    return LOCATIONS.filter((l) => prefixMatches(q, [l.name]))
      .map((l) => ({ id: l.id, name: l.name, mediaCount: this.locationDoc(l.id).mediaCount }))
      .sort(
        byCountThenId(
          (l) => l.mediaCount,
          (l) => l.id,
        ),
      )
      .slice(0, limit);
  }

  /**
   * Trending at `now` when every post event happened at `postsAt`: P is the
   * count in the latest complete window, P′ = (past + 1) / (windows − 1).
   */
  trending(now: number, postsAt: number, limit: number, windowMs = 5 * 60_000, retentionMs = 7 * 86_400_000) {
    const latest = now - (now % windowMs) - windowMs;
    if (postsAt - (postsAt % windowMs) !== latest) return [];
    const counts = new Map<string, number>();
    const bump = (tags: string[]) => tags.forEach((t) => counts.set(t, (counts.get(t) ?? 0) + 1));
    for (const p of POSTS) bump(tagsOf(p.caption).map((t) => t.key));
    for (const [label, caption] of Object.entries(UPDATES)) {
      const before = tagsOf(POSTS.find((p) => p.label === label)!.caption).map((t) => t.key);
      bump(
        tagsOf(caption)
          .map((t) => t.key)
          .filter((t) => !before.includes(t)),
      );
    }
    const expected = 1 / (retentionMs / windowMs - 1);
    return [...counts]
      .map(([tag, count]) => ({
        tag,
        displayName: this.displayNames.get(tag)!,
        score: count * Math.log(count / expected),
        count,
        expected,
      }))
      .sort((a, b) => b.score - a.score || (a.tag < b.tag ? -1 : 1))
      .slice(0, limit);
  }
}
