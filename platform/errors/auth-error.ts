import { AppError } from './app-error';

/**
 * An admin call without valid credentials. UNAUTHORIZED: token missing or
 * wrong (HTTP 401). ADMIN_DISABLED: no admin token is configured, so admin
 * routes are closed to everyone (HTTP 403).
 */
export class AuthError extends AppError {
  constructor(code: 'UNAUTHORIZED' | 'ADMIN_DISABLED', message: string) {
    super(code, message);
  }
}
