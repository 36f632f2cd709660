import type { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../platform/errors';
import type { uploadEventSchema } from '../../schemas/events';
import { DemoCaptionWriter, type DemoCaption } from './demo-captions';
import { makeFollows, makePeople, randomLocale, type DemoPerson } from './demo-people';
import { DEMO_PLACES, type DemoPlace } from './demo-places';
import { createRandom, zipf } from './demo-random';
import { NAME_EMOJI, SHOWCASE_USERS, type DemoLocale } from './demo-vocabulary';

/** An event as a producer sends it, before validation. */
export type UploadEventInput = z.input<typeof uploadEventSchema>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event without its envelope, which the timeline stamps on. */
type EventBody = DistributiveOmit<UploadEventInput, 'eventId' | 'occurredAt'>;

export interface DemoEventOptions {
  /** Same seed and options, same events. */
  seed?: number;
  posts?: number;
  users?: number;
  /** At most DEMO_PLACES.length. */
  locations?: number;
  /** Epoch ms the data ends at; defaults to the current time. */
  now?: number;
}

export const DEMO_EVENT_DEFAULTS = { seed: 42, posts: 3000, users: 400, locations: 60 } as const;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Posts are spread over this window before `now`. */
const WINDOW = 30 * DAY;
/** Places, users and the existing follow graph are written just before the window. */
const SETUP = 2 * HOUR;
/** Accounts and places were created over the years before the window; only their ids show it. */
const HISTORY = 3 * 365 * DAY;

// Snowflake-style ids: 41 bits of ms since the epoch, 13 bits of shard, 10 of sequence,
// so ids sort by creation time and fit an unsigned 64-bit id.
const SNOWFLAKE_EPOCH = Date.UTC(2010, 0, 1);
const EARLIEST_NOW = SNOWFLAKE_EPOCH + HISTORY + WINDOW + SETUP;
const LATEST_NOW = SNOWFLAKE_EPOCH + 2 ** 41 - 1;
const SHARD = { user: 1, location: 2, post: 3 } as const;

const MAX_POSTS = 100_000;
const MAX_USERS = 20_000;

interface ResolvedOptions {
  seed: number;
  posts: number;
  users: number;
  locations: number;
  now: number;
}

function resolveOptions(options: DemoEventOptions): ResolvedOptions {
  const issues: FieldIssue[] = [];
  const integer = (field: keyof DemoEventOptions, fallback: number, min: number, max: number): number => {
    const value = options[field];
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value < min || value > max) {
      issues.push({ field, reason: `must be an integer from ${min} to ${max}, got ${String(value)}` });
    }
    return value;
  };
  const resolved: ResolvedOptions = {
    seed: integer('seed', DEMO_EVENT_DEFAULTS.seed, 0, 0xffffffff),
    posts: integer('posts', DEMO_EVENT_DEFAULTS.posts, 0, MAX_POSTS),
    users: integer('users', DEMO_EVENT_DEFAULTS.users, 0, MAX_USERS),
    locations: integer('locations', DEMO_EVENT_DEFAULTS.locations, 0, DEMO_PLACES.length),
    now: integer('now', Date.now(), EARLIEST_NOW, LATEST_NOW),
  };
  if (resolved.posts > 0 && resolved.users === 0) {
    issues.push({ field: 'users', reason: 'must be at least 1 when there are posts to author' });
  }
  if (issues.length > 0) throw new ValidationError('invalid demo data options', issues);
  return resolved;
}

class SnowflakeIds {
  private sequence = 0;
  constructor(private readonly shard: number) {}

  next(ms: number): string {
    const id =
      (BigInt(ms - SNOWFLAKE_EPOCH) << 23n) | (BigInt(this.shard) << 10n) | BigInt(this.sequence++ & 1023);
    return id.toString();
  }
}

interface DemoUserState extends DemoPerson {
  id: string;
}

