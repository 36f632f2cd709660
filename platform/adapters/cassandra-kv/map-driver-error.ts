import { errors, types } from 'cassandra-driver';
import { AppError, StorageError, TransientError } from '../../errors';

const codes = types.responseErrorCodes;

/** Server answers that another attempt (later, or on another coordinator) may turn into a success. */
const TRANSIENT_RESPONSES = new Map<number, string>([
  [codes.unavailableException, 'CASSANDRA_UNAVAILABLE'],
  [codes.overloaded, 'CASSANDRA_OVERLOADED'],
  [codes.isBootstrapping, 'CASSANDRA_UNAVAILABLE'],
  [codes.readTimeout, 'CASSANDRA_TIMEOUT'],
  [codes.writeTimeout, 'CASSANDRA_TIMEOUT'],
]);

/**
 * Driver failures in the project's error tree: timeouts (client or server
 * side), unavailable replicas, overload and unreachable nodes become
 * TransientError (retriable); everything else (invalid queries, read or write
 * failures on replicas, schema errors) a StorageError with `fallbackCode`.
 */
export function mapDriverError(err: unknown, fallbackCode: string, what: string): AppError {
  if (err instanceof AppError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  if (err instanceof errors.OperationTimedOutError) {
    return new TransientError('CASSANDRA_TIMEOUT', `${what} timed out: ${detail}`, { cause: err });
  }
  if (err instanceof errors.NoHostAvailableError || err instanceof errors.BusyConnectionError) {
    return new TransientError(
      'CASSANDRA_UNAVAILABLE',
      `${what}: no Cassandra node could serve it: ${detail}`,
      {
        cause: err,
      },
    );
  }
  if (err instanceof errors.ResponseError) {
    const transient = TRANSIENT_RESPONSES.get(err.code);
    if (transient !== undefined) {
      return new TransientError(transient, `${what} failed: ${detail}`, {
        cause: err,
        details: { responseCode: err.code },
      });
    }
    return new StorageError(fallbackCode, `${what} failed: ${detail}`, {
      cause: err,
      details: { responseCode: err.code },
    });
  }
  return new StorageError(fallbackCode, `${what} failed: ${detail}`, { cause: err });
}
