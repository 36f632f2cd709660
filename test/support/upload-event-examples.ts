import { EVENT_TYPES, type EventType } from '../../schemas/events';

export const T = '2026-01-01T00:00:00Z';

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
export const ALL_VALID = Object.values(VALID).flat();

export const base = (type: EventType) => structuredClone(VALID[type][0]!) as Record<string, unknown>;
export function withField(type: EventType, dotted: string, value: unknown): Record<string, unknown> {
  const event = base(type);
  const keys = dotted.split('.');
  let target = event;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  if (value === undefined) delete target[keys.at(-1)!];
  else target[keys.at(-1)!] = value;
  return event;
}

type Case = [name: string, input: unknown, expected: [field: string, reason: string][]];
export const ID = '64-bit unsigned decimal id';
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

/** Shared by the zod and the JSON Schema suites, so both are held to the same cases. */
export const INVALID: Case[] = [
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
