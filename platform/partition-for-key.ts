import { ValidationError } from './errors';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * 32-bit MurmurHash2 as Kafka's Java client computes it (seed 0x9747b28c,
 * little-endian 4-byte blocks), returned as a signed 32-bit integer like Java's int.
 */
export function murmur2(data: Uint8Array, start = 0, end = data.length): number {
  const length = end - start;
  let h = SEED ^ length;
  const blockEnd = start + (length & ~3);
  let i = start;
  for (; i < blockEnd; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= data[i + 2] << 16;
    if (rest >= 2) h ^= data[i + 1] << 8;
    h ^= data[i];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Partition of a hash for `partitions` partitions: sign bit masked off, then modulo, as Kafka does. */
export function partitionForHash(hash: number, partitions: number): number {
  return (hash & 0x7fffffff) % partitions;
}

/**
 * The partition a key lands on: murmur2 over its UTF-8 bytes, masked positive,
 * modulo the partition count. This is Kafka's Java default partitioner and
 * kafkajs's DefaultPartitioner, so embedded and Kafka modes agree per key.
 */
export function partitionForKey(key: string, partitions: number): number {
  if (typeof key !== 'string') {
    throw new ValidationError(`key must be a string, got ${typeof key}`, [
      { field: 'key', reason: 'not a string' },
    ]);
  }
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new ValidationError(`partition count must be a positive integer, got ${String(partitions)}`, [
      { field: 'partitions', reason: 'not a positive integer' },
    ]);
  }
  return partitionForHash(murmur2(Buffer.from(key, 'utf8')), partitions);
}
