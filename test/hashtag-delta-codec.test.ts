import fc from 'fast-check';
import { hashtagDeltaSchema, type HashtagDelta } from '../indexer/hashtag-delta';
import {
  decodeHashtagDelta,
  encodeHashtagDelta,
  hashtagDeltaRecord,
  HASHTAG_DELTA_FORMAT,
} from '../indexer/hashtag-delta-codec';
import { ValidationError } from '../platform/errors';

/** Values a field may take: the valid ones and every near miss. */
const oddValue = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 2, 0.5, -7, 2 ** 53 - 1, 2 ** 53, 2 ** 60, '', 'x', '1', null, true, false),
  fc.string({ maxLength: 3 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constant([]),
  fc.constant({}),
);

const fieldArb = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 6, arbitrary: valid.map((v) => ({ v })) },
    { weight: 1, arbitrary: oddValue.map((v) => ({ v })) },
    {
      weight: 1,
      arbitrary: fc.constant(undefined),
    },
  );

/** Mostly well-formed deltas, each field sometimes wrong or missing, sometimes an extra key. */
const candidateArb = fc
  .record({
    tag: fieldArb(fc.string({ minLength: 1, maxLength: 8 })),
    postId: fieldArb(fc.stringMatching(/^[1-9][0-9]{0,18}$/)),
    delta: fieldArb(fc.constantFrom(1, -1)),
    source: fieldArb(fc.nat(63)),
    seq: fieldArb(fc.nat()),
    at: fieldArb(fc.nat()),
    display: fc.oneof(fieldArb(fc.string({ minLength: 1, maxLength: 8 })), fc.constant(undefined)),
    extra: fc.option(fc.tuple(fc.constantFrom('extra', '__proto__', 'Tag', 'constructor'), oddValue), {
      freq: 8,
    }),
  })
  .map((r) => {
    const out: Record<string, unknown> = {};
    for (const key of ['tag', 'postId', 'delta', 'source', 'seq', 'at', 'display'] as const) {
      const field = r[key];
      if (field !== undefined) out[key] = field.v;
    }
    return { json: JSON.stringify(out), extra: r.extra };
  })
  // JSON text, so keys such as __proto__ arrive as JSON.parse makes them: own properties.
  .map(({ json, extra }) =>
    extra === null
      ? json
      : `${json.slice(0, -1)}${json === '{}' ? '' : ','}${JSON.stringify(extra[0])}:${JSON.stringify(extra[1])}}`,
  );

/** A format-1 record, as logs written before the binary format hold them: keyed by the tag, JSON inside. */
const jsonRecord = (text: string) => {
  let key = 'x';
  try {
    const tag = (JSON.parse(text) as { tag?: unknown } | null)?.tag;
    if (typeof tag === 'string' && tag !== '') key = tag;
  } catch {
    // Malformed on purpose.
  }
  return { key, value: Buffer.from(text) };
};

describe('POST_HASHTAG record decoding, JSON (format 1)', () => {
  it('accepts exactly what the schema accepts, and returns what the schema returns', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 5, arbitrary: candidateArb }, { weight: 1, arbitrary: fc.json() }),
        (text) => {
          const expected = hashtagDeltaSchema.safeParse(JSON.parse(text));
          let decoded: unknown;
          let error: unknown;
          try {
            decoded = decodeHashtagDelta(jsonRecord(text));
          } catch (err) {
            error = err;
          }
          if (expected.success) {
            expect(error).toBeUndefined();
            expect(decoded).toEqual(expected.data);
            expect(Object.keys(decoded as object).sort()).toEqual(Object.keys(expected.data).sort());
          } else {
            expect(error).toBeInstanceOf(ValidationError);
          }
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('names the field and the reason when it rejects', () => {
    const bad = { tag: 'sun', postId: '1', delta: 2, source: 0, seq: 1, at: 5 };
    try {
      decodeHashtagDelta(jsonRecord(JSON.stringify(bad)));
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.field)).toContain('delta');
    }
  });
});

const deltaArb: fc.Arbitrary<HashtagDelta> = fc
  .record({
    tag: fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }),
    postId: fc.stringMatching(/^(0|[1-9][0-9]{0,19})$/),
    delta: fc.constantFrom(1 as const, -1 as const),
    source: fc.nat(10_000),
    seq: fc.maxSafeNat(),
    at: fc.maxSafeNat(),
    display: fc.option(fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme' }), { nil: undefined }),
  })
  .map(({ display, ...d }) => (display === undefined ? d : { ...d, display }));

describe('POST_HASHTAG record codec, binary (format 2)', () => {
  it('round-trips every delta the schema accepts, keyed by its tag', () => {
    fc.assert(
      fc.property(deltaArb, (d) => {
        const record = hashtagDeltaRecord(d);
        expect(record.key).toBe(d.tag);
        expect(record.value[0]).toBe(HASHTAG_DELTA_FORMAT);
        const decoded = decodeHashtagDelta(record);
        expect(decoded).toEqual(d);
        expect(hashtagDeltaSchema.safeParse(decoded).success).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never returns what the schema rejects from damaged bytes: each is a ValidationError', () => {
    fc.assert(
      fc.property(
        deltaArb,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.constantFrom('flip', 'cut', 'extend'),
        (d, where, byte, how) => {
          const value = Buffer.from(encodeHashtagDelta(d));
          const at = 1 + (where % (value.length - 1));
          const damaged =
            how === 'flip'
              ? (value.fill(byte, at, at + 1), value)
              : how === 'cut'
                ? value.subarray(0, at)
                : Buffer.concat([value, Buffer.from([byte])]);
          let decoded: unknown;
          try {
            decoded = decodeHashtagDelta({ key: d.tag, value: damaged });
          } catch (err) {
            expect(err).toBeInstanceOf(ValidationError);
            return;
          }
          expect(hashtagDeltaSchema.safeParse(decoded).success).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses to encode what the schema rejects, or what does not fit the format', () => {
    const good: HashtagDelta = { tag: 'sun', postId: '1', delta: 1, source: 0, seq: 1, at: 5 };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...good, delta: 2 }, 'delta'],
      [{ ...good, seq: -1 }, 'seq'],
      [{ ...good, at: 1.5 }, 'at'],
      [{ ...good, tag: '' }, 'tag'],
      [{ ...good, source: 70_000 }, 'source'],
    ];
    for (const [bad, field] of cases) {
      try {
        encodeHashtagDelta(bad as HashtagDelta);
        throw new Error(`accepted ${JSON.stringify(bad)}`);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).issues.map((i) => i.field)).toContain(field);
      }
    }
  });

  it('takes the tag from the key, so a keyless record is refused', () => {
    const value = encodeHashtagDelta({ tag: 'sun', postId: '1', delta: 1, source: 0, seq: 1, at: 5 });
    expect(() => decodeHashtagDelta({ key: '', value })).toThrow(ValidationError);
  });

  it('round-trips what the repartition writes', () => {
    const delta = {
      tag: 'café',
      postId: '9007199254740993',
      delta: -1 as const,
      source: 3,
      seq: 1280,
      at: 0,
    };
    expect(decodeHashtagDelta(hashtagDeltaRecord(delta))).toEqual(delta);
    const withDisplay = { ...delta, delta: 1 as const, display: 'Café' };
    expect(decodeHashtagDelta(hashtagDeltaRecord(withDisplay))).toEqual(withDisplay);
    // Format 1, as an older log holds it, still reads the same.
    const json = { key: 'café', value: Buffer.from(JSON.stringify(withDisplay)) };
    expect(decodeHashtagDelta(json)).toEqual(withDisplay);
  });
});
