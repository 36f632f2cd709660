import fc from 'fast-check';
import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ValidationError, type FieldIssue } from '../platform/errors';
import {
  EVENT_TYPES,
  decodeEvent,
  encodeEvent,
  parseEvent,
  parseEvents,
  safeParseEvent,
  type EventType,
  type UploadEvent,
} from '../schemas/events';
import { codePointLength } from '../schemas/events/bounded-text';
import { jsonSchemaFiles } from '../schemas/events/json-schema-files';
import { checkJsonSchemas, writeJsonSchemas } from '../scripts/export-json-schemas';

const MAX_U64 = 2n ** 64n - 1n;
const T = '2026-01-01T00:00:00Z';

/** One hand-written valid event per type, the minimal form first where a type has optional fields. */
const VALID: Record<EventType, Record<string, unknown>[]> = {
  'post.published': [
    {
      type: 'post.published',
      eventId: 'e-1',
      occurredAt: T,
      post: { id: '101', authorId: '7', caption: 'sunset #beach', imageUrl: '/media/101.svg', createdAt: T },
    },
    {
      type: 'post.published',
      eventId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      occurredAt: '2026-03-04T05:06:07.123+05:30',
      post: {
        id: '18446744073709551615',
        authorId: '0',
        caption: '🌅'.repeat(2200),
        imageUrl: 'https://cdn.example.com:8443/p/1.jpg?w=640#x',
        locationId: '42',
        createdAt: '2024-02-29T23:59:59-08:00',
      },
    },
  ],
  'post.updated': [{ type: 'post.updated', eventId: 'e-2', occurredAt: T, post: { id: '101', caption: '' } }],
  'post.deleted': [{ type: 'post.deleted', eventId: 'e-1', occurredAt: T, postId: '123' }],
  'user.upserted': [
    {
      type: 'user.upserted',
      eventId: 'u:7',
      occurredAt: T,
      user: { id: '7', username: 'a'.repeat(30), fullName: 'Zoë Ångström', isPrivate: false },
    },
    {
      type: 'user.upserted',
      eventId: 'x'.repeat(128),
      occurredAt: T,
      user: { id: '8', username: 'j.doe_99', fullName: '', isPrivate: true },
    },
  ],
  'follow.added': [{ type: 'follow.added', eventId: 'f1', occurredAt: T, followerId: '7', followeeId: '8' }],
  'follow.removed': [
    { type: 'follow.removed', eventId: 'f2', occurredAt: T, followerId: '8', followeeId: '7' },
  ],
  'location.upserted': [
    { type: 'location.upserted', eventId: 'l1', occurredAt: T, location: { id: '42', name: 'Lisbon' } },
    {
      type: 'location.upserted',
      eventId: 'l2',
      occurredAt: T,
      location: { id: '43', name: 'x'.repeat(128), lat: -90, lon: 180 },
    },
  ],
};
const ALL_VALID = Object.values(VALID).flat();

const base = (type: EventType) => structuredClone(VALID[type][0]!) as Record<string, unknown>;
function withField(type: EventType, dotted: string, value: unknown): Record<string, unknown> {
  const event = base(type);
  const keys = dotted.split('.');
  let target = event;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return event;
}

/** The ValidationError `fn` throws; fails the test if it throws nothing or something else. */
function thrown(fn: () => unknown): ValidationError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return err as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

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

type Case = [name: string, input: unknown, expected: [field: string, reason: string][]];
const ID = '64-bit unsigned decimal id';
const types = EVENT_TYPES.join(', ');

