import type { FileHandle } from 'node:fs/promises';
import { HEADER_BYTES, claimedLength, crcMatches, readHeader } from './record-codec';
import { readFully } from './positional-io';

const SCAN_CHUNK_BYTES = 4 * 1024 * 1024;

export interface BrokenRecord {
  position: number;
  reason: string;
  /** The record's CRC was fine but its offset was wrong: never a torn write. */
  wellFormed: boolean;
}

export interface ScanOutcome {
  /** Byte position after the last good record. */
  endPosition: number;
  /** Offset after the last good record. */
  nextOffset: number;
  broken?: BrokenRecord;
}

/**
 * Walks a segment file from its start in big chunks, checking every record's
 * CRC and that offsets run consecutively from `baseOffset`. Stops at the
 * first bad record and says where; the caller decides torn tail or corruption.
 */
export async function scanSegmentFile(
  handle: FileHandle,
  fileSize: number,
  baseOffset: number,
  visit: (offset: number, position: number, timestamp: number) => void,
): Promise<ScanOutcome> {
  let buf = Buffer.allocUnsafe(Math.min(SCAN_CHUNK_BYTES, Math.max(fileSize, HEADER_BYTES)));
  let bufStart = 0;
  let bufLength = 0;
  const refill = async (position: number, minLength: number) => {
    const length = Math.min(Math.max(SCAN_CHUNK_BYTES, minLength), fileSize - position);
    if (buf.length < length) buf = Buffer.allocUnsafe(length);
    bufStart = position;
    bufLength = await readFully(handle, buf, length, position);
  };

  let pos = 0;
  let offset = baseOffset;
  const broken = (reason: string, wellFormed = false): ScanOutcome => ({
    endPosition: pos,
    nextOffset: offset,
    broken: { position: pos, reason, wellFormed },
  });
  while (pos < fileSize) {
    if (pos + HEADER_BYTES > bufStart + bufLength) await refill(pos, HEADER_BYTES);
    let p = pos - bufStart;
    if (bufLength - p < HEADER_BYTES) return broken('short header');
    const length = claimedLength(buf, p);
    // Judge the header against the whole file, not just the chunk in memory.
    const check = readHeader(buf, p, p + (fileSize - pos));
    if (!check.ok) return broken(check.reason);
    if (pos + length > bufStart + bufLength) {
      await refill(pos, length);
      p = 0;
      if (bufLength < length) return broken('short record');
    }
    if (!crcMatches(buf, p, length)) return broken('crc mismatch');
    if (check.header.offset !== offset) {
      return broken(`offset ${check.header.offset} where ${offset} was expected`, true);
    }
    visit(offset, pos, check.header.timestamp);
    pos += length;
    offset++;
  }
  return { endPosition: pos, nextOffset: offset };
}

/**
 * Looks for any intact record after `from` (byte by byte, since a damaged
 * length field says nothing about where the next record starts). Only offsets
 * that could follow `minOffset` count, so bytes that merely look like a record
 * inside some value are unlikely to match. Returns its position, if any.
 */
export async function findRecordAfter(
  handle: FileHandle,
  from: number,
  fileSize: number,
  minOffset: number,
): Promise<number | undefined> {
  const length = fileSize - from;
  if (length <= HEADER_BYTES) return undefined;
  const buf = Buffer.allocUnsafe(length);
  const got = await readFully(handle, buf, length, from);
  const maxOffset = minOffset + Math.ceil(got / HEADER_BYTES);
  for (let q = 1; q + HEADER_BYTES <= got; q++) {
    const check = readHeader(buf, q, got);
    if (!check.ok) continue;
    const { offset, length: recordLength } = check.header;
    if (offset >= minOffset && offset <= maxOffset && crcMatches(buf, q, recordLength)) return from + q;
  }
  return undefined;
}
