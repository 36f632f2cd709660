import { ValidationError } from '../../platform/errors';
import { describeValue } from './describe-value';
import { EVENT_FIELD_LIMITS } from './event-field-limits';
import { parseEvent } from './parse-event';
import type { UploadEvent } from './upload-event';

const MAX_BYTES = EVENT_FIELD_LIMITS.encodedEventMaxBytes;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function rejectWhole(reason: string, cause?: unknown): ValidationError {
  return new ValidationError('invalid event', [{ field: '', reason }], { cause });
}

/**
 * Serialises an event as UTF-8 JSON. The event is validated first so a
 * producer bug never reaches the topic; keys come out in schema order, so
 * equal events encode to equal bytes.
 */
export function encodeEvent(event: UploadEvent): Buffer {
  return Buffer.from(JSON.stringify(parseEvent(event)), 'utf8');
}

/** Parses and validates one record value; throws ValidationError for bad bytes, JSON or fields. */
export function decodeEvent(buf: Uint8Array): UploadEvent {
  if (!(buf instanceof Uint8Array)) throw rejectWhole(`must be a Buffer, got ${describeValue(buf)}`);
  if (buf.byteLength > MAX_BYTES) {
    throw rejectWhole(`event is ${buf.byteLength} bytes; the limit is ${MAX_BYTES}`);
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch (err) {
    throw rejectWhole('is not valid UTF-8', err);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw rejectWhole(`malformed JSON: ${(err as Error).message}`, err);
  }
  return parseEvent(json);
}
