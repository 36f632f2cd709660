import { z } from 'zod';
import { EVENT_TYPES, eventSchemaByType, uploadEventSchema } from './upload-event';

export interface JsonSchemaFile {
  /** File name inside schemas/json, e.g. `post.published.schema.json`. */
  fileName: string;
  /** Pretty-printed JSON with a trailing newline. */
  content: string;
}

export const UNION_SCHEMA_FILE = 'upload-event.schema.json';

const KEYWORD_ORDER = [
  '$schema',
  '$id',
  'title',
  'description',
  'type',
  'const',
  'enum',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'properties',
  'required',
  'additionalProperties',
  'dependentRequired',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
  'items',
  '$defs',
];
const RANK = new Map(KEYWORD_ORDER.map((keyword, i) => [keyword, i]));
// Values that are data, not schemas: copied as they are.
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'required']);

function compareKeywords(a: string, b: string): number {
  const ra = RANK.get(a) ?? KEYWORD_ORDER.length;
  const rb = RANK.get(b) ?? KEYWORD_ORDER.length;
  return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Puts keywords in a fixed, readable order so the files do not churn when
 * zod changes its emission order. `properties` keeps declaration order,
 * which is the order the README documents.
 */
function orderKeys(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(orderKeys);
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort(compareKeywords)) {
    const value = source[key];
    if (DATA_KEYWORDS.has(key)) {
      out[key] = value;
    } else if (key === 'properties' || key === '$defs') {
      const names = Object.keys(value as object);
      if (key === '$defs') names.sort();
      out[key] = Object.fromEntries(
        names.map((name) => [name, orderKeys((value as Record<string, unknown>)[name])]),
      );
    } else if (key === 'dependentRequired') {
      const map = value as Record<string, unknown>;
      out[key] = Object.fromEntries(
        Object.keys(map)
          .sort()
          .map((name) => [name, map[name]]),
      );
    } else {
      out[key] = orderKeys(value);
    }
  }
  return out;
}

function render(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    // The files describe what producers send.
    io: 'input',
    // Refinements are skipped silently; anything else zod cannot express must fail loudly.
    unrepresentable: 'throw',
  });
  return `${JSON.stringify(orderKeys(json), null, 2)}\n`;
}

/** The JSON Schema files for the union and for each event type, generated from the zod schemas. */
export function jsonSchemaFiles(): JsonSchemaFile[] {
  return [
    { fileName: UNION_SCHEMA_FILE, content: render(uploadEventSchema) },
    ...EVENT_TYPES.map((type) => ({
      fileName: `${type}.schema.json`,
      content: render(eventSchemaByType[type]),
    })),
  ];
}
