import { ValidationError } from '../errors';
import type { ProducedRecord } from './event-log';

/** In `u` mode a well-formed surrogate pair is one code point, so this only matches lone halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The argument of `produce`, checked to be an array before any record is looked at. */
export function requireRecordArray(records: unknown): unknown[] {
  if (!Array.isArray(records)) {
    throw new ValidationError('produce expects an array of records', [
      { field: 'records', reason: 'not an array' },
    ]);
  }
  return records;
}

/**
 * Checks record `i` of a `produce` call the same way in every event-log
 * adapter; a ValidationError names `[i].field`. Kafka reserves negative
 * timestamps, so its adapter asks for non-negative ones.
 */
export function checkProducedRecord(
  input: unknown,
  i: number,
  options: { nonNegativeTimestamp?: boolean } = {},
): ProducedRecord {
  const record = input as ProducedRecord | null | undefined;
  if (record === null || typeof record !== 'object') {
    throw new ValidationError(`record [${i}] is not an object`, [
      { field: `[${i}]`, reason: 'not an object' },
    ]);
  }
  const { key, value, timestamp } = record;
  if (typeof key !== 'string') {
    throw new ValidationError(`record [${i}] key must be a string`, [
      { field: `[${i}].key`, reason: 'not a string' },
    ]);
  }
  if (LONE_SURROGATE.test(key)) {
    throw new ValidationError(`record [${i}] key contains a lone surrogate`, [
      { field: `[${i}].key`, reason: 'not well-formed UTF-16, so it cannot round-trip through UTF-8' },
    ]);
  }
  if (!(value instanceof Uint8Array)) {
    throw new ValidationError(`record [${i}] value must be a Buffer`, [
      { field: `[${i}].value`, reason: 'not a Buffer' },
    ]);
  }
  if (options.nonNegativeTimestamp) {
    if (timestamp !== undefined && (!Number.isSafeInteger(timestamp) || timestamp < 0)) {
      throw new ValidationError(`record [${i}] timestamp must be a non-negative integer of milliseconds`, [
        { field: `[${i}].timestamp`, reason: 'not a non-negative safe integer (Kafka reserves negatives)' },
      ]);
    }
  } else if (timestamp !== undefined && !Number.isSafeInteger(timestamp)) {
    throw new ValidationError(`record [${i}] timestamp must be an integer of milliseconds`, [
      { field: `[${i}].timestamp`, reason: 'not a safe integer' },
    ]);
  }
  return record;
}
