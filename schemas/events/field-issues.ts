import type { z } from 'zod';
import type { FieldIssue } from '../../platform/errors';
import { describeValue } from './describe-value';

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array' };

/**
 * Wording for the issues no schema words itself (wrong JSON type, missing
 * field), applied per parse so other users of zod keep its defaults.
 */
export const eventErrorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code !== 'invalid_type') return undefined;
  const atRoot = iss.path === undefined || iss.path.length === 0;
  if (iss.input === undefined && !atRoot) return 'is required';
  return `must be ${ARTICLE[iss.expected] ?? `a ${iss.expected}`}, got ${describeValue(iss.input)}`;
};

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Appends a path segment; odd keys (dots, spaces, huge) are quoted so the field stays unambiguous. */
function appendSegment(field: string, segment: PropertyKey): string {
  if (typeof segment === 'number') return `${field}[${segment}]`;
  const key = String(segment);
  if (IDENTIFIER.test(key) && key.length <= 64) return field === '' ? key : `${field}.${key}`;
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  return `${field}[${JSON.stringify(shown)}]`;
}

/** Turns zod issues into `{ field, reason }`, one per unknown key, with fields under `prefix`. */
export function toFieldIssues(issues: readonly z.core.$ZodIssue[], prefix = ''): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of issues) {
    const field = issue.path.reduce<string>(appendSegment, prefix);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ field: appendSegment(field, key), reason: 'is not a known field' });
    } else {
      out.push({ field, reason: issue.message });
    }
  }
  return out;
}
