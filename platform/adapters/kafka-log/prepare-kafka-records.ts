import type { Message } from 'kafkajs';
import { ValidationError } from '../../errors';
import { murmur2, partitionForHash } from '../../partition-for-key';
import type { ProducedRecord } from '../../ports/event-log';

/** In `u` mode a well-formed surrogate pair is one code point, so this only matches lone halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** Rough per-record framing in a Kafka record batch (varints, attributes, deltas). */
const RECORD_OVERHEAD_BYTES = 24;

export interface PreparedRecord {
  message: Message & { partition: number };
  /** Estimated bytes in a produce request, for splitting large calls. */
  bytes: number;
}

/**
 * Checks every record before anything is sent (bad input is a
 * ValidationError naming `[i].field`) and picks each record's partition with
 * murmur2 over the key's UTF-8 bytes, exactly as the embedded log does.
 * Records without a timestamp get `now`.
 */
export function prepareKafkaRecords(records: unknown, partitions: number, now: number): PreparedRecord[] {
  if (!Array.isArray(records)) {
    throw new ValidationError('produce expects an array of records', [
      { field: 'records', reason: 'not an array' },
    ]);
  }
  const prepared = new Array<PreparedRecord>(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as ProducedRecord | null | undefined;
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
    if (timestamp !== undefined && (!Number.isSafeInteger(timestamp) || timestamp < 0)) {
      throw new ValidationError(`record [${i}] timestamp must be a non-negative integer of milliseconds`, [
        { field: `[${i}].timestamp`, reason: 'not a non-negative safe integer (Kafka reserves negatives)' },
      ]);
    }
    const keyBytes = Buffer.from(key, 'utf8');
    // The port promises a Buffer; a plain Uint8Array is wrapped (no copy) for kafkajs's encoder.
    const bytes = value as Uint8Array;
    const valueBuffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    prepared[i] = {
      message: {
        key: keyBytes,
        value: valueBuffer,
        partition: partitionForHash(murmur2(keyBytes), partitions),
        // Stamped here rather than by kafkajs, which sorts a batch's timestamps as strings.
        timestamp: String(timestamp ?? now),
      },
      bytes: keyBytes.length + value.length + RECORD_OVERHEAD_BYTES,
    };
  }
  return prepared;
}
