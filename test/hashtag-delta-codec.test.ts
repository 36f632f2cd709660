import fc from 'fast-check';
import { decodeHashtagDelta, encodeHashtagDelta, hashtagDeltaSchema } from '../indexer/hashtag-delta';
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

describe('POST_HASHTAG record decoding', () => {
  it('accepts exactly what the schema accepts, and returns what the schema returns', () => {
    fc.assert(
      fc.property(
        fc.oneof({ weight: 5, arbitrary: candidateArb }, { weight: 1, arbitrary: fc.json() }),
        (text) => {
          const expected = hashtagDeltaSchema.safeParse(JSON.parse(text));
          let decoded: unknown;
          let error: unknown;
          try {
            decoded = decodeHashtagDelta(Buffer.from(text));
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
      decodeHashtagDelta(Buffer.from(JSON.stringify(bad)));
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.field)).toContain('delta');
    }
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
    expect(decodeHashtagDelta(encodeHashtagDelta(delta))).toEqual(delta);
    const withDisplay = { ...delta, delta: 1 as const, display: 'Café' };
    expect(decodeHashtagDelta(encodeHashtagDelta(withDisplay))).toEqual(withDisplay);
  });
});
