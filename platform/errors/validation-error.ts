import { AppError } from './app-error';

export interface FieldIssue {
  /** Dotted path to the failing field, e.g. `post.authorId` or `[3].type`. */
  field: string;
  reason: string;
}

/** Bad input from outside the process: never retriable. */
export class ValidationError extends AppError {
  readonly issues: FieldIssue[];

  constructor(message: string, issues: FieldIssue[], options: { cause?: unknown } = {}) {
    super('VALIDATION_FAILED', message, { retriable: false, cause: options.cause, details: { issues } });
    this.issues = issues;
  }
}
