import path from 'node:path';
import { existsSync } from 'node:fs';
import { ValidationError, type FieldIssue } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import type { RetryPolicy } from '../../retry';

/** Levels valid for both reads and writes (ANY is write-only, SERIAL levels are for LWT). */
export const CASSANDRA_CONSISTENCIES = [
  'ONE',
  'TWO',
  'THREE',
  'QUORUM',
  'ALL',
  'LOCAL_ONE',
  'LOCAL_QUORUM',
  'EACH_QUORUM',
] as const;
export type CassandraConsistency = (typeof CASSANDRA_CONSISTENCIES)[number];

export interface CassandraConnectOptions {
  /** `host` or `host:port`. */
  contactPoints: string[];
  /** Requests go to this data center's nodes only. */
  localDataCenter: string;
  keyspace: string;
  /** Create the keyspace and tables from schemas/cassandra, and unknown KV tables on first write. Default false. */
  createSchema?: boolean;
  /** For every read and write; default LOCAL_QUORUM (with LOCAL_QUORUM writes, reads see acknowledged writes). */
  consistency?: CassandraConsistency;
  /** Client-side limit per request (each page of a scan, each write batch); default 10 000. */
  requestTimeoutMs?: number;
  /** TCP connect limit per connection attempt; default 5 000. */
  connectTimeoutMs?: number;
  logger?: Logger;
  /** Retries of retriable failures (timeouts, unavailable, overloaded) per request; see DEFAULT_CASSANDRA_RETRY. */
  retryPolicy?: Partial<RetryPolicy>;
  /** Where the *.cql files live; default schemas/cassandra of this repository. */
  schemaDir?: string;
}

/**
 * Short in-adapter retries ride out a blip; a longer outage surfaces as a
 * TransientError for the caller's own retry (the consumers retry whole flushes).
 */
export const DEFAULT_CASSANDRA_RETRY: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 50,
  maxDelayMs: 1000,
  factor: 2,
};

export interface ResolvedConnectOptions {
  contactPoints: string[];
  localDataCenter: string;
  keyspace: string;
  createSchema: boolean;
  consistency: CassandraConsistency;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  logger: Logger;
  retryPolicy: RetryPolicy;
  schemaDir: string;
}

/** Cassandra's own limit on keyspace names, and unquoted-identifier syntax. */
const KEYSPACE = /^[a-z][a-z0-9_]{0,47}$/;

export function resolveConnectOptions(options: CassandraConnectOptions): ResolvedConnectOptions {
  const issues: FieldIssue[] = [];
  const o = (options ?? {}) as Partial<CassandraConnectOptions>;
  if (
    !Array.isArray(o.contactPoints) ||
    o.contactPoints.length === 0 ||
    !o.contactPoints.every((p) => typeof p === 'string' && p.length > 0)
  ) {
    issues.push({ field: 'contactPoints', reason: 'must be a non-empty array of host[:port] strings' });
  }
  if (typeof o.localDataCenter !== 'string' || o.localDataCenter.length === 0) {
    issues.push({ field: 'localDataCenter', reason: 'must be a non-empty string' });
  }
  if (typeof o.keyspace !== 'string' || !KEYSPACE.test(o.keyspace)) {
    issues.push({ field: 'keyspace', reason: 'must match [a-z][a-z0-9_]{0,47}' });
  }
  if (o.consistency !== undefined && !CASSANDRA_CONSISTENCIES.includes(o.consistency)) {
    issues.push({ field: 'consistency', reason: `must be one of ${CASSANDRA_CONSISTENCIES.join(', ')}` });
  }
  for (const field of ['requestTimeoutMs', 'connectTimeoutMs'] as const) {
    const value = o[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
      issues.push({ field, reason: 'must be a positive integer of milliseconds' });
    }
  }
  const retryPolicy = { ...DEFAULT_CASSANDRA_RETRY, ...o.retryPolicy };
  if (!Number.isSafeInteger(retryPolicy.maxAttempts) || retryPolicy.maxAttempts < 1) {
    issues.push({ field: 'retryPolicy.maxAttempts', reason: 'must be a positive integer' });
  }
  for (const field of ['initialDelayMs', 'maxDelayMs'] as const) {
    if (!Number.isFinite(retryPolicy[field]) || retryPolicy[field] < 0) {
      issues.push({ field: `retryPolicy.${field}`, reason: 'must be a non-negative number' });
    }
  }
  if (!Number.isFinite(retryPolicy.factor) || retryPolicy.factor < 1) {
    issues.push({ field: 'retryPolicy.factor', reason: 'must be a number >= 1' });
  }
  if (o.schemaDir !== undefined && (typeof o.schemaDir !== 'string' || o.schemaDir.length === 0)) {
    issues.push({ field: 'schemaDir', reason: 'must be a non-empty path' });
  }
  if (issues.length > 0) throw new ValidationError('invalid cassandra options', issues);
  return {
    contactPoints: [...o.contactPoints!],
    localDataCenter: o.localDataCenter!,
    keyspace: o.keyspace!,
    createSchema: o.createSchema ?? false,
    consistency: o.consistency ?? 'LOCAL_QUORUM',
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    connectTimeoutMs: o.connectTimeoutMs ?? 5_000,
    logger: o.logger ?? silentLogger,
    retryPolicy,
    schemaDir: o.schemaDir ?? defaultSchemaDir(),
  };
}

/** schemas/cassandra beside the sources, whether running from them or compiled into dist/. */
function defaultSchemaDir(): string {
  const fromSource = path.resolve(__dirname, '..', '..', '..', 'schemas', 'cassandra');
  if (existsSync(fromSource)) return fromSource;
  return path.resolve(__dirname, '..', '..', '..', '..', 'schemas', 'cassandra');
}
