import { AppError, type AppErrorOptions } from './app-error';

/** A backend failed in a way that retrying will not fix: corruption, bad schema, refused write. */
export class StorageError extends AppError {
  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(code, message, options);
  }
}
