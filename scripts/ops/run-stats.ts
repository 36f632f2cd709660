import { AppError } from '../../platform/errors';
import type { Reject, RejectsFile } from './rejects-file';

export interface Counts {
  read: number;
  written: number;
  skipped: number;
  failed: number;
}

export const zeroCounts = (): Counts => ({ read: 0, written: 0, skipped: 0, failed: 0 });

/**
 * The counts every command reports, carried across resumes through the
 * checkpoint. A failure goes to the rejects file; more than `maxErrors`
 * failures stop the run.
 */
export class RunStats {
  readonly counts: Counts;

  constructor(
    private readonly rejects: RejectsFile,
    private readonly maxErrors: number | undefined,
    initial: Counts = zeroCounts(),
  ) {
    this.counts = { ...initial };
  }

  read(n = 1): void {
    this.counts.read += n;
  }

  written(n = 1): void {
    this.counts.written += n;
  }

  skipped(n = 1): void {
    this.counts.skipped += n;
  }

  fail(reject: Reject): void {
    this.counts.failed++;
    this.rejects.add(reject);
    if (this.maxErrors !== undefined && this.counts.failed > this.maxErrors) {
      throw new AppError(
        'MAX_ERRORS_EXCEEDED',
        `stopped after ${this.counts.failed} failures (--max-errors ${this.maxErrors}); see ${this.rejects.path}`,
        { details: { failed: this.counts.failed, rejects: this.rejects.path } },
      );
    }
  }

  snapshot(): Counts {
    return { ...this.counts };
  }
}
