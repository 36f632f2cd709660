import { AppError } from './app-error';

/** A failure of a backend that may succeed when tried again (timeouts, 429, leader moves). */
export class TransientError extends AppError {
  constructor(
    code: string,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(code, message, { ...options, retriable: true });
  }
}
