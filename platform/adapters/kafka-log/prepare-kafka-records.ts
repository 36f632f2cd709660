import type { Message } from 'kafkajs';
import { murmur2, partitionForHash } from '../../partition-for-key';
import { checkProducedRecord, requireRecordArray } from '../../ports/check-produced-record';

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
  const list = requireRecordArray(records);
  const prepared = new Array<PreparedRecord>(list.length);
  for (let i = 0; i < list.length; i++) {
    const { key, value, timestamp } = checkProducedRecord(list[i], i, { nonNegativeTimestamp: true });
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
