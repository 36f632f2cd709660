import express from 'express';
import fc from 'fast-check';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extractHashtags } from '../indexer/hashtags/extract-hashtags';
import { ValidationError } from '../platform/errors';
import { foldText } from '../platform/text/fold-text';
import { DEMO_PLACES } from '../query/demo/demo-places';
import { generateDemoEvents, type UploadEventInput } from '../query/demo/demo-events';
import { renderDemoImage } from '../query/demo/demo-image';
import { demoImageRouter } from '../query/demo/demo-image-router';
import { parseEvent, parseEvents } from '../schemas/events';

const NOW = Date.UTC(2026, 4, 1, 12, 0, 0);
const DAY = 86_400_000;

type Of<T extends UploadEventInput['type']> = Extract<UploadEventInput, { type: T }>;
const ofType = <T extends UploadEventInput['type']>(events: UploadEventInput[], type: T): Of<T>[] =>
  events.filter((e): e is Of<T> => e.type === type);

/**
 * Replays the stream the way an indexer would and lists every broken rule:
 * references to users, places and posts that do not exist (yet), duplicate
 * ids, self-follows, unfollows of absent follows, and time going backwards.
 */
function streamProblems(events: UploadEventInput[], now: number): string[] {
  const problems: string[] = [];
  const users = new Set<string>();
  const places = new Set<string>();
  const posts = new Map<string, 'live' | 'deleted'>();
  const follows = new Set<string>();
  const eventIds = new Set<string>();
  let last = -Infinity;
  events.forEach((e, i) => {
    const at = Date.parse(e.occurredAt);
    if (!(at > last)) problems.push(`[${i}] occurredAt ${e.occurredAt} does not increase`);
    if (at > now) problems.push(`[${i}] occurredAt ${e.occurredAt} is after now`);
    last = at;
    if (eventIds.has(e.eventId)) problems.push(`[${i}] duplicate eventId ${e.eventId}`);
    eventIds.add(e.eventId);
    switch (e.type) {
      case 'location.upserted':
        places.add(e.location.id);
        break;
      case 'user.upserted':
        users.add(e.user.id);
        break;
      case 'follow.added':
      case 'follow.removed': {
        const pair = `${e.followerId}>${e.followeeId}`;
        if (!users.has(e.followerId) || !users.has(e.followeeId))
          problems.push(`[${i}] unknown user in ${pair}`);
        if (e.followerId === e.followeeId) problems.push(`[${i}] self-follow ${pair}`);
        if (e.type === 'follow.added' && follows.has(pair)) problems.push(`[${i}] repeated follow ${pair}`);
        if (e.type === 'follow.removed' && !follows.has(pair))
          problems.push(`[${i}] unfollow of absent ${pair}`);
        if (e.type === 'follow.added') follows.add(pair);
        else follows.delete(pair);
        break;
      }
      case 'post.published': {
        const { id, authorId, locationId, createdAt, imageUrl } = e.post;
        if (posts.has(id)) problems.push(`[${i}] post ${id} published twice`);
        if (!users.has(authorId)) problems.push(`[${i}] post ${id} by unknown author ${authorId}`);
        if (locationId !== undefined && !places.has(locationId))
          problems.push(`[${i}] unknown place ${locationId}`);
        if (Date.parse(createdAt) > at) problems.push(`[${i}] post ${id} created after it was published`);
        if (imageUrl !== `/demo/images/${id}.svg`) problems.push(`[${i}] post ${id} has image ${imageUrl}`);
        posts.set(id, 'live');
        break;
      }
      case 'post.updated':
        if (posts.get(e.post.id) !== 'live') problems.push(`[${i}] edit of ${e.post.id}, which is not live`);
        break;
      case 'post.deleted':
        if (posts.get(e.postId) !== 'live') problems.push(`[${i}] delete of ${e.postId}, which is not live`);
        posts.set(e.postId, 'deleted');
        break;
    }
  });
  return problems.slice(0, 20);
}

function countBy<T>(items: Iterable<T>): Map<T, number> {
  const counts = new Map<T, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return counts;
}

