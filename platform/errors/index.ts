export { AppError, type AppErrorOptions } from './app-error';
export { ValidationError, type FieldIssue } from './validation-error';
export { TransientError } from './transient-error';
export { StorageError } from './storage-error';
export { isRetriable } from './is-retriable';
export { NotFoundError } from './not-found-error';
export { AuthError } from './auth-error';