/** Cases that set one field and expect one issue on that same field: [name, type, field, value, reason]. */
const ONE_FIELD: [string, EventType, string, unknown, string][] = [
  ['id as a number', 'post.published', 'post.authorId', 123, `${ID} string, got a number`],
  ['id with a leading zero', 'post.published', 'post.id', '0123', 'no leading zeros'],
  ['id "00"', 'post.deleted', 'postId', '00', 'no leading zeros'],
  ['negative id', 'post.deleted', 'postId', '-1', 'no sign'],
  ['id 2^64', 'post.deleted', 'postId', '18446744073709551616', 'at most 18446744073709551615'],
  ['21-digit id', 'post.deleted', 'postId', '100000000000000000000', ID],
  ['id in exponent form', 'post.deleted', 'postId', '1e3', 'digits 0-9 only'],
  ['id with a space', 'post.deleted', 'postId', ' 1', 'digits 0-9 only'],
  ['empty id', 'post.deleted', 'postId', '', 'empty string'],
  ['null locationId', 'post.published', 'post.locationId', null, 'got null'],
  ['missing caption', 'post.published', 'post.caption', undefined, 'is required'],
  ['missing eventId', 'post.deleted', 'eventId', undefined, 'is required'],
  ['missing payload', 'user.upserted', 'user', undefined, 'is required'],
  ['missing type', 'post.deleted', 'type', undefined, `is required; expected one of ${types}`],
  ['type not a string', 'post.deleted', 'type', 3, 'must be a string, got a number'],
  [
    'unknown type',
    'post.deleted',
    'type',
    'post.created',
    `unknown event type "post.created"; expected one of ${types}`,
  ],
  ['date without time', 'post.deleted', 'occurredAt', '2026-01-01', 'ISO-8601'],
  ['date-time without zone', 'post.deleted', 'occurredAt', '2026-01-01T00:00:00', 'offset or Z'],
  ['impossible date', 'post.deleted', 'occurredAt', '2026-02-30T00:00:00Z', 'ISO-8601'],
  ['epoch millis createdAt', 'post.published', 'post.createdAt', 1767225600000, 'ISO-8601'],
  ['empty location name', 'location.upserted', 'location.name', '', 'must not be empty'],
  ['self-follow', 'follow.added', 'followeeId', '7', 'cannot follow themselves'],
  ['self-unfollow', 'follow.removed', 'followeeId', '8', 'must differ from followerId'],
  ['caption of 2201 chars', 'post.updated', 'post.caption', 'x'.repeat(2201), 'at most 2200 characters'],
  ['username with a space', 'user.upserted', 'user.username', 'bad name', 'may contain only letters'],
  ['username with a dash', 'user.upserted', 'user.username', 'a-b', 'may contain only'],
  ['empty username', 'user.upserted', 'user.username', '', 'must not be empty'],
  ['31-char username', 'user.upserted', 'user.username', 'a'.repeat(31), 'at most 30'],
  ['65-char fullName', 'user.upserted', 'user.fullName', 'é'.repeat(65), 'at most 64'],
  ['isPrivate as a string', 'user.upserted', 'user.isPrivate', 'yes', 'must be a boolean, got a string'],
  ['eventId with a space', 'post.deleted', 'eventId', 'e 1', 'printable ASCII'],
  ['eventId with a newline', 'post.deleted', 'eventId', 'e1\n', 'printable ASCII'],
  ['empty eventId', 'post.deleted', 'eventId', '', 'must not be empty'],
  ['129-char eventId', 'post.deleted', 'eventId', 'x'.repeat(129), 'at most 128'],
  ['ftp imageUrl', 'post.published', 'post.imageUrl', 'ftp://h/x.jpg', 'absolute http(s) URL'],
  ['relative imageUrl', 'post.published', 'post.imageUrl', 'media/x.svg', 'starting with a single "/"'],
  ['protocol-relative imageUrl', 'post.published', 'post.imageUrl', '//evil.example/x.svg', 'http(s)'],
  ['backslash imageUrl', 'post.published', 'post.imageUrl', '/\\evil.example', 'http(s)'],
  ['imageUrl with a bad host', 'post.published', 'post.imageUrl', 'http://[::1/x', 'http(s)'],
  ['imageUrl too long', 'post.published', 'post.imageUrl', `/${'a'.repeat(2048)}`, 'at most 2048'],
];

const INVALID: Case[] = [
  ...ONE_FIELD.map(([name, type, field, value, reason]): Case => [
    name,
    withField(type, field, value),
    [[field, reason]],
  ]),
  ['extra top-level field', { ...base('post.deleted'), userId: '1' }, [['userId', 'is not a known field']]],
  [
    'typo in a nested field',
    withField('post.updated', 'post', { id: '1', captoin: 'x' }),
    [
      ['post.caption', 'is required'],
      ['post.captoin', 'is not a known field'],
    ],
  ],
  ['odd unknown key is quoted', { ...base('post.deleted'), 'a.b': 1 }, [['["a.b"]', 'is not a known field']]],
  [
    'lat without lon',
    withField('location.upserted', 'location.lat', 10),
    [['location.lon', 'come together']],
  ],
  [
    'lon without lat',
    withField('location.upserted', 'location.lon', 10),
    [['location.lat', 'when lon is given']],
  ],
  [
    'lat out of range',
    withField('location.upserted', 'location', { id: '1', name: 'x', lat: 90.5, lon: 0 }),
    [['location.lat', 'between -90 and 90']],
  ],
  [
    'lon out of range',
    withField('location.upserted', 'location', { id: '1', name: 'x', lat: 0, lon: -181 }),
    [['location.lon', 'between -180 and 180']],
  ],
  ['null input', null, [['', 'must be an object, got null']]],
  ['array input', [base('post.deleted')], [['', 'must be an object, got an array']]],
  ['string input', JSON.stringify(base('post.deleted')), [['', 'got a string']]],
  ['undefined input', undefined, [['', 'must be an object, got undefined']]],
];

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

