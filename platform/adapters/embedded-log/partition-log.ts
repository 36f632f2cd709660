import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AppError, StorageError } from '../../errors';
import { fsyncDir } from '../../fs/write-file-atomic';
import type { Logger } from '../../logger';
import type { LogRecord } from '../../ports/event-log';
import { parseSegmentFileName, segmentFileName } from './log-names';
import { type EncodableRecord, encodeRecordInto, encodedLength } from './record-codec';
import { Segment } from './segment';

export type FsyncPolicy = 'always' | 'never';

export interface PartitionLogOptions {
  dir: string;
  topic: string;
  partition: number;
  fsync: FsyncPolicy;
  segmentBytes: number;
  logger: Logger;
}

/** Upper bound on bytes one read hands out, so huge values cannot blow up a batch. */
const MAX_READ_BATCH_BYTES = 16 * 1024 * 1024;

interface WriteMark {
  segment: Segment;
  endOffset: number;
  size: number;
}

/**
 * One partition: an ordered list of segments, the last one active. Offsets
 * are assigned synchronously when `append` is called; writes then run one at
 * a time in offset order, so the file never has holes. Under fsync 'always'
 * appends that finish writing while a sync runs share the next one (group
 * commit). Readers see only records that are written and, under 'always',
 * synced, so a consumer never acts on data a crash could take back.
 */
export class PartitionLog {
  private nextOffset: number;
  private visible: number;
  private writeChain: Promise<void> = Promise.resolve();
  private written: WriteMark | undefined;
  private readonly dirty = new Set<Segment>();
  private syncing: Promise<void> | undefined;
  private failure: StorageError | undefined;
  private closed = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly listeners = new Set<() => void>();

  private constructor(
    private readonly options: PartitionLogOptions,
    private readonly segments: Segment[],
  ) {
    const last = segments[segments.length - 1];
    this.nextOffset = last.endOffset;
    this.visible = last.visibleEnd;
  }

  /** Opens (or creates) the partition directory and recovers its last segment. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    await mkdir(options.dir, { recursive: true });
    const bases = (await readdir(options.dir))
      .map(parseSegmentFileName)
      .filter((base): base is number => base !== undefined)
      .sort((a, b) => a - b);
    const file = (base: number) => path.join(options.dir, segmentFileName(base));
    if (bases.length === 0) {
      const first = Segment.fresh(file(0), 0);
      await first.createFile();
      await fsyncDir(options.dir);
      return new PartitionLog(options, [first]);
    }
    const segments = bases.slice(0, -1).map((base, i) => Segment.sealed(file(base), base, bases[i + 1]));
    const lastBase = bases[bases.length - 1];
    segments.push(await Segment.recover(file(lastBase), lastBase, options.logger));
    return new PartitionLog(options, segments);
  }

  /** Next offset readers can see: written, and synced under fsync 'always'. */
  get endOffset(): number {
    return this.visible;
  }

  /** Calls `listener` whenever new records become visible; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Assigns consecutive offsets to `records` now and queues one write for all
   * of them. `done` resolves when they are visible (and durable under 'always').
   */
  append(records: EncodableRecord[]): { firstOffset: number; done: Promise<void> } {
    if (this.failure) throw this.failure;
    if (this.closed) throw new AppError('LOG_CLOSED', 'the event log is closed');
    const firstOffset = this.nextOffset;
    let total = 0;
    for (const record of records) total += encodedLength(record);

    const previous = this.segments[this.segments.length - 1];
    let segment = previous;
    const rolled = previous.size > 0 && previous.size + total > this.options.segmentBytes;
    if (rolled) {
      segment = Segment.fresh(path.join(this.options.dir, segmentFileName(firstOffset)), firstOffset);
      this.segments.push(segment);
    }
    const position = segment.size;
    const buf = Buffer.allocUnsafe(total);
    let pos = 0;
    for (let i = 0; i < records.length; i++) {
      segment.noteRecord(firstOffset + i, position + pos, records[i].timestamp);
      pos = encodeRecordInto(buf, pos, firstOffset + i, records[i]);
    }
    const endOffset = firstOffset + records.length;
    segment.size += total;
    segment.endOffset = endOffset;
    this.nextOffset = endOffset;

    const mark: WriteMark = { segment, endOffset, size: position + total };
    const written = this.writeChain.then(async () => {
      if (this.failure) throw this.failure;
      try {
        if (rolled) await this.roll(previous, segment);
        await segment.write(buf, position);
      } catch (err) {
        throw this.fail(err);
      }
      this.written = mark;
      if (this.options.fsync === 'always') this.dirty.add(segment);
      else this.publish(mark);
    });
    this.writeChain = written.catch(() => undefined);
    const done = this.options.fsync === 'always' ? written.then(() => this.syncThrough(endOffset)) : written;
    const tracked = done.catch(() => undefined).finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
    return { firstOffset, done };
  }

