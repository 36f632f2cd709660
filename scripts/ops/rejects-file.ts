import { promises as fs } from 'node:fs';

export interface Reject {
  /** 1-based line of the input (NDJSON imports), when there is one. */
  lineNumber?: number;
  /** What was refused: a document id, a table key. */
  id?: string;
  reason: string;
  /** The refused input, as read. */
  input?: string;
}

/**
 * Refused input, one JSON object per line. Its size is kept in the run's
 * checkpoint and the file is cut back to it on resume, so lines written after
 * the last checkpoint are not written twice.
 */
export class RejectsFile {
  private handle: fs.FileHandle | undefined;
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    private size: number,
    private written: number,
  ) {}

  /** Opens for appending; `resume` is what the checkpoint recorded ({ bytes: 0, count: 0 } on a fresh run). */
  static async open(file: string, resume: { bytes: number; count: number }): Promise<RejectsFile> {
    const handle = await fs.open(file, 'a+');
    await handle.truncate(resume.bytes);
    const rejects = new RejectsFile(file, resume.bytes, resume.count);
    rejects.handle = handle;
    return rejects;
  }

  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.written;
  }

  add(reject: Reject): void {
    const line = Buffer.from(`${JSON.stringify(reject)}\n`);
    this.size += line.length;
    this.written++;
    const handle = this.handle;
    this.writes = this.writes.then(async () => {
      await handle?.appendFile(line);
    });
  }

  /** Waits for queued lines and fsyncs, before a checkpoint records the size. */
  async sync(): Promise<void> {
    await this.writes;
    await this.handle?.sync();
  }

  async close(): Promise<void> {
    await this.sync();
    await this.handle?.close();
    this.handle = undefined;
  }
}
