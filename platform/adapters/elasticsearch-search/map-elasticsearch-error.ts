import { errors } from '@elastic/elasticsearch';
import { AppError, StorageError, TransientError } from '../../errors';

/** HTTP statuses worth another try later: overload and a node or shard that is not there yet. */
export const TRANSIENT_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** The `type` and `reason` of an Elasticsearch error body, as far as they are there. */
export function describeErrorBody(body: unknown): { type: string; reason: string } {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error === 'string') return { type: 'error', reason: error };
  const cause = (error ?? {}) as { type?: unknown; reason?: unknown };
  return {
    type: typeof cause.type === 'string' ? cause.type : 'unknown',
    reason: typeof cause.reason === 'string' ? cause.reason : 'no reason given',
  };
}

/**
 * Maps what the Elasticsearch client throws onto the project's error tree:
 * 429, 502–504, timeouts and lost connections are TransientErrors (the caller
 * may retry), anything else a StorageError. AppErrors pass through.
 */
export function mapElasticsearchError(err: unknown, operation: string): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof errors.ResponseError) {
    const status = err.statusCode ?? 0;
    const { type, reason } = describeErrorBody(err.body);
    const message = `elasticsearch ${operation} failed with HTTP ${status}: ${type}: ${reason}`;
    const details = { operation, status, type };
    if (status === 429) return new TransientError('ES_TOO_MANY_REQUESTS', message, { cause: err, details });
    if (TRANSIENT_STATUSES.has(status)) {
      return new TransientError('ES_UNAVAILABLE', message, { cause: err, details });
    }
    return new StorageError('ES_REQUEST_FAILED', message, { cause: err, details });
  }
  const text = err instanceof Error ? err.message : String(err);
  if (err instanceof errors.TimeoutError) {
    return new TransientError('ES_TIMEOUT', `elasticsearch ${operation} timed out: ${text}`, {
      cause: err,
      details: { operation },
    });
  }
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError) {
    return new TransientError('ES_UNAVAILABLE', `elasticsearch ${operation} could not connect: ${text}`, {
      cause: err,
      details: { operation },
    });
  }
  return new StorageError('ES_CLIENT_ERROR', `elasticsearch ${operation} failed: ${text}`, {
    cause: err,
    details: { operation },
  });
}
