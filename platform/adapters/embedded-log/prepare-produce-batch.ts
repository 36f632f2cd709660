import { ValidationError } from '../../errors';
import { murmur2, partitionForHash } from '../../partition-for-key';
import { checkProducedRecord, requireRecordArray } from '../../ports/check-produced-record';
import { type EncodableRecord, HEADER_BYTES } from './record-codec';

/** Largest record (header, key and value) the log accepts. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;

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
  const input = requireRecordArray(records);
  const byPartition: EncodableRecord[][] = Array.from({ length: partitions }, () => []);
  const partitionOf = new Uint32Array(input.length);
  const indexInPartition = new Uint32Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const { key, value, timestamp } = checkProducedRecord(input[i], i);
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
