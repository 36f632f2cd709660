import { murmur2, partitionForHash } from '../../partition-for-key';

/**
 * Partitions per KV table. Part of the on-disk layout: changing it means
 * rewriting every table. A full scan merges this many sorted slices.
 */
export const KV_BUCKETS = 16;

/** The key up to its first ':', or the whole key: keys sharing it share a partition. */
export function headOfKey(key: string): string {
  const colon = key.indexOf(':');
  return colon < 0 ? key : key.slice(0, colon);
}

/** Kafka's murmur2 over the head's UTF-8 bytes, so any language can find a key's partition. */
export function bucketOfKey(key: string): number {
  return partitionForHash(murmur2(Buffer.from(headOfKey(key), 'utf8')), KV_BUCKETS);
}

/**
 * The buckets a scan must read: one when the prefix names a head (it holds a
 * ':'), since every key starting with it has that head; all of them otherwise.
 */
export function bucketsForPrefix(prefix: string): number[] {
  if (prefix.includes(':')) return [bucketOfKey(prefix)];
  return Array.from({ length: KV_BUCKETS }, (_, i) => i);
}
