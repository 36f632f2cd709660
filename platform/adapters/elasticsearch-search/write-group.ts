import type { AppError } from '../../errors';
import type { BulkOperation } from './queued-operation';

export interface DroppedOperation {
  operation: BulkOperation;
  status: number;
  /** `HTTP <status> <error type>: <reason>` as Elasticsearch gave it. */
  reason: string;
}

export interface BulkWriteResult {
  /** Operations Elasticsearch refused for good; they also went to the dead-letter sink. */
  dropped: DroppedOperation[];
}

/**
 * The operations of one `BulkWriter.write` call: resolves with the dropped
 * ones once every operation is settled, or rejects with the first error if
 * any could not be completed.
 */
export class WriteGroup {
  readonly done: Promise<BulkWriteResult>;
  private readonly dropped: DroppedOperation[] = [];
  private error: AppError | undefined;
  private resolve!: (result: BulkWriteResult) => void;
  private reject!: (err: AppError) => void;

  constructor(
    private remaining: number,
    private readonly onSettled: (group: WriteGroup) => void,
  ) {
    this.done = new Promise<BulkWriteResult>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // The writer's flush and close wait on `done` too; the caller owns the rejection.
    this.done.catch(() => undefined);
  }

  applied(): void {
    this.settleOne();
  }

  drop(dropped: DroppedOperation): void {
    this.dropped.push(dropped);
    this.settleOne();
  }

  fail(error: AppError): void {
    this.error ??= error;
    this.settleOne();
  }

  private settleOne(): void {
    if (--this.remaining > 0) return;
    this.onSettled(this);
    if (this.error) this.reject(this.error);
    else this.resolve({ dropped: this.dropped });
  }
}
