import { open, type FileHandle } from 'node:fs/promises';
import { StorageError } from '../../errors';
import type { Logger } from '../../logger';
import type { LogRecord } from '../../ports/event-log';
import { HEADER_BYTES, type RecordHeader, claimedLength, crcMatches, readHeader } from './record-codec';
import { readFully, writeFully } from './positional-io';
import { findRecordAfter, scanSegmentFile } from './scan-segment-file';
import { SparseIndex } from './sparse-index';

const MIN_READ_BYTES = 64 * 1024;
const MAX_READ_BYTES = 8 * 1024 * 1024;

/** Returns false to stop before the record (it is not consumed). */
type RecordVisitor = (buf: Buffer, pos: number, header: RecordHeader) => boolean;

export function corruptLog(file: string, position: number, reason: string, cause?: unknown): StorageError {
  return new StorageError('LOG_CORRUPT', `log segment ${file} is corrupt at byte ${position}: ${reason}`, {
    cause,
    details: { file, position, reason },
  });
}

/**
 * One append-only segment file with its sparse index. The active (last)
 * segment is scanned when the log opens; sealed ones are indexed on first use,
 * so opening a long log reads only the tails.
 */
export class Segment {
  /** Bytes assigned to appends, including writes still in flight. */
  size = 0;
  /** Offset after the last assigned record. */
  endOffset: number;
  /** What readers may see: written, and under fsync 'always' also synced. */
  visibleSize = 0;
  visibleEnd: number;
  maxTimestamp = -Infinity;

  private handle: FileHandle | undefined;
  private index: SparseIndex | undefined;
  private loading: Promise<void> | undefined;
  private firstTimestampCache: number | undefined;
  /** Where the previous read stopped, so a sequential reader skips the index lookup. */
  private readHint = { offset: -1, position: 0 };

  private constructor(
    readonly file: string,
    readonly baseOffset: number,
    endOffset: number,
  ) {
    this.endOffset = endOffset;
    this.visibleEnd = endOffset;
  }

  /** A new, empty segment; its file is made by `createFile`. */
  static fresh(file: string, baseOffset: number): Segment {
    const segment = new Segment(file, baseOffset, baseOffset);
    segment.index = new SparseIndex();
    return segment;
  }

  /** A full segment ending where the next one begins; indexed lazily. */
  static sealed(file: string, baseOffset: number, endOffset: number): Segment {
    return new Segment(file, baseOffset, endOffset);
  }