describe('event codec', () => {
  it.each(ALL_VALID.map((e) => [e.type, e] as const))('round-trips %s', (_type, event) => {
    const buf = encodeEvent(event as UploadEvent);
    expect(Buffer.isBuffer(buf)).toBe(true);
    expect(JSON.parse(buf.toString('utf8'))).toEqual(event);
    expect(decodeEvent(buf)).toEqual(event);
  });

  it('writes UTF-8 in schema key order whatever the input order', () => {
    const shuffled = {
      user: { isPrivate: false, fullName: 'Zoë', username: 'zoe', id: '7' },
      occurredAt: T,
      eventId: 'e',
      type: 'user.upserted',
    } as UploadEvent;
    const expected =
      '{"type":"user.upserted","eventId":"e","occurredAt":"2026-01-01T00:00:00Z",' +
      '"user":{"id":"7","username":"zoe","fullName":"Zo\u00eb","isPrivate":false}}';
    expect(encodeEvent(shuffled)).toEqual(Buffer.from(expected, 'utf8'));
    expect(encodeEvent(shuffled).includes(Buffer.from([0xc3, 0xab]))).toBe(true);
  });

  it('refuses to encode an invalid event', () => {
    expect(() => encodeEvent({ ...base('post.deleted'), postId: '01' } as UploadEvent)).toThrow(
      ValidationError,
    );
  });

  it.each([
    ['truncated JSON', Buffer.from('{"type":"post.deleted",'), 'malformed JSON'],
    ['empty buffer', Buffer.alloc(0), 'malformed JSON'],
    ['not JSON at all', Buffer.from('post.deleted 123'), 'malformed JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]), 'UTF-8'],
    ['oversized', Buffer.alloc(64 * 1024 + 1, 0x20), 'limit is 65536'],
  ])('decode rejects %s at the root', (_name, buf, reason) => {
    expect(thrown(() => decodeEvent(buf)).issues).toEqual([
      { field: '', reason: expect.stringContaining(reason) },
    ]);
  });

  it('decode reports field issues of well-formed JSON', () => {
    const buf = Buffer.from(JSON.stringify({ ...base('follow.added'), followeeId: '7' }));
    expect(() => decodeEvent(buf)).toThrow(
      expect.objectContaining({
        issues: [{ field: 'followeeId', reason: expect.stringContaining('follow') }],
      }),
    );
  });
});

// A small JSON Schema checker covering the keywords our files use: an oracle independent of zod.
type Schema = Record<string, unknown>;
function conforms(schema: Schema, value: unknown): boolean {
  if (schema.oneOf) return (schema.oneOf as Schema[]).filter((s) => conforms(s, value)).length === 1;
  const t = schema.type;
  if (t === 'object') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const obj = value as Record<string, unknown>;
    const props = (schema.properties ?? {}) as Record<string, Schema>;
    if ((schema.required as string[]).some((k) => !(k in obj))) return false;
    if (schema.additionalProperties === false && Object.keys(obj).some((k) => !(k in props))) return false;
    const dependent = (schema.dependentRequired ?? {}) as Record<string, string[]>;
    if (Object.entries(dependent).some(([k, needs]) => k in obj && needs.some((n) => !(n in obj))))
      return false;
    return Object.entries(obj).every(([k, v]) => conforms(props[k]!, v));
  }
  if (t === 'string') {
    if (typeof value !== 'string') return false;
    const length = [...value].length;
    if (schema.const !== undefined && value !== schema.const) return false;
    if (typeof schema.minLength === 'number' && length < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) return false;
    return typeof schema.pattern !== 'string' || new RegExp(schema.pattern, 'u').test(value);
  }
  if (t === 'number') {
    if (typeof value !== 'number') return false;
    return !(value < (schema.minimum as number) || value > (schema.maximum as number));
  }
  if (t === 'boolean') return typeof value === 'boolean';
  throw new Error(`checker does not know ${JSON.stringify(schema)}`);
}

/** Required keys per type, written out by hand: top level, then the nested payload. */
const REQUIRED: Record<EventType, [string[], string, string[]] | [string[]]> = {
  'post.published': [
    ['type', 'eventId', 'occurredAt', 'post'],
    'post',
    ['id', 'authorId', 'caption', 'imageUrl', 'createdAt'],
  ],
  'post.updated': [['type', 'eventId', 'occurredAt', 'post'], 'post', ['id', 'caption']],
  'post.deleted': [['type', 'eventId', 'occurredAt', 'postId']],
  'user.upserted': [
    ['type', 'eventId', 'occurredAt', 'user'],
    'user',
    ['id', 'username', 'fullName', 'isPrivate'],
  ],
  'follow.added': [['type', 'eventId', 'occurredAt', 'followerId', 'followeeId']],
  'follow.removed': [['type', 'eventId', 'occurredAt', 'followerId', 'followeeId']],
  'location.upserted': [['type', 'eventId', 'occurredAt', 'location'], 'location', ['id', 'name']],
};

