import {
  KafkaJSAggregateError,
  KafkaJSError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { AppError, StorageError, TransientError } from '../../errors';

/** Protocol error types that mean the caller asked for something that does not exist or fit. */
const CALLER_ERRORS: Record<string, string> = {
  UNKNOWN_TOPIC_OR_PARTITION: 'UNKNOWN_TOPIC',
  MESSAGE_TOO_LARGE: 'RECORD_TOO_LARGE',
  RECORD_LIST_TOO_LARGE: 'RECORD_TOO_LARGE',
  INVALID_TIMESTAMP: 'INVALID_TIMESTAMP',
  INVALID_TOPIC_EXCEPTION: 'INVALID_TOPIC',
  INVALID_REPLICATION_FACTOR: 'INVALID_REPLICATION_FACTOR',
  INVALID_PARTITIONS: 'INVALID_PARTITIONS',
  // The group moved on (rebalance, eviction): a commit from the old generation is refused.
  ILLEGAL_GENERATION: 'GROUP_REBALANCED',
  UNKNOWN_MEMBER_ID: 'GROUP_REBALANCED',
  REBALANCE_IN_PROGRESS: 'GROUP_REBALANCED',
  FENCED_INSTANCE_ID: 'GROUP_REBALANCED',
};

function protocolType(err: unknown): string | undefined {
  return err instanceof KafkaJSProtocolError ? err.type : undefined;
}

/** The error kafkajs gave up on: the last attempt of a retry loop, the first of an aggregate. */
function innermost(err: unknown): unknown {
  let current = err;
  for (let depth = 0; depth < 5; depth++) {
    if (current instanceof KafkaJSNumberOfRetriesExceeded && current.cause) current = current.cause;
    else if (current instanceof KafkaJSAggregateError && current.errors.length > 0)
      current = current.errors[0];
    else break;
  }
  return current;
}

/**
 * Translates a kafkajs failure into the project's error tree: retriable kafkajs
 * errors (also when kafkajs ran out of retries on one) become TransientError,
 * caller mistakes an AppError with a stable code, the rest StorageError.
 * Anything that is not from kafkajs (a bug, an AppError) passes through.
 */
export function toAppError(err: unknown, operation: string, details: Record<string, unknown> = {}): unknown {
  if (err instanceof AppError) return err;
  if (!(err instanceof KafkaJSError) && !(err instanceof KafkaJSAggregateError)) return err;
  const inner = innermost(err);
  const type = protocolType(inner);
  const reason = inner instanceof Error ? inner.message : String(inner);
  const message = `${operation} failed: ${reason}`;
  const allDetails = { ...details, operation, kafkaError: type ?? (inner as Error).name };
  const callerCode = type === undefined ? undefined : CALLER_ERRORS[type];
  if (callerCode !== undefined) {
    return new AppError(callerCode, message, { cause: err, details: allDetails });
  }
  // After kafkajs's own retries ran out on a retriable error it is still worth trying later.
  const retriable = inner instanceof KafkaJSError && inner.retriable;
  const code = type === undefined ? 'KAFKA_UNAVAILABLE' : `KAFKA_${type}`;
  if (retriable) return new TransientError(code, message, { cause: err, details: allDetails });
  return new StorageError(type === undefined ? 'KAFKA_FAILED' : code, message, {
    cause: err,
    details: allDetails,
  });
}

/** Runs a kafkajs call and rethrows its failure through `toAppError`. */
export async function kafkaCall<T>(
  operation: string,
  fn: () => Promise<T>,
  details?: Record<string, unknown>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toAppError(err, operation, details);
  }
}