  /** Up to `maxRecords` visible records from `fromOffset` on, in offset order. */
  async read(fromOffset: number, maxRecords: number): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    const tp = { topic: this.options.topic, partition: this.options.partition };
    let offset = fromOffset;
    for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
      const segment = this.segments[i];
      if (offset >= this.visible || out.length >= maxRecords) break;
      if (offset >= segment.visibleEnd) continue;
      offset = await segment.read(offset, maxRecords, MAX_READ_BATCH_BYTES, tp, out);
      if (offset < segment.visibleEnd) break;
    }
    return out;
  }

  /**
   * First offset whose timestamp is at or after `timestamp`, else the end
   * offset. Segments are chosen by their first timestamp (assumes timestamps
   * do not go backwards across segments); inside a segment the index is exact.
   */
  async offsetForTimestamp(timestamp: number): Promise<number> {
    const end = this.visible;
    let lo = 0;
    let hi = this.segments.length - 1;
    while (hi >= 0 && this.segments[hi].baseOffset >= end) hi--;
    if (hi < 0) return end;
    // Find the last segment whose first record is older than `timestamp`.
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const first = await this.segments[mid].firstTimestamp();
      if (first !== undefined && first < timestamp) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return this.segments[0].baseOffset;
    const segment = this.segments[found];
    return (await segment.offsetForTimestamp(timestamp)) ?? Math.min(segment.visibleEnd, end);
  }

  /** Waits for queued writes and syncs, then closes the files. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.inflight]);
    this.listeners.clear();
    for (const segment of this.segments) await segment.close();
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.segments[mid].baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Under 'always' the full segment is synced before the next one gets data,
   * so after a crash only the last segment of a partition can have a torn tail.
   */
  private async roll(previous: Segment, next: Segment): Promise<void> {
    if (this.options.fsync === 'always') await previous.datasync();
    await next.createFile();
    if (this.options.fsync === 'always') await fsyncDir(this.options.dir);
  }

  /** Group commit: one fdatasync covers every write that finished before it started. */
  private async syncThrough(endOffset: number): Promise<void> {
    while (this.visible < endOffset) {
      if (this.failure) throw this.failure;
      this.syncing ??= this.syncOnce().finally(() => {
        this.syncing = undefined;
      });
      await this.syncing;
    }
  }

  private async syncOnce(): Promise<void> {
    const mark = this.written;
    const segments = [...this.dirty];
    this.dirty.clear();
    try {
      await Promise.all(segments.map((segment) => segment.datasync()));
    } catch (err) {
      throw this.fail(err);
    }
    if (mark) this.publish(mark);
  }

  private publish(mark: WriteMark): void {
    if (mark.endOffset <= this.visible) return;
    mark.segment.publish(mark.endOffset, mark.size);
    // Earlier segments were written in full before this one got data.
    for (let i = this.segments.lastIndexOf(mark.segment) - 1; i >= 0; i--) {
      const segment = this.segments[i];
      if (segment.visibleEnd === segment.endOffset) break;
      segment.publish(segment.endOffset, segment.size);
    }
    this.visible = mark.endOffset;
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * After a failed write or sync the file's state is unknown, so the partition
   * refuses further appends; reopening the log recovers from the disk.
   */
  private fail(err: unknown): StorageError {
    this.failure ??= new StorageError(
      'LOG_WRITE_FAILED',
      `writing ${this.options.topic}/${this.options.partition} failed; reopen the log to recover`,
      { cause: err, details: { dir: this.options.dir } },
    );
    return this.failure;
  }
}
