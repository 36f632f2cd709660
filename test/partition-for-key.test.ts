import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { ValidationError } from '../platform/errors';
import { murmur2, partitionForKey } from '../platform/partition-for-key';

/**
 * Deliberately plain reference: MurmurHash2 with 32-bit wrap-around done by
 * masking BigInts, straight from the algorithm's description.
 */
function referenceMurmur2(bytes: Uint8Array): number {
  const mask = 0xffffffffn;
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint) => (a * b) & mask;
  let h = (0x9747b28cn ^ BigInt(bytes.length)) & mask;
  const blocks = Math.floor(bytes.length / 4);
  for (let i = 0; i < blocks; i++) {
    let k =
      BigInt(bytes[4 * i]) |
      (BigInt(bytes[4 * i + 1]) << 8n) |
      (BigInt(bytes[4 * i + 2]) << 16n) |
      (BigInt(bytes[4 * i + 3]) << 24n);
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m);
    h ^= k;
  }
  const tail = 4 * blocks;
  const rest = bytes.length % 4;
  if (rest >= 3) h ^= BigInt(bytes[tail + 2]) << 16n;
  if (rest >= 2) h ^= BigInt(bytes[tail + 1]) << 8n;
  if (rest >= 1) {
    h ^= BigInt(bytes[tail]);
    h = mul(h, m);
  }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

function referencePartition(key: string, partitions: number): number {
  const h = BigInt.asUintN(32, BigInt(referenceMurmur2(new TextEncoder().encode(key))));
  return Number((h & 0x7fffffffn) % BigInt(partitions));
}

const anyKey = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));

describe('partitionForKey', () => {
  // Expected hashes are the murmur2 test vectors of Apache Kafka's UtilsTest.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%j) is %i as in Kafka', (key, expected) => {
    expect(murmur2(Buffer.from(key, 'utf8'))).toBe(expected);
    expect(referenceMurmur2(Buffer.from(key, 'utf8'))).toBe(expected);
  });

  // Masked hash = hash + 2^31 for negative hashes, so the partition for 1000
  // partitions is the last three decimal digits: 21 → 1173551340, foobar →
  // 1357151166, a-little-bit-long-string → 1161502112, abc → 479470107.
  it.each([
    ['21', 1000, 340],
    ['21', 10, 0],
    ['foobar', 1000, 166],
    ['a-little-bit-long-string', 1000, 112],
    ['abc', 1000, 107],
    ['abc', 100, 7],
    ['anything', 1, 0],
  ])('partitionForKey(%j, %i) is %i', (key, partitions, expected) => {
    expect(partitionForKey(key, partitions)).toBe(expected);
  });

  it('agrees with the BigInt reference on random keys and partition counts', () => {
    fc.assert(
      fc.property(anyKey, fc.integer({ min: 1, max: 5000 }), (key, partitions) => {
        expect(murmur2(Buffer.from(key, 'utf8'))).toBe(referenceMurmur2(new TextEncoder().encode(key)));
        expect(partitionForKey(key, partitions)).toBe(referencePartition(key, partitions));
      }),
      { numRuns: 2000 },
    );
  });

  it('hashes a sub-range of a buffer like the bytes on their own', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(murmur2(bytes, start, end)).toBe(referenceMurmur2(bytes.slice(start, end)));
      }),
    );
  });

  it("matches kafkajs's default partitioner, so embedded and Kafka modes agree", () => {
    const partitioner = Partitioners.DefaultPartitioner();
    fc.assert(
      fc.property(anyKey, fc.integer({ min: 1, max: 300 }), (key, partitions) => {
        const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
          partitionId,
          leader: 0,
          replicas: [0],
          isr: [0],
          partitionErrorCode: 0,
        }));
        const expected = partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
        expect(partitionForKey(key, partitions)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a partition count that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => partitionForKey('k', bad)).toThrow(ValidationError);
    }
    expect(() => partitionForKey(42 as unknown as string, 3)).toThrow(ValidationError);
  });
});
