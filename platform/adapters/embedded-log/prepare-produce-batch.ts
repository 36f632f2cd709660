import { ValidationError } from '../../errors';
import { murmur2, partitionForHash } from '../../partition-for-key';
import type { ProducedRecord } from '../../ports/event-log';
import { type EncodableRecord, HEADER_BYTES } from './record-codec';

/** Largest record (header, key and value) the log accepts. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** In `u` mode a well-formed surrogate pair is one code point, so this only matches lone halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export interface ProduceBatch {
  /** Records per partition, in input order. */
  byPartition: EncodableRecord[][];
  /** For input record i: its partition and its index within that partition's list. */
  partitionOf: Uint32Array;
  indexInPartition: Uint32Array;
}

/**
 * Checks every record before anything is written (bad input is a
 * ValidationError naming `[i].field`), encodes the keys once, and groups
 * records by the partition their key hashes to.
 */
export function prepareProduceBatch(records: unknown, partitions: number, now: number): ProduceBatch {
  if (!Array.isArray(records)) {
    throw new ValidationError('produce expects an array of records', [
      { field: 'records', reason: 'not an array' },
    ]);
  }
  const byPartition: EncodableRecord[][] = Array.from({ length: partitions }, () => []);
  const partitionOf = new Uint32Array(records.length);
  const indexInPartition = new Uint32Array(records.length);
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
    if (timestamp !== undefined && !Number.isSafeInteger(timestamp)) {
      throw new ValidationError(`record [${i}] timestamp must be an integer of milliseconds`, [
        { field: `[${i}].timestamp`, reason: 'not a safe integer' },
      ]);
    }
    const keyBytes = Buffer.from(key, 'utf8');
    if (HEADER_BYTES + keyBytes.length + value.length > MAX_RECORD_BYTES) {
      throw new ValidationError(`record [${i}] is larger than ${MAX_RECORD_BYTES} bytes`, [
        { field: `[${i}].value`, reason: `record exceeds ${MAX_RECORD_BYTES} bytes` },
      ]);
    }
    const partition = partitionForHash(murmur2(keyBytes), partitions);
    const list = byPartition[partition];
    partitionOf[i] = partition;
    indexInPartition[i] = list.length;
    list.push({ keyBytes, value, timestamp: timestamp ?? now });
  }
  return { byPartition, partitionOf, indexInPartition };
}
