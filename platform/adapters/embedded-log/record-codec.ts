import { crc32 } from 'node:zlib';

/**
 * On-disk record, little-endian:
 *
 *   0  u32  crc32 of bytes [4, 8 + size)
 *   4  u32  size: bytes after this field (HEADER_BYTES - 8 + keyLength + valueLength)
 *   8  u8   magic (1)
 *   9  u8×3 reserved, zero
 *  12  i64  offset
 *  20  i64  timestamp (ms since the epoch)
 *  28  u32  keyLength
 *  32  u32  valueLength
 *  36  key (UTF-8), then value
 *
 * The CRC covers the size field too, so a torn or flipped length is caught.
 */
export const HEADER_BYTES = 36;
export const RECORD_MAGIC = 1;
const SIZE_OVERHEAD = HEADER_BYTES - 8;
const TWO_32 = 4294967296;

/** A record ready to be appended: key already encoded, offset and timestamp assigned by the log. */
export interface EncodableRecord {
  keyBytes: Uint8Array;
  value: Uint8Array;
  timestamp: number;
}

export function encodedLength(record: EncodableRecord): number {
  return HEADER_BYTES + record.keyBytes.length + record.value.length;
}

/** Writes one record at `pos` and returns the position after it. */
export function encodeRecordInto(buf: Buffer, pos: number, offset: number, record: EncodableRecord): number {
  const keyLength = record.keyBytes.length;
  const valueLength = record.value.length;
  const end = pos + HEADER_BYTES + keyLength + valueLength;
  buf.writeUInt32LE(SIZE_OVERHEAD + keyLength + valueLength, pos + 4);
  buf.writeUInt32LE(RECORD_MAGIC, pos + 8); // magic byte plus three zero reserved bytes
  writeInt64(buf, pos + 12, offset);
  writeInt64(buf, pos + 20, record.timestamp);
  buf.writeUInt32LE(keyLength, pos + 28);
  buf.writeUInt32LE(valueLength, pos + 32);
  buf.set(record.keyBytes, pos + HEADER_BYTES);
  buf.set(record.value, pos + HEADER_BYTES + keyLength);
  buf.writeUInt32LE(crc32(buf.subarray(pos + 4, end)), pos);
  return end;
}

/** A decoded record header; the key and value follow at `pos + HEADER_BYTES`. */
export interface RecordHeader {
  /** Total bytes of the record including the header. */
  length: number;
  offset: number;
  timestamp: number;
  keyLength: number;
  valueLength: number;
}

export type HeaderCheck =
  { ok: true; header: RecordHeader } | { ok: false; reason: 'short header' | 'short record' | 'bad header' };

/**
 * Reads and sanity-checks the header at `pos` of `buf[0, limit)` without
 * checking the CRC. `short *` means the bytes end before the record does.
 */
export function readHeader(buf: Buffer, pos: number, limit: number): HeaderCheck {
  if (limit - pos < HEADER_BYTES) return { ok: false, reason: 'short header' };
  const size = buf.readUInt32LE(pos + 4);
  const keyLength = buf.readUInt32LE(pos + 28);
  const valueLength = buf.readUInt32LE(pos + 32);
  if (buf.readUInt32LE(pos + 8) !== RECORD_MAGIC || size !== SIZE_OVERHEAD + keyLength + valueLength) {
    return { ok: false, reason: 'bad header' };
  }
  const length = size + 8;
  if (limit - pos < length) return { ok: false, reason: 'short record' };
  return {
    ok: true,
    header: {
      length,
      offset: readInt64(buf, pos + 12),
      timestamp: readInt64(buf, pos + 20),
      keyLength,
      valueLength,
    },
  };
}

/** Total record length claimed by the header at `pos`, for sizing a read; needs 8 bytes. */
export function claimedLength(buf: Buffer, pos: number): number {
  return buf.readUInt32LE(pos + 4) + 8;
}

export function crcMatches(buf: Buffer, pos: number, length: number): boolean {
  return buf.readUInt32LE(pos) === crc32(buf.subarray(pos + 4, pos + length));
}

function writeInt64(buf: Buffer, pos: number, value: number): void {
  const high = Math.floor(value / TWO_32);
  buf.writeUInt32LE(value - high * TWO_32, pos);
  buf.writeInt32LE(high, pos + 4);
}

function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32LE(pos + 4) * TWO_32 + buf.readUInt32LE(pos);
}