describe('generateDemoEvents with the defaults', () => {
  let events: UploadEventInput[];
  beforeAll(() => {
    events = generateDemoEvents({ now: NOW });
  });

  it('produces only events that the upload schema accepts, unchanged by parsing', () => {
    expect(() => parseEvents(events)).not.toThrow();
    for (const event of events.slice(0, 500)) expect(parseEvent(event)).toEqual(event);
  });

  it('is a consistent stream: references, ordering and ids all hold', () => {
    expect(streamProblems(events, NOW)).toEqual([]);
  });

  it('is the same for the same seed and differs for another seed', () => {
    // Compared as JSON: a deep equality over 16k events is needlessly slow.
    expect(JSON.stringify(generateDemoEvents({ now: NOW }))).toBe(JSON.stringify(events));
    const other = generateDemoEvents({ now: NOW, seed: 7 });
    expect(ofType(other, 'post.published').map((e) => e.post.caption)).not.toEqual(
      ofType(events, 'post.published').map((e) => e.post.caption),
    );
  });

  it('has the requested numbers of posts, users and places and a few edits, deletes and private accounts', () => {
    expect(ofType(events, 'post.published')).toHaveLength(3000);
    expect(new Set(ofType(events, 'user.upserted').map((e) => e.user.id)).size).toBe(400);
    expect(ofType(events, 'location.upserted')).toHaveLength(60);
    const edits = ofType(events, 'post.updated').length;
    const deletes = ofType(events, 'post.deleted').length;
    expect(edits).toBeGreaterThanOrEqual(10);
    expect(edits).toBeLessThanOrEqual(150);
    expect(deletes).toBeGreaterThanOrEqual(10);
    expect(deletes).toBeLessThanOrEqual(150);
    const privateUsers = new Set(
      ofType(events, 'user.upserted')
        .filter((e) => e.user.isPrivate)
        .map((e) => e.user.id),
    );
    expect(privateUsers.size).toBeGreaterThanOrEqual(5);
    expect(privateUsers.size).toBeLessThanOrEqual(60);
  });

  it('spreads posts over the 30 days before now, with ids that grow with time', () => {
    const published = ofType(events, 'post.published').map((e) => e.post);
    const created = published.map((post) => Date.parse(post.createdAt));
    expect(created.filter((t) => t < NOW - 31 * DAY || t > NOW)).toEqual([]);
    expect(new Set(created.map((t) => Math.floor((NOW - t) / DAY))).size).toBeGreaterThanOrEqual(28);
    const outOfOrder = published.filter(
      (post, i) =>
        i > 0 && (created[i - 1]! > created[i]! || BigInt(published[i - 1]!.id) >= BigInt(post.id)),
    );
    expect(outOfOrder).toEqual([]);
    // Snowflake-like: large 64-bit values, not small counters.
    expect(published.every((post) => BigInt(post.id) > 2n ** 40n)).toBe(true);
  });

  it('builds a power-law follow graph with a few hundred followers for the top accounts', () => {
    const followers = countBy(ofType(events, 'follow.added').map((e) => e.followeeId));
    const counts = [...followers.values()].sort((a, b) => b - a);
    const total = counts.reduce((a, b) => a + b, 0);
    expect(counts[0]).toBeGreaterThanOrEqual(200);
    expect(counts[0]).toBeLessThan(400);
    expect(counts.filter((n) => n >= 100).length).toBeGreaterThanOrEqual(5);
    expect(counts[Math.floor(counts.length / 2)]).toBeLessThan(50);
    // The top tenth of accounts draw a large share of all follows.
    expect(counts.slice(0, 40).reduce((a, b) => a + b, 0)).toBeGreaterThan(total * 0.35);
  });

  it('writes captions with 1-6 hashtags, popular tags in many scripts and a long tail', () => {
    const captions = ofType(events, 'post.published').map((e) => e.post.caption);
    const perPost = captions.map((caption) => extractHashtags(caption).map((tag) => tag.key));
    for (const keys of perPost) {
      expect(keys.length).toBeGreaterThanOrEqual(1);
      expect(keys.length).toBeLessThanOrEqual(6);
    }
    const tagCounts = countBy(perPost.flat());
    for (const tag of ['sunset', 'beach', 'travel', 'food', 'café', 'münchen', '東京', '서울', 'москва']) {
      expect([tag, (tagCounts.get(tag) ?? 0) >= 30]).toEqual([tag, true]);
    }
    expect(Math.max(...tagCounts.values())).toBeGreaterThanOrEqual(100);
    expect([...tagCounts.values()].filter((n) => n <= 3).length).toBeGreaterThanOrEqual(100);
    // Several languages and scripts, each in a good number of captions.
    const scripts: [string, RegExp][] = [
      ['Latin with accents', /[À-ÖØ-öø-ÿ]/u],
      ['Japanese kana', /[\p{Script=Hiragana}\p{Script=Katakana}]/u],
      ['Hangul', /\p{Script=Hangul}/u],
      ['Cyrillic', /\p{Script=Cyrillic}/u],
      ['Arabic', /\p{Script=Arabic}/u],
      ['Devanagari', /\p{Script=Devanagari}/u],
    ];
    for (const [name, re] of scripts) {
      expect([name, captions.filter((c) => re.test(c)).length >= 50]).toEqual([name, true]);
    }
    // Case variants of one tag fold together, as people type them both ways.
    expect(captions.some((c) => /#[A-ZÀ-ÞА-Я]/u.test(c))).toBe(true);
  });

  it('has unique usernames and multilingual names with accents for typeahead', () => {
    const users = ofType(events, 'user.upserted').map((e) => e.user);
    const handles = new Map(users.map((u) => [u.id, u.username.toLowerCase()]));
    expect(new Set(handles.values()).size).toBe(handles.size);
    const names = users.map((u) => u.fullName);
    expect(names).toContain('José Álvarez');
    expect(names.some((n) => n.includes('Zoë'))).toBe(true);
    expect(names.some((n) => n.includes('Søren'))).toBe(true);
    // Accented Latin names that typeahead finds without the accents.
    const foldable = names.filter((n) => /[À-ÖØ-öø-ÿĀ-ž]/u.test(n) && /^[a-z .'-]+$/.test(foldText(n)));
    expect(foldable.length).toBeGreaterThanOrEqual(40);
  });

  it('places real locations with coordinates, distinct names', () => {
    const places = ofType(events, 'location.upserted').map((e) => e.location);
    expect(new Set(places.map((p) => p.name)).size).toBe(places.length);
    expect(places.filter((p) => p.lat !== undefined).length).toBeGreaterThanOrEqual(55);
    const eiffel = DEMO_PLACES.find((p) => p.name === 'Tour Eiffel')!;
    expect(eiffel.lat).toBeCloseTo(48.858, 2);
    expect(eiffel.lon).toBeCloseTo(2.294, 2);
  });
});

describe('generateDemoEvents with other options', () => {
  it('gives exact counts for small networks and an empty stream for zero', () => {
    const events = generateDemoEvents({ seed: 3, posts: 50, users: 10, locations: 5, now: NOW });
    expect(ofType(events, 'post.published')).toHaveLength(50);
    expect(ofType(events, 'location.upserted')).toHaveLength(5);
    expect(new Set(ofType(events, 'user.upserted').map((e) => e.user.id)).size).toBe(10);
    expect(generateDemoEvents({ posts: 0, users: 0, locations: 0, now: NOW })).toEqual([]);
  });

  it('keeps every stream valid and consistent (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.nat(),
          posts: fc.integer({ min: 0, max: 80 }),
          users: fc.integer({ min: 1, max: 30 }),
          locations: fc.integer({ min: 0, max: DEMO_PLACES.length }),
          now: fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2060, 0, 1) }),
        }),
        (options) => {
          const events = generateDemoEvents(options);
          expect(() => parseEvents(events)).not.toThrow();
          expect(streamProblems(events, options.now)).toEqual([]);
          expect(ofType(events, 'post.published')).toHaveLength(options.posts);
          for (const { post } of ofType(events, 'post.published')) {
            const n = extractHashtags(post.caption).length;
            expect(n >= 1 && n <= 6).toBe(true);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it.each([
    [{ posts: -1 }, 'posts'],
    [{ posts: 1.5 }, 'posts'],
    [{ users: 20_001 }, 'users'],
    [{ locations: 1000 }, 'locations'],
    [{ seed: -3 }, 'seed'],
    [{ now: Date.UTC(2000, 0, 1) }, 'now'],
    [{ posts: 5, users: 0 }, 'users'],
  ])('rejects %j naming the field', (options, field) => {
    let error: unknown;
    try {
      generateDemoEvents({ now: NOW, ...options });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual([field]);
  });
});

const ALLOWED_ELEMENTS = new Set([
  'svg',
  'title',
  'defs',
  'linearGradient',
  'stop',
  'rect',
  'circle',
  'polygon',
  'path',
]);

/** A minimal XML check: only known elements, quoted attributes, escaped text and balanced tags. */
function svgProblems(svg: string): string[] {
  const problems: string[] = [];
  if (!svg.startsWith('<svg ')) problems.push('does not start with <svg');
  if (/<script|<foreignObject|\bhref\b|\bon[a-z]+=|javascript:/i.test(svg)) problems.push('active content');
  if (/url\((?!#)/.test(svg)) problems.push('external url()');
  const stack: string[] = [];
  let at = 0;
  for (const m of svg.matchAll(/<[^>]*>/g)) {
    const text = svg.slice(at, m.index);
    if (!/^(?:[^<>&]|&(?:amp|lt|gt|quot|apos);)*$/.test(text)) problems.push(`unescaped text ${text}`);
    at = m.index + m[0].length;
    const tag =
      /^<(\/?)([A-Za-z]+)((?:\s+[A-Za-z][A-Za-z0-9:-]*="(?:[^"<>&]|&(?:amp|lt|gt|quot|apos);)*")*)\s*(\/?)>$/.exec(
        m[0],
      );
    if (tag === null) {
      problems.push(`malformed tag ${m[0]}`);
      continue;
    }
    const [, closing, name, , selfClosing] = tag as unknown as [string, string, string, string, string];
    if (!ALLOWED_ELEMENTS.has(name)) problems.push(`element ${name}`);
    if (closing) {
      if (stack.pop() !== name) problems.push(`unbalanced </${name}>`);
    } else if (!selfClosing) stack.push(name);
  }
  if (svg.slice(at) !== '') problems.push('text after the root');
  if (stack.length > 0) problems.push(`unclosed ${stack.join(',')}`);
  return problems;
}

describe('renderDemoImage', () => {
  it('is small, well-formed, inert and sized 1080x1080 for any id (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^[0-9]{1,20}$/), fc.string({ maxLength: 20 })), (id) => {
        const svg = renderDemoImage(id);
        expect(svgProblems(svg)).toEqual([]);
        expect(svg).toContain('viewBox="0 0 1080 1080"');
        expect(Buffer.byteLength(svg)).toBeLessThan(2048);
        expect(renderDemoImage(id)).toBe(svg);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes the id and gives different ids different pictures', () => {
    const svg = renderDemoImage('<script>&"x');
    expect(svg).toContain('Demo photo &lt;script&gt;&amp;&quot;x');
    expect(svgProblems(svg)).toEqual([]);
    const ids = Array.from({ length: 50 }, (_, i) => String(4_300_000_000_000_000_000n + BigInt(i)));
    expect(new Set(ids.map(renderDemoImage)).size).toBe(50);
  });
});

describe('demoImageRouter', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    app.use(demoImageRouter());
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('serves the picture with long-lived caching and a strong ETag', async () => {
    const res = await fetch(`${base}/demo/images/4300847117812894720.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml(;|$)/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[\x21\x23-\x7e]+"$/);
    expect(await res.text()).toBe(renderDemoImage('4300847117812894720'));
    const again = await fetch(`${base}/demo/images/4300847117812894720.svg`);
    expect(again.headers.get('etag')).toBe(etag);
    await again.arrayBuffer();
    const other = await fetch(`${base}/demo/images/1.svg`);
    expect(other.headers.get('etag')).not.toBe(etag);
    await other.arrayBuffer();
  });

  it('answers 304 when If-None-Match holds the ETag, in any of its forms', async () => {
    const url = `${base}/demo/images/77.svg`;
    const first = await fetch(url);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
      const res = await fetch(url, { headers: { 'If-None-Match': header } });
      expect([header, res.status]).toEqual([header, 304]);
      expect(res.headers.get('etag')).toBe(etag);
      expect(await res.text()).toBe('');
    }
    const stale = await fetch(url, { headers: { 'If-None-Match': '"something-else"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
  });

  it.each(['abc.svg', '12a.svg', '-1.svg', '123456789012345678901.svg', '%20123.svg', '123.png', '123'])(
    'answers a JSON 404 for /demo/images/%s',
    async (tail) => {
      const res = await fetch(`${base}/demo/images/${tail}`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('NOT_FOUND');
      expect(typeof body.error.message).toBe('string');
    },
  );
});