describe('JSON Schema', () => {
  const repoDir = path.join(__dirname, '..', 'schemas', 'json');
  const fresh = jsonSchemaFiles();
  const parsed = new Map(fresh.map((f) => [f.fileName, JSON.parse(f.content) as Schema]));
  const union = parsed.get('upload-event.schema.json')!;

  it('committed files equal a fresh generation (run scripts/export-json-schemas.ts if not)', async () => {
    const onDisk = (await readdir(repoDir)).filter((f) => f.endsWith('.schema.json')).sort();
    expect(onDisk).toEqual(fresh.map((f) => f.fileName).sort());
    for (const file of fresh)
      expect(await readFile(path.join(repoDir, file.fileName), 'utf8')).toBe(file.content);
  });

  it('has a union file and one file per type, draft 2020-12, ending in a newline', () => {
    expect(fresh.map((f) => f.fileName)).toEqual([
      'upload-event.schema.json',
      ...EVENT_TYPES.map((t) => `${t}.schema.json`),
    ]);
    for (const file of fresh) {
      expect(file.content.endsWith('}\n')).toBe(true);
      expect(JSON.parse(file.content).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
    const branches = union.oneOf as Schema[];
    expect(branches.map((b) => (b.properties as Record<string, Schema>).type!.const)).toEqual([
      ...EVENT_TYPES,
    ]);
    for (const [i, type] of EVENT_TYPES.entries()) {
      const { $schema: _ignored, ...single } = parsed.get(`${type}.schema.json`)!;
      expect(single).toEqual(branches[i]);
    }
  });

  it.each([...EVENT_TYPES])('%s requires exactly the mandatory fields', (type) => {
    const schema = parsed.get(`${type}.schema.json`)!;
    const [top, nestedKey, nested] = REQUIRED[type];
    expect(schema.required).toEqual(top);
    expect(schema.additionalProperties).toBe(false);
    if (nestedKey !== undefined) {
      const inner = (schema.properties as Record<string, Schema>)[nestedKey]!;
      expect(inner.required).toEqual(nested);
      expect(inner.additionalProperties).toBe(false);
    }
  });

  it.each(ALL_VALID.map((e) => [e.type, e] as const))(
    'valid %s conforms to the union and its own file',
    (type, event) => {
      expect(conforms(union, event)).toBe(true);
      expect(conforms(parsed.get(`${type}.schema.json`)!, event)).toBe(true);
    },
  );

  // Range beyond the digit pattern and cross-field or parser checks are enforced by zod only.
  const zodOnly = new Set(['id 2^64', 'self-follow', 'self-unfollow', 'imageUrl with a bad host']);
  it.each(INVALID.filter(([name]) => !zodOnly.has(name)))('%s fails the union schema', (_name, input) => {
    expect(conforms(union, input)).toBe(false);
  });
});

describe('export script', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'event-schemas-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes, detects stale, missing and extra files, and repairs them', async () => {
    expect(await checkJsonSchemas(dir)).toEqual({
      stale: [],
      missing: jsonSchemaFiles().map((f) => f.fileName),
      extra: [],
    });
    const first = await writeJsonSchemas(dir);
    expect(first.written).toHaveLength(EVENT_TYPES.length + 1);
    expect(await checkJsonSchemas(dir)).toEqual({ stale: [], missing: [], extra: [] });

    await writeFile(path.join(dir, 'post.deleted.schema.json'), '{}\n');
    await unlink(path.join(dir, 'follow.added.schema.json'));
    await writeFile(path.join(dir, 'post.archived.schema.json'), '{}\n');
    await writeFile(path.join(dir, 'notes.txt'), 'not ours\n');
    expect(await checkJsonSchemas(dir)).toEqual({
      stale: ['post.deleted.schema.json'],
      missing: ['follow.added.schema.json'],
      extra: ['post.archived.schema.json'],
    });

    const second = await writeJsonSchemas(dir);
    expect(second.written.sort()).toEqual(['follow.added.schema.json', 'post.deleted.schema.json']);
    expect(second.removed).toEqual(['post.archived.schema.json']);
    expect(await checkJsonSchemas(dir)).toEqual({ stale: [], missing: [], extra: [] });
    expect((await readdir(dir)).sort()).toContain('notes.txt');
  });
});
