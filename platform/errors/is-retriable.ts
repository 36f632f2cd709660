import { AppError } from './app-error';

/**
 * Only errors that say so are retried. Programming errors (TypeError,
 * RangeError, plain Error) are never retried: repeating a bug repeats it.
 */
export function isRetriable(err: unknown): boolean {
  return err instanceof AppError && err.retriable;
}
