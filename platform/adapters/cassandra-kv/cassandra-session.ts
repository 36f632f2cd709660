import { Client, policies, types } from 'cassandra-driver';
import { StorageError } from '../../errors';
import type { Logger } from '../../logger';
import { retry } from '../../retry';
import type { CassandraConsistency, ResolvedConnectOptions } from './cassandra-options';
import { mapDriverError } from './map-driver-error';

export interface CqlStatement {
  query: string;
  params: unknown[];
}

export interface CqlRequest {
  /** StorageError code for non-retriable failures. */
  code: string;
  /** For messages and retry log lines. */
  what: string;
  /** Only for node-local system tables, whose replication ignores the level. */
  consistency?: CassandraConsistency;
  timeoutMs?: number;
}

export type CqlRow = types.Row;

/** bigint and counter columns arrive as Long, which Number() only parses through its string form. */
export function cqlNumber(value: unknown): number {
  return value instanceof types.Long ? value.toNumber() : Number(value);
}

const CONSISTENCY: Record<CassandraConsistency, types.consistencies> = {
  ONE: types.consistencies.one,
  TWO: types.consistencies.two,
  THREE: types.consistencies.three,
  QUORUM: types.consistencies.quorum,
  ALL: types.consistencies.all,
  LOCAL_ONE: types.consistencies.localOne,
  LOCAL_QUORUM: types.consistencies.localQuorum,
  EACH_QUORUM: types.consistencies.eachQuorum,
};

/**
 * Schema changes wait for every node to agree on the new schema, which takes
 * longer than a query; schema lookups, rare and node-local, share the limit.
 */
export const SCHEMA_TIMEOUT_MS = 60_000;
/** The driver's own default read timeout, kept for its control-connection queries. */
const DRIVER_METADATA_TIMEOUT_MS = 12_000;

/**
 * One driver client and the rules every statement follows: prepared, with
 * the configured consistency and client-side timeout, idempotent, never
 * retried by the driver (its retry policy rethrows everything) and retried
 * only by platform/retry for errors mapped to TransientError.
 */
export class CassandraSession {
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly client: Client,
    readonly options: ResolvedConnectOptions,
    readonly logger: Logger,
  ) {}

  static async open(options: ResolvedConnectOptions, component: string): Promise<CassandraSession> {
    const logger = options.logger.child({ component, keyspace: options.keyspace });
    const client = await retry(
      async () => {
        const candidate = new Client({
          contactPoints: options.contactPoints,
          localDataCenter: options.localDataCenter,
          policies: { retry: new policies.retry.FallthroughRetryPolicy() },
          // Every request sets its own limit; this one only bounds the driver's metadata queries.
          socketOptions: {
            connectTimeout: options.connectTimeoutMs,
            readTimeout: Math.max(options.requestTimeoutMs, DRIVER_METADATA_TIMEOUT_MS),
          },
          queryOptions: { consistency: CONSISTENCY[options.consistency], prepare: true, isIdempotent: true },
        });
        candidate.on('log', (level: string, className: string, message: string) => {
          if (level === 'warning') logger.warn({ driver: className }, message);
          else if (level === 'error') logger.error({ driver: className }, message);
        });
        try {
          await candidate.connect();
          return candidate;
        } catch (err) {
          await candidate.shutdown().catch(() => undefined);
          throw mapDriverError(
            err,
            'CASSANDRA_CONNECT_FAILED',
            `connect to ${options.contactPoints.join(',')}`,
          );
        }
      },
      { policy: options.retryPolicy, logger, operation: 'cassandra connect' },
    );
    logger.debug({ consistency: options.consistency }, 'cassandra session open');
    return new CassandraSession(client, options, logger);
  }

  /** Runs one prepared statement; paging is the caller's (LIMIT), so the first page is the whole answer. */
  async execute(query: string, params: unknown[], request: CqlRequest): Promise<CqlRow[]> {
    return this.withRetry(request, async () => {
      const result = await this.client.execute(query, params, {
        prepare: true,
        consistency: CONSISTENCY[request.consistency ?? this.options.consistency],
        readTimeout: request.timeoutMs ?? this.options.requestTimeoutMs,
        isIdempotent: true,
        fetchSize: 5000,
      });
      return result.rows;
    });
  }

  /** An UNLOGGED batch: atomic and isolated only when every statement targets one partition. */
  async batch(statements: CqlStatement[], request: CqlRequest): Promise<void> {
    if (statements.length === 1) {
      await this.execute(statements[0]!.query, statements[0]!.params, request);
      return;
    }
    await this.withRetry(request, async () => {
      await this.client.batch(statements, {
        prepare: true,
        logged: false,
        consistency: CONSISTENCY[request.consistency ?? this.options.consistency],
        readTimeout: request.timeoutMs ?? this.options.requestTimeoutMs,
        isIdempotent: true,
      });
    });
  }

  /** DDL, unprepared; the driver waits for schema agreement before resolving. */
  async schemaChange(query: string, what: string): Promise<void> {
    await this.withRetry({ code: 'CASSANDRA_SCHEMA_FAILED', what }, async () => {
      await this.client.execute(query, [], {
        prepare: false,
        consistency: CONSISTENCY[this.options.consistency],
        readTimeout: Math.max(SCHEMA_TIMEOUT_MS, this.options.requestTimeoutMs),
        isIdempotent: true,
      });
    });
  }

  assertOpen(): void {
    if (this.closing !== undefined) throw new StorageError('KV_CLOSED', 'cassandra store is closed');
  }

  /** Idempotent; in-flight requests finish or fail first. */
  close(): Promise<void> {
    this.closing ??= this.client.shutdown().then(() => this.logger.debug('cassandra session closed'));
    return this.closing;
  }

  private withRetry<T>(request: CqlRequest, fn: () => Promise<T>): Promise<T> {
    return retry(
      async () => {
        this.assertOpen();
        try {
          return await fn();
        } catch (err) {
          throw mapDriverError(err, request.code, request.what);
        }
      },
      { policy: this.options.retryPolicy, logger: this.logger, operation: request.what },
    );
  }
}
