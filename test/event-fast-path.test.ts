import fc from 'fast-check';
import { uploadEventSchema } from '../schemas/events';
import { fastParseEvent } from '../schemas/events/fast-parse-event';
import { imageUrlSchema, isImageUrl } from '../schemas/events/image-url-schema';
import { ALL_VALID, INVALID } from './support/upload-event-examples';

/** Field values around every rule's edges: valid ones and near misses. */
/** Mostly valid, so a fair share of whole events passes every rule. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, odd: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: odd });
const idArb = mostly(
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
  fc.constantFrom('', '0', '01', '-1', '1e3', ' 1', '18446744073709551615', '18446744073709551616', 7),
);
const dateArb = mostly(
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    '2026-01-01T00:00:00Z',
    '2024-02-29T23:59:59-08:00',
    '2023-02-29T00:00:00Z',
    '2026-01-01T00:00:00',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00.123456789+05:30',
    '2026-01-01',
    1767225600000,
  ),
);
const textArb = (max: number) =>
  mostly(
    fc.string({
      minLength: 1,
      maxLength: 12,
      unit: fc.constantFrom('a', 'é', '🌅', '\n', '漢', '\ud800', '#'),
    }),
    fc.oneof(
      fc.integer({ min: max - 2, max: max + 2 }).chain((n) => fc.constantFrom('x'.repeat(n), '🌅'.repeat(n))),
      fc.constantFrom(null, 3, ''),
    ),
  );
const urlArb = mostly(
  fc.oneof(fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.constant('/media/1.svg')),
  fc.constantFrom(
    '/media/1.svg',
    '//evil.example/x',
    '/\\evil',
    'ftp://h/x',
    'http://[::1/x',
    'http://999.1.1.1/x',
    'https://xn--a.com/x',
    'https://h:99999/x',
    'https://h:8443/p?q#f',
    'https://user:pw@h/x',
    'http://a..b/x',
    'media/x',
    `/${'a'.repeat(2048)}`,
  ),
);
const eventIdArb = mostly(
  fc.string({ minLength: 1, maxLength: 40, unit: fc.constantFrom('a', '-', '~', '7') }),
  fc.oneof(
    fc.string({ minLength: 0, maxLength: 130, unit: fc.constantFrom('a', ' ', '\n', 'é') }),
    fc.constantFrom('x'.repeat(128), 'x'.repeat(129)),
  ),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
const extraArb = mostly(fc.constant(undefined), fc.constantFrom('extra', '__proto__', 'Post', 'lat'));

const withExtra = (o: Record<string, unknown>, extra: string | undefined) => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  if (extra !== undefined) Object.defineProperty(out, extra, { value: 1, enumerable: true });
  return out;
};

const eventArb = fc
  .record({
    type: fc.constantFrom(
      'post.published',
      'post.updated',
      'post.deleted',
      'user.upserted',
      'follow.added',
      'follow.removed',
      'location.upserted',
      'post.created',
    ),
    eventId: eventIdArb,
    occurredAt: dateArb,
    id: idArb,
    other: idArb,
    caption: textArb(2200),
    imageUrl: urlArb,
    locationId: maybe(idArb),
    username: mostly(
      fc.stringMatching(/^[A-Za-z0-9._]{1,30}$/),
      fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{0,32}$/), fc.constant(5)),
    ),
    fullName: textArb(64),
    isPrivate: mostly(fc.boolean(), fc.constant('yes')),
    name: textArb(128),
    coordinates: fc.option(
      fc.tuple(
        maybe(mostly(fc.double({ min: -90, max: 90, noNaN: true }), fc.constantFrom(90.5, Number.NaN, '1'))),
        maybe(mostly(fc.double({ min: -180, max: 180, noNaN: true }), fc.constantFrom(-181, Infinity))),
      ),
      { nil: undefined },
    ),
    extra: extraArb,
    inner: extraArb,
    sameIds: mostly(fc.constant(false), fc.constant(true)),
  })
  .map((r) => {
    const env = { type: r.type, eventId: r.eventId, occurredAt: r.occurredAt };
    const inner = (o: Record<string, unknown>) => withExtra(o, r.inner);
    switch (r.type) {
      case 'post.published':
        return withExtra(
          {
            ...env,
            post: inner({
              id: r.id,
              authorId: r.other,
              caption: r.caption,
              imageUrl: r.imageUrl,
              locationId: r.locationId,
              createdAt: r.occurredAt,
            }),
          },
          r.extra,
        );
      case 'post.updated':
        return withExtra({ ...env, post: inner({ id: r.id, caption: r.caption }) }, r.extra);
      case 'user.upserted':
        return withExtra(
          {
            ...env,
            user: inner({ id: r.id, username: r.username, fullName: r.fullName, isPrivate: r.isPrivate }),
          },
          r.extra,
        );
      case 'location.upserted':
        return withExtra(
          {
            ...env,
            location: inner({ id: r.id, name: r.name, lat: r.coordinates?.[0], lon: r.coordinates?.[1] }),
          },
          r.extra,
        );
      case 'follow.added':
      case 'follow.removed':
        return withExtra({ ...env, followerId: r.id, followeeId: r.sameIds ? r.id : r.other }, r.extra);
      default:
        return withExtra({ ...env, postId: r.id }, r.extra);
    }
  });

describe('the validation fast path', () => {
  it('accepts only what the schema accepts, and returns exactly what the schema returns', () => {
    let accepted = 0;
    fc.assert(
      fc.property(eventArb, (input) => {
        const fast = fastParseEvent(input);
        const slow = uploadEventSchema.safeParse(input);
        if (fast === undefined) return;
        accepted++;
        expect(slow.success).toBe(true);
        // Same fields in the same order, so re-encoding gives the same bytes.
        expect(JSON.stringify(fast)).toBe(JSON.stringify(slow.data));
        expect(fast).toEqual(slow.data);
      }),
      { numRuns: 20_000 },
    );
    // The generator is no use if nearly everything falls through to zod.
    expect(accepted).toBeGreaterThan(5000);
  });

  it('takes every hand-written valid example and none of the invalid ones', () => {
    for (const event of ALL_VALID) expect(fastParseEvent(JSON.parse(JSON.stringify(event)))).toEqual(event);
    for (const [name, input] of INVALID) {
      expect([name, fastParseEvent(input)]).toEqual([name, undefined]);
    }
  });

  it('leaves a valid event to zod when it cannot be sure, such as an explicit undefined', () => {
    const event = { ...ALL_VALID[0]!, post: { ...(ALL_VALID[0]!.post as object), locationId: undefined } };
    expect(fastParseEvent(event)).toBeUndefined();
    expect(uploadEventSchema.safeParse(event).success).toBe(true);
  });

  it('judges URLs that share an authority the way the schema does, whatever their paths (the cache holds)', () => {
    const authority = fc.oneof(
      fc.webUrl().map((u) => {
        const end = u.indexOf('/', u.indexOf('//') + 2);
        return end < 0 ? u : u.slice(0, end);
      }),
      fc.constantFrom(
        'http://999.1.1.1',
        'https://xn--a.com',
        'https://h:99999',
        'http://a..b',
        'https://h:8443',
      ),
    );
    const rest = fc.string({
      maxLength: 20,
      unit: fc.constantFrom('/', 'a', '?', '#', '%', '@', ':', '.', '[', '~'),
    });
    fc.assert(
      fc.property(authority, fc.array(rest, { minLength: 1, maxLength: 4 }), (origin, tails) => {
        for (const tail of tails) {
          const url = `${origin}${tail.startsWith('/') || tail.startsWith('?') || tail.startsWith('#') ? '' : '/'}${tail}`;
          expect([url, isImageUrl(url)]).toEqual([url, imageUrlSchema.safeParse(url).success]);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
