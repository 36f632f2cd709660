import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, AuthError, NotFoundError, ValidationError } from '../../platform/errors';
import type { Logger } from '../../platform/logger';
import { QueryError } from '../engine/query-error';

/** The one error shape of the API: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export function statusOf(err: unknown): number {
  if (err instanceof ValidationError || err instanceof QueryError) return 400;
  if (err instanceof AuthError) return err.code === 'UNAUTHORIZED' ? 401 : 403;
  if (err instanceof NotFoundError) return 404;
  if (err instanceof AppError && err.retriable) return 503;
  return 500;
}

/** Express's own errors (a body that is not JSON, one too large) carry a status and a type. */
function expressError(err: unknown): { status: number; code: string; message: string } | undefined {
  const e = err as { status?: unknown; type?: unknown; message?: unknown };
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  const code =
    e.type === 'entity.parse.failed'
      ? 'INVALID_JSON'
      : e.type === 'entity.too.large'
        ? 'PAYLOAD_TOO_LARGE'
        : 'BAD_REQUEST';
  return { status: e.status, code, message: String(e.message) };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const plain = expressError(err);
    if (plain) {
      res
        .status(plain.status)
        .json({ error: { code: plain.code, message: plain.message } } satisfies ErrorBody);
      return;
    }
    const status = statusOf(err);
    if (status === 500) logger.error({ err, method: req.method, path: req.path }, 'request failed');
    const body: ErrorBody =
      err instanceof AppError && status < 500
        ? {
            error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
          }
        : status === 503
          ? { error: { code: (err as AppError).code, message: (err as AppError).message } }
          : { error: { code: 'INTERNAL', message: 'internal error' } };
    if (status === 503) res.set('Retry-After', '1');
    res.status(status).json(body);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError('route', `${req.method} ${req.path}`));
};
