import { z } from 'zod';
import { ValidationError } from '../platform/errors';
import { toFieldIssues } from '../schemas/events/field-issues';

/**
 * A POST_HASHTAG record: one post gained (+1) or lost (−1) one hashtag.
 * `source` and `seq` identify the upload event it came from: `seq` grows
 * strictly within a source partition, so a consumer that remembers the
 * highest seq it applied per source can drop the duplicates a producer
 * re-sends after a crash.
 */
export const hashtagDeltaSchema = z
  .object({
    tag: z.string().min(1),
    postId: z.string().min(1),
    delta: z.union([z.literal(1), z.literal(-1)]),
    /** Source partition of POST_PUBLISH. */
    source: z.number().int().nonnegative(),
    /** sourceOffset × 128 + index of the delta within its event. */
    seq: z.number().int().nonnegative(),
    /** When the upload event occurred, ms since the epoch (trending windows use it). */
    at: z.number().int().nonnegative(),
    /** The spelling in the caption, on +1 deltas: the counter's fallback while the name is not yet stored. */
    display: z.string().min(1).optional(),
  })
  .strict();

export type HashtagDelta = z.infer<typeof hashtagDeltaSchema>;

export const MAX_DELTAS_PER_EVENT = 128;

export function deltaSeq(sourceOffset: number, index: number): number {
  if (index >= MAX_DELTAS_PER_EVENT) throw new RangeError(`at most ${MAX_DELTAS_PER_EVENT} deltas per event`);
  return sourceOffset * MAX_DELTAS_PER_EVENT + index;
}

export function encodeHashtagDelta(d: HashtagDelta): Buffer {
  return Buffer.from(JSON.stringify(d));
}

/**
 * Counters and trending each decode every delta, so a well-formed one is
 * checked by hand against the schema's rules; anything else goes through the
 * schema, which rejects it with the field and the reason.
 */
export function decodeHashtagDelta(buf: Buffer): HashtagDelta {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new ValidationError(INVALID, [{ field: '', reason: `malformed JSON: ${(err as Error).message}` }], {
      cause: err,
    });
  }
  if (isHashtagDelta(value)) return value;
  const parsed = hashtagDeltaSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(INVALID, toFieldIssues(parsed.error.issues));
}

const INVALID = 'invalid POST_HASHTAG record';

/**
 * The schema's rules, written out: true must mean the schema accepts the
 * value unchanged. Unknown keys fail the loop; missing ones fail their checks.
 */
function isHashtagDelta(value: unknown): value is HashtagDelta {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  for (const key in v) if (!FIELDS.has(key)) return false;
  const display = v['display'];
  return (
    typeof v['tag'] === 'string' &&
    v['tag'].length > 0 &&
    typeof v['postId'] === 'string' &&
    v['postId'].length > 0 &&
    (v['delta'] === 1 || v['delta'] === -1) &&
    isCount(v['source']) &&
    isCount(v['seq']) &&
    isCount(v['at']) &&
    (display === undefined || (typeof display === 'string' && display.length > 0))
  );
}

const FIELDS = new Set(Object.keys(hashtagDeltaSchema.shape));

function isCount(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