interface DemoPost {
  /** Set when the post is published, which the timeline orders before its edits and delete. */
  id: string;
  author: DemoUserState;
  locale: DemoLocale;
  place: (DemoPlace & { id: string }) | undefined;
  caption: DemoCaption;
}

/** A change on the timeline; `build` runs in time order with the final timestamp. */
interface Scheduled {
  at: number;
  build: (ms: number) => EventBody;
}

/** Sorted times in [from, to), as whole milliseconds. */
function times(random: () => number, count: number, from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.floor(from + random() * (to - from)));
  return out.sort((a, b) => a - b);
}

/** A time strictly after `after` and before `limit`, at most `span` later. */
function laterThan(random: () => number, after: number, span: number, limit: number): number {
  const room = Math.min(span, limit - after);
  return after + 1 + Math.floor(random() * Math.max(0, room - 1));
}

function userEvent(user: DemoUserState): EventBody {
  return {
    type: 'user.upserted',
    user: { id: user.id, username: user.username, fullName: user.fullName, isPrivate: user.isPrivate },
  };
}

/**
 * The demo network as upload events, in the order a producer would have sent
 * them: places and accounts, the follow graph as it stood a month ago, then
 * a month of posts, new follows and unfollows, caption edits, deletes and
 * profile changes, with `occurredAt` strictly increasing and no later than
 * `now`. Ids are time-ordered snowflakes; images are served by the demo
 * image router at /demo/images/<postId>.svg.
 */
