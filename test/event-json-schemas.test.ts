import { mkdtemp, readFile, readdir, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EVENT_TYPES, type EventType } from '../schemas/events';
import { jsonSchemaFiles } from '../schemas/events/json-schema-files';
import { checkJsonSchemas, writeJsonSchemas } from '../scripts/export-json-schemas';
import { ALL_VALID, INVALID } from './support/upload-event-examples';

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
