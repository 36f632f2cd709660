import fc from 'fast-check';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError, type FieldIssue } from '../platform/errors';
import { EVENT_TYPES, parseEvent, parseEvents, safeParseEvent } from '../schemas/events';
import { codePointLength } from '../schemas/events/bounded-text';
import { ALL_VALID, ID, INVALID, base, withField } from './support/upload-event-examples';
import { thrown } from './support/thrown-validation-error';

const MAX_U64 = 2n ** 64n - 1n;

function issuesOf(input: unknown): FieldIssue[] {
  const result = safeParseEvent(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.issues;
}

describe('valid events', () => {
  it('has an example of every type and of nothing else', () => {
    expect([...EVENT_TYPES].sort()).toEqual(
      [
        'follow.added',
        'follow.removed',
        'location.upserted',
        'post.deleted',
        'post.published',
        'post.updated',
        'user.upserted',
      ].sort(),
    );
  });

  it.each(ALL_VALID.map((e) => [e.type, e] as const))('parses %s unchanged', (_type, event) => {
    expect(parseEvent(event)).toEqual(event);
    expect(safeParseEvent(event)).toEqual({ ok: true, event });
  });

  it('accepts every id from 0 to 2^64-1 and refuses everything above', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX_U64 * 2n }), (n) => {
        const result = safeParseEvent({ ...base('post.deleted'), postId: n.toString() });
        expect(result.ok).toBe(n <= MAX_U64);
      }),
    );
  });

  it('counts caption length in code points', () => {
    const char = fc.constantFrom('a', 'é', '🌅', '\n', '漢');
    fc.assert(
      fc.property(fc.integer({ min: 2190, max: 2210 }), char, (n, c) => {
        const result = safeParseEvent(withField('post.updated', 'post.caption', c.repeat(n)));
        expect(result.ok).toBe(n <= 2200);
      }),
      { numRuns: 50 },
    );
    // Oracle: the string iterator walks code points and keeps lone surrogates as one each.
    const utf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 40 });
    fc.assert(
      fc.property(utf16, (units) => {
        const text = String.fromCharCode(...units);
        expect(codePointLength(text)).toBe([...text].length);
      }),
    );
  });
});

describe('invalid events', () => {
  it.each(INVALID)('rejects %s', (_name, input, expected) => {
    const issues = issuesOf(input);
    expect(issues.map((i) => i.field).sort()).toEqual(expected.map(([field]) => field).sort());
    for (const [field, reason] of expected) {
      expect(issues.find((i) => i.field === field)!.reason).toContain(reason);
    }
  });

  it('throws a ValidationError naming the field', () => {
    const input = withField('post.published', 'post.authorId', '007');
    const err = thrown(() => parseEvent(input));
    expect(err.message).toBe('invalid event');
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.retriable).toBe(false);
    expect(err.issues).toEqual([{ field: 'post.authorId', reason: `must be a ${ID} (no leading zeros)` }]);
  });

  it('does not call two equal bad ids a self-follow', () => {
    const input = { ...base('follow.added'), followerId: '01', followeeId: '01' };
    expect(issuesOf(input).map((i) => i.field)).toEqual(['followerId', 'followeeId']);
  });

  it('reports every bad field of one event', () => {
    const input = {
      ...base('post.published'),
      eventId: '',
      post: { id: '01', authorId: 5, caption: 'x', imageUrl: 'nope', createdAt: 'yesterday' },
    };
    expect(issuesOf(input).map((i) => i.field)).toEqual([
      'eventId',
      'post.id',
      'post.authorId',
      'post.imageUrl',
      'post.createdAt',
    ]);
  });
});

describe('schemas/README.md', () => {
  it('has a valid example of every event type', async () => {
    const readme = await readFile(path.join(__dirname, '..', 'schemas', 'README.md'), 'utf8');
    const examples = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!) as unknown);
    const parsed = examples.map((e) => parseEvent(e));
    expect(parsed.map((e) => e.type).sort()).toEqual([...EVENT_TYPES].sort());
  });
});

describe('parseEvents', () => {
  it('returns the events of a valid batch in order', () => {
    expect(parseEvents(ALL_VALID)).toEqual(ALL_VALID);
    expect(parseEvents([])).toEqual([]);
  });

  it('reports every failing index with prefixed fields', () => {
    const batch = [
      base('post.deleted'),
      withField('post.deleted', 'postId', '01'),
      base('follow.added'),
      withField('post.published', 'post.id', '-5'),
      42,
      { ...base('follow.added'), type: 'follow.blocked' },
    ];
    const err = thrown(() => parseEvents(batch));
    expect(err.message).toContain('4 of 6');
    expect(err.issues.map((i) => i.field)).toEqual(['[1].postId', '[3].post.id', '[4]', '[5].type']);
    expect(err.issues[2]!.reason).toBe('must be an object, got a number');
  });

  it('refuses a non-array', () => {
    expect(() => parseEvents({} as unknown as unknown[])).toThrow(ValidationError);
  });
});