export function generateDemoEvents(options: DemoEventOptions = {}): UploadEventInput[] {
  const { seed, posts: postCount, users: userCount, locations, now } = resolveOptions(options);
  const random = createRandom(seed);
  const next = random.next;
  const windowStart = now - WINDOW;
  const setupStart = windowStart - SETUP;
  const end = now - MINUTE;

  const placeIds = new SnowflakeIds(SHARD.location);
  const places = DEMO_PLACES.slice(0, locations);
  const placeTimes = times(next, places.length, setupStart - HISTORY, setupStart - DAY);
  const located = places.map((place, i) => ({ ...place, id: placeIds.next(placeTimes[i]!) }));
  const placesByLocale = new Map<string, typeof located>();
  for (const place of located)
    placesByLocale.set(place.locale, [...(placesByLocale.get(place.locale) ?? []), place]);

  // People ranked by popularity; the most followed joined first, so their ids are the oldest.
  const userIds = new SnowflakeIds(SHARD.user);
  const userTimes = times(next, userCount, setupStart - HISTORY, setupStart - DAY);
  const users: DemoUserState[] = makePeople(random, userCount).map((person, i) => ({
    ...person,
    id: userIds.next(userTimes[i]!),
  }));

  const follows = makeFollows(random, userCount);
  const initialFollows = Math.round(follows.length * 0.75);

  const events: UploadEventInput[] = [];
  let last = -Infinity;
  const emit = (at: number, build: (ms: number) => EventBody): void => {
    const ms = Math.max(at, last + 1);
    last = ms;
    const body = build(ms);
    events.push({
      ...body,
      eventId: `demo-${seed}-${events.length}`,
      occurredAt: new Date(ms).toISOString(),
    });
  };

  const setupCount = located.length + users.length + initialFollows;
  const step = Math.max(1, Math.floor(SETUP / Math.max(1, setupCount)));
  let setupAt = setupStart;
  for (const place of located) {
    const location = {
      id: place.id,
      name: place.name,
      ...(place.lat === undefined ? {} : { lat: place.lat, lon: place.lon }),
    };
    emit((setupAt += step), () => ({ type: 'location.upserted', location }));
  }
  for (const user of users) emit((setupAt += step), () => userEvent(user));
  const followEvent =
    (type: 'follow.added' | 'follow.removed', [a, b]: readonly [number, number]) =>
    () => ({
      type,
      followerId: users[a]!.id,
      followeeId: users[b]!.id,
    });
  for (const pair of follows.slice(0, initialFollows))
    emit((setupAt += step), followEvent('follow.added', pair));

  const timeline: Scheduled[] = [];

  // Active posters are mostly, not only, the popular accounts.
  const byActivity = users
    .map((user) => ({ user, weight: (user.index + 1) * (0.3 + next()) }))
    .sort((a, b) => a.weight - b.weight)
    .map(({ user }) => user);
  const pickPoster = zipf(Math.max(1, users.length), 0.9, random);
  const captions = new DemoCaptionWriter(random);
  const postIds = new SnowflakeIds(SHARD.post);
  const posts: { post: DemoPost; at: number }[] = [];
  for (const at of times(next, postCount, windowStart, end)) {
    const author = byActivity[pickPoster()]!;
    const locale = random.chance(0.85) ? author.locale : randomLocale(random);
    let place: DemoPost['place'];
    if (located.length > 0 && random.chance(0.6)) {
      const nearby = placesByLocale.get(locale.code);
      place = nearby !== undefined && random.chance(0.7) ? random.pick(nearby) : random.pick(located);
    }
    const post: DemoPost = { id: '', author, locale, place, caption: captions.write(locale, place) };
    posts.push({ post, at });
    timeline.push({
      at,
      build: (ms) => {
        post.id = postIds.next(ms);
        const { id, caption } = post;
        return {
          type: 'post.published',
          post: {
            id,
            authorId: author.id,
            caption: caption.text,
            imageUrl: `/demo/images/${id}.svg`,
            ...(place === undefined ? {} : { locationId: place.id }),
            createdAt: new Date(ms).toISOString(),
          },
        };
      },
    });
  }

  // Edits and deletes touch different posts, so a deleted post is never edited afterwards.
  const touched = random.shuffled(posts);
  const editCount = Math.round(postCount * 0.015);
  for (const { post, at } of touched.slice(0, editCount)) {
    timeline.push({
      at: laterThan(next, at, 3 * DAY, end),
      build: () => {
        post.caption = captions.edit(post.locale, post.caption);
        return { type: 'post.updated', post: { id: post.id, caption: post.caption.text } };
      },
    });
  }
  for (const { post, at } of touched.slice(editCount, editCount + Math.round(postCount * 0.01))) {
    timeline.push({
      at: laterThan(next, at, 2 * DAY, end),
      build: () => ({ type: 'post.deleted', postId: post.id }),
    });
  }

  const lateFollows = follows
    .slice(initialFollows)
    .map((pair) => ({ pair, at: Math.floor(windowStart + next() * (end - windowStart)) }));
  for (const { pair, at } of lateFollows) timeline.push({ at, build: followEvent('follow.added', pair) });
  const allFollows = [
    ...follows.slice(0, initialFollows).map((pair) => ({ pair, at: windowStart })),
    ...lateFollows,
  ];
  for (const { pair, at } of random.shuffled(allFollows).slice(0, Math.round(follows.length * 0.015))) {
    timeline.push({ at: laterThan(next, at, WINDOW, end), build: followEvent('follow.removed', pair) });
  }

  // Profile changes: a display-name emoji comes or goes, or an account turns private or public.
  for (const user of random.shuffled(users).slice(0, Math.round(userCount * 0.02))) {
    const togglePrivacy = random.chance(0.4) && user.index >= SHOWCASE_USERS.length;
    const emoji = random.pick(NAME_EMOJI);
    timeline.push({
      at: Math.floor(windowStart + next() * (end - windowStart)),
      build: () => {
        if (togglePrivacy) user.isPrivate = !user.isPrivate;
        else if (user.fullName.endsWith(emoji))
          user.fullName = user.fullName.slice(0, -emoji.length).trimEnd();
        else user.fullName = user.fullName === '' ? emoji : `${user.fullName} ${emoji}`;
        return userEvent(user);
      },
    });
  }

  // Whatever refers to a post or a follow is scheduled strictly after it, so time order keeps references valid.
  timeline.sort((a, b) => a.at - b.at);
  for (const item of timeline) emit(item.at, item.build);
  return events;
}
