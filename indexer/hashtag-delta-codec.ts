import { ValidationError, type FieldIssue } from '../platform/errors';
import type { ProducedRecord } from '../platform/ports/event-log';
import { toFieldIssues } from '../schemas/events/field-issues';
import { hashtagDeltaSchema, type HashtagDelta } from './hashtag-delta';

/**
 * POST_HASHTAG record values. The tag is the record's key (the topic is
 * keyed by it), so the value holds the rest, little-endian:
 *
 *   0  u8   format (2)
 *   1  i8   delta (+1 or -1)
 *   2  u16  source partition
 *   4  f64  seq
 *  12  f64  at (ms since the epoch)
 *  20  u16  postId bytes, then postId (UTF-8)
 *   …  u16  display bytes (0: none), then display (UTF-8)
 *
 * Both consumers decode every record, and JSON parsing was most of their
 * time. Format 1, the JSON object with the tag inside, is still read, so a
 * log written before stays readable.
 */
export const HASHTAG_DELTA_FORMAT = 2;
const FIXED_BYTES = 22;
const MAX_U16 = 0xffff;
const INVALID = 'invalid POST_HASHTAG record';

export function encodeHashtagDelta(d: HashtagDelta): Buffer {
  // Field by field rather than through the schema: the index consumer encodes every delta.
  const { postId, display } = d;
  if (
    typeof d.tag !== 'string' ||
    d.tag.length === 0 ||
    typeof postId !== 'string' ||
    postId.length === 0 ||
    (d.delta !== 1 && d.delta !== -1) ||
    !isCount(d.source) ||
    d.source > MAX_U16 ||
    !isCount(d.seq) ||
    !isCount(d.at) ||
    (display !== undefined && (typeof display !== 'string' || display.length === 0))
  ) {
    throw new ValidationError(INVALID, encodeIssues(d));
  }
  const postIdBytes = Buffer.byteLength(postId, 'utf8');
  const displayBytes = display === undefined ? 0 : Buffer.byteLength(display, 'utf8');
  if (postIdBytes > MAX_U16 || displayBytes > MAX_U16) throw new ValidationError(INVALID, encodeIssues(d));
  const buf = Buffer.allocUnsafe(FIXED_BYTES + postIdBytes + 2 + displayBytes);
  buf[0] = HASHTAG_DELTA_FORMAT;
  buf[1] = d.delta & 0xff;
  buf.writeUInt16LE(d.source, 2);
  buf.writeDoubleLE(d.seq, 4);
  buf.writeDoubleLE(d.at, 12);
  buf.writeUInt16LE(postIdBytes, 20);
  buf.write(postId, FIXED_BYTES, postIdBytes, 'utf8');
  const at = FIXED_BYTES + postIdBytes;
  buf.writeUInt16LE(displayBytes, at);
  if (display !== undefined) buf.write(display, at + 2, displayBytes, 'utf8');
  return buf;
}

/** Why a delta cannot be encoded: the schema's issues, then the format's limits. */
function encodeIssues(d: HashtagDelta): FieldIssue[] {
  const parsed = hashtagDeltaSchema.safeParse(d);
  if (!parsed.success) return toFieldIssues(parsed.error.issues);
  const issues: FieldIssue[] = [];
  if (d.source > MAX_U16) issues.push({ field: 'source', reason: `must be at most ${MAX_U16}` });
  if (Buffer.byteLength(d.postId) > MAX_U16) {
    issues.push({ field: 'postId', reason: `must be at most ${MAX_U16} bytes` });
  }
  if (d.display !== undefined && Buffer.byteLength(d.display) > MAX_U16) {
    issues.push({ field: 'display', reason: `must be at most ${MAX_U16} bytes` });
  }
  return issues;
}

/** The record the repartition produces for a delta: keyed by its tag. */
export function hashtagDeltaRecord(d: HashtagDelta): ProducedRecord {
  return { key: d.tag, value: encodeHashtagDelta(d) };
}

/**
 * Decodes a POST_HASHTAG record; throws ValidationError naming the field.
 * Anything it returns is what hashtagDeltaSchema accepts.
 */
export function decodeHashtagDelta(record: { key: string; value: Uint8Array }): HashtagDelta {
  const { key, value } = record;
  if (value.length > 0 && value[0] === HASHTAG_DELTA_FORMAT) return decodeBinary(key, value);
  return decodeJson(value);
}

function reject(field: string, reason: string): never {
  throw new ValidationError(INVALID, [{ field, reason }]);
}

function decodeBinary(tag: string, buf: Uint8Array): HashtagDelta {
  if (typeof tag !== 'string' || tag.length === 0) reject('tag', 'the record key must be the tag');
  if (buf.length < FIXED_BYTES + 2) reject('', `${buf.length} bytes is too short`);
  const view = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const delta = view.readInt8(1);
  if (delta !== 1 && delta !== -1) reject('delta', 'must be 1 or -1');
  const source = view.readUInt16LE(2);
  const seq = view.readDoubleLE(4);
  if (!isCount(seq)) reject('seq', 'must be a non-negative integer');
  const at = view.readDoubleLE(12);
  if (!isCount(at)) reject('at', 'must be a non-negative integer');
  const postIdBytes = view.readUInt16LE(20);
  const displayAt = FIXED_BYTES + postIdBytes;
  if (postIdBytes === 0) reject('postId', 'must not be empty');
  if (displayAt + 2 > view.length) reject('postId', 'runs past the end of the record');
  const displayBytes = view.readUInt16LE(displayAt);
  if (displayAt + 2 + displayBytes !== view.length) reject('display', 'length does not match the record');
  const postId = view.toString('utf8', FIXED_BYTES, displayAt);
  if (displayBytes === 0) return { tag, postId, delta, source, seq, at };
  const display = view.toString('utf8', displayAt + 2, displayAt + 2 + displayBytes);
  return { tag, postId, delta, source, seq, at, display };
}

/** Format 1: the whole delta as JSON. Well-formed ones are checked by hand against the schema's rules. */
function decodeJson(buf: Uint8Array): HashtagDelta {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'));
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

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