  /**
   * Opens the last segment of a partition and checks every record. A bad
   * record with nothing intact after it is a torn write: it is logged and cut
   * off. A bad record followed by intact ones is corruption: LOG_CORRUPT, and
   * nothing is truncated.
   */
  static async recover(file: string, baseOffset: number, logger: Logger): Promise<Segment> {
    const segment = Segment.fresh(file, baseOffset);
    const handle = await open(file, 'r+');
    try {
      const { size } = await handle.stat();
      const outcome = await scanSegmentFile(handle, size, baseOffset, (offset, position, timestamp) =>
        segment.noteRecord(offset, position, timestamp),
      );
      const broken = outcome.broken;
      if (broken) {
        const intactAfter = broken.wellFormed
          ? broken.position
          : await findRecordAfter(handle, broken.position, size, outcome.nextOffset);
        if (intactAfter !== undefined) {
          throw corruptLog(file, broken.position, `${broken.reason}, followed by intact records`);
        }
        logger.warn(
          { file, position: broken.position, droppedBytes: size - broken.position, reason: broken.reason },
          'truncating torn tail of log segment',
        );
        await handle.truncate(broken.position);
        await handle.datasync();
      }
      segment.size = segment.visibleSize = outcome.endPosition;
      segment.endOffset = segment.visibleEnd = outcome.nextOffset;
      segment.handle = handle;
      return segment;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async createFile(): Promise<void> {
    this.handle = await open(this.file, 'wx+');
  }

  /** Bookkeeping for an appended record, in position order. */
  noteRecord(offset: number, position: number, timestamp: number): void {
    this.index!.maybeAdd(offset, position, this.maxTimestamp);
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    if (offset === this.baseOffset) this.firstTimestampCache = timestamp;
  }

  async write(buf: Buffer, position: number): Promise<void> {
    await writeFully(this.handle!, buf, position);
  }

  async datasync(): Promise<void> {
    await this.handle!.datasync();
  }

  publish(endOffset: number, size: number): void {
    this.visibleEnd = endOffset;
    this.visibleSize = size;
  }

  /** Timestamp of the first visible record, or undefined when there is none. */
  async firstTimestamp(): Promise<number | undefined> {
    if (this.visibleEnd === this.baseOffset) return undefined;
    await this.ensureLoaded();
    return this.firstTimestampCache;
  }

  /**
   * Appends to `out` the visible records from `fromOffset` on, until `out`
   * holds `maxRecords` or about `maxBytes` were read; returns the next offset.
   * Values are views into the read buffer, not copies.
   */
  async read(
    fromOffset: number,
    maxRecords: number,
    maxBytes: number,
    tp: { topic: string; partition: number },
    out: LogRecord[],
  ): Promise<number> {
    await this.ensureLoaded();
    const end = this.visibleEnd;
    if (fromOffset >= end) return fromOffset;
    const start = this.readHint.offset === fromOffset ? this.readHint : this.index!.floorByOffset(fromOffset);
    const count = this.endOffset - this.baseOffset;
    const averageBytes = count > 0 ? this.size / count : 512;
    const wanted = Math.ceil(
      Math.min(maxBytes, (maxRecords - out.length) * averageBytes * 1.05 + HEADER_BYTES),
    );
    let bytes = 0;
    const stop = await this.walk(start.position, start.offset, end, wanted, (buf, pos, header) => {
      if (header.offset < fromOffset) return true;
      if (out.length >= maxRecords || bytes >= maxBytes) return false;
      const keyStart = pos + HEADER_BYTES;
      const valueStart = keyStart + header.keyLength;
      out.push({
        topic: tp.topic,
        partition: tp.partition,
        offset: header.offset,
        key: buf.toString('utf8', keyStart, valueStart),
        value: buf.subarray(valueStart, valueStart + header.valueLength),
        timestamp: header.timestamp,
      });
      bytes += header.length;
      return true;
    });
    this.readHint = stop;
    return stop.offset;
  }

  /** First visible offset whose timestamp is at or after `timestamp`, if any. */
  async offsetForTimestamp(timestamp: number): Promise<number | undefined> {
    await this.ensureLoaded();
    const end = this.visibleEnd;
    if (end === this.baseOffset || this.maxTimestamp < timestamp) return undefined;
    const start = this.index!.floorByTimestamp(timestamp);
    const stop = await this.walk(start.position, start.offset, end, MIN_READ_BYTES, (_buf, _pos, header) => {
      return header.timestamp < timestamp;
    });
    return stop.offset < end ? stop.offset : undefined;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  private ensureLoaded(): Promise<void> {
    if (this.index) return Promise.resolve();
    this.loading ??= this.load().catch((err: unknown) => {
      this.loading = undefined;
      throw err;
    });
    return this.loading;
  }

  /** Indexes a sealed segment: every record must be intact and the offsets must reach the next segment. */
  private async load(): Promise<void> {
    const handle = await open(this.file, 'r');
    try {
      const { size } = await handle.stat();
      const index = new SparseIndex();
      let maxTimestamp = -Infinity;
      const outcome = await scanSegmentFile(handle, size, this.baseOffset, (offset, position, timestamp) => {
        index.maybeAdd(offset, position, maxTimestamp);
        if (timestamp > maxTimestamp) maxTimestamp = timestamp;
        if (offset === this.baseOffset) this.firstTimestampCache = timestamp;
      });
      if (outcome.broken) throw corruptLog(this.file, outcome.broken.position, outcome.broken.reason);
      if (outcome.nextOffset !== this.endOffset) {
        throw corruptLog(
          this.file,
          outcome.endPosition,
          `sealed segment ends at offset ${outcome.nextOffset}, the next segment starts at ${this.endOffset}`,
        );
      }
      this.handle = handle;
      this.index = index;
      this.maxTimestamp = maxTimestamp;
      this.size = this.visibleSize = size;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /**
   * Visits records from a known record boundary in big chunks, checking each
   * CRC and that offsets are consecutive. Returns where it stopped.
   */
  private async walk(
    position: number,
    offset: number,
    endOffset: number,
    sizeHint: number,
    visit: RecordVisitor,
  ): Promise<{ offset: number; position: number }> {
    const limit = this.visibleSize;
    let chunkBytes = Math.min(MAX_READ_BYTES, Math.max(MIN_READ_BYTES, Math.ceil(sizeHint)));
    while (offset < endOffset) {
      const available = limit - position;
      if (available < HEADER_BYTES) throw corruptLog(this.file, position, `record ${offset} is missing`);
      const length = Math.min(available, chunkBytes);
      const buf = Buffer.allocUnsafe(length);
      const got = await readFully(this.handle!, buf, length, position);
      if (got < length) throw corruptLog(this.file, position + got, 'file is shorter than its records');
      let p = 0;
      while (offset < endOffset && got - p >= HEADER_BYTES) {
        const recordLength = claimedLength(buf, p);
        if (recordLength > limit - (position + p)) {
          throw corruptLog(this.file, position + p, `record length ${recordLength} runs past the data`);
        }
        if (p + recordLength > got) {
          if (p === 0) chunkBytes = recordLength;
          break;
        }
        const check = readHeader(buf, p, got);
        if (!check.ok) throw corruptLog(this.file, position + p, check.reason);
        if (!crcMatches(buf, p, recordLength)) throw corruptLog(this.file, position + p, 'crc mismatch');
        if (check.header.offset !== offset) {
          throw corruptLog(
            this.file,
            position + p,
            `offset ${check.header.offset} where ${offset} was expected`,
          );
        }
        if (!visit(buf, p, check.header)) return { offset, position: position + p };
        p += recordLength;
        offset++;
      }
      position += p;
    }
    return { offset, position };
  }
}
