import type { Socket } from 'node:net';
import { type FieldIssue, ValidationError } from '../../errors';
import { type Logger, silentLogger } from '../../logger';

/** Opens the TCP connection to one broker; for tunnels, proxies and fault-injection tests. */
export type ConnectSocket = (target: { host: string; port: number }) => Socket;

export interface KafkaRetrySettings {
  /** Retries after the first attempt of a request that failed with a retriable error. */
  retries?: number;
  initialRetryTimeMs?: number;
  maxRetryTimeMs?: number;
}

export interface KafkaConsumerSettings {
  /** The broker evicts a member it has not heard from for this long. */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long the broker waits for members to rejoin; onRevoke must finish within it. */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for data; also how long stop() may wait for a fetch in flight. */
  maxWaitMs?: number;
  maxBytesPerPartition?: number;
}

export interface KafkaEventLogOptions {
  brokers: string[];
  clientId?: string;
  /** Prepended to every topic name on the broker, e.g. `prod.` or a per-test-run prefix. */
  topicPrefix?: string;
  /** Prepended to every consumer group id; defaults to `topicPrefix`. */
  groupIdPrefix?: string;
  logger?: Logger;
  retry?: KafkaRetrySettings;
  requestTimeoutMs?: number;
  connectionTimeoutMs?: number;
  /** Replication factor of topics that ensureTopic creates; default 1. */
  replicationFactor?: number;
  /**
   * retention.ms of topics that ensureTopic creates. Default -1 (keep forever), as the
   * embedded log does, so consumers that start at offset 0 keep working.
   */
  retentionMs?: number;
  /** Upper bound on the record bytes of one produce request; larger produce calls are split. */
  maxRequestBytes?: number;
  consumer?: KafkaConsumerSettings;
  connectSocket?: ConnectSocket;
}

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  topicPrefix: string;
  groupIdPrefix: string;
  logger: Logger;
  retry: Required<KafkaRetrySettings>;
  requestTimeoutMs: number;
  connectionTimeoutMs: number;
  replicationFactor: number;
  retentionMs: number;
  maxRequestBytes: number;
  consumer: Required<KafkaConsumerSettings>;
  connectSocket: ConnectSocket | undefined;
}

const HOST_PORT = /^[^\s:]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/;

function positiveInt(
  issues: FieldIssue[],
  field: string,
  value: number | undefined,
  fallback: number,
  min = 1,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    issues.push({ field, reason: `must be an integer >= ${min}` });
    return fallback;
  }
  return value;
}

/** Checks the options and fills in defaults; every problem is reported at once. */
export function kafkaSettings(options: KafkaEventLogOptions): KafkaSettings {
  const issues: FieldIssue[] = [];
  const brokers = options?.brokers;
  if (!Array.isArray(brokers) || brokers.length === 0) {
    issues.push({ field: 'brokers', reason: 'must be a non-empty array of host:port' });
  } else {
    brokers.forEach((broker, i) => {
      if (typeof broker !== 'string' || !HOST_PORT.test(broker)) {
        issues.push({ field: `brokers[${i}]`, reason: 'must be host:port' });
      }
    });
  }
  const topicPrefix = options?.topicPrefix ?? '';
  if (typeof topicPrefix !== 'string') issues.push({ field: 'topicPrefix', reason: 'must be a string' });
  const groupIdPrefix = options?.groupIdPrefix ?? topicPrefix;
  if (typeof groupIdPrefix !== 'string') issues.push({ field: 'groupIdPrefix', reason: 'must be a string' });
  const clientId = options?.clientId ?? 'picsearch';
  if (typeof clientId !== 'string' || clientId.length === 0) {
    issues.push({ field: 'clientId', reason: 'must be a non-empty string' });
  }
  const retry = options?.retry ?? {};
  const consumer = options?.consumer ?? {};
  const settings: KafkaSettings = {
    brokers,
    clientId,
    topicPrefix,
    groupIdPrefix,
    logger: options?.logger ?? silentLogger,
    retry: {
      retries: positiveInt(issues, 'retry.retries', retry.retries, 5, 0),
      initialRetryTimeMs: positiveInt(issues, 'retry.initialRetryTimeMs', retry.initialRetryTimeMs, 300),
      maxRetryTimeMs: positiveInt(issues, 'retry.maxRetryTimeMs', retry.maxRetryTimeMs, 30_000),
    },
    requestTimeoutMs: positiveInt(issues, 'requestTimeoutMs', options?.requestTimeoutMs, 30_000),
    connectionTimeoutMs: positiveInt(issues, 'connectionTimeoutMs', options?.connectionTimeoutMs, 3_000),
    replicationFactor: positiveInt(issues, 'replicationFactor', options?.replicationFactor, 1),
    retentionMs: options?.retentionMs ?? -1,
    maxRequestBytes: positiveInt(issues, 'maxRequestBytes', options?.maxRequestBytes, 900 * 1024, 1024),
    consumer: {
      sessionTimeoutMs: positiveInt(issues, 'consumer.sessionTimeoutMs', consumer.sessionTimeoutMs, 30_000),
      heartbeatIntervalMs: positiveInt(
        issues,
        'consumer.heartbeatIntervalMs',
        consumer.heartbeatIntervalMs,
        3_000,
      ),
      rebalanceTimeoutMs: positiveInt(
        issues,
        'consumer.rebalanceTimeoutMs',
        consumer.rebalanceTimeoutMs,
        60_000,
      ),
      maxWaitMs: positiveInt(issues, 'consumer.maxWaitMs', consumer.maxWaitMs, 500),
      maxBytesPerPartition: positiveInt(
        issues,
        'consumer.maxBytesPerPartition',
        consumer.maxBytesPerPartition,
        1024 * 1024,
      ),
    },
    connectSocket: options?.connectSocket,
  };
  const { retentionMs } = settings;
  if (retentionMs !== -1 && (!Number.isSafeInteger(retentionMs) || retentionMs < 1)) {
    issues.push({
      field: 'retentionMs',
      reason: 'must be -1 (forever) or a positive integer of milliseconds',
    });
  }
  if (settings.consumer.heartbeatIntervalMs >= settings.consumer.sessionTimeoutMs) {
    issues.push({ field: 'consumer.heartbeatIntervalMs', reason: 'must be lower than sessionTimeoutMs' });
  }
  if (settings.connectSocket !== undefined && typeof settings.connectSocket !== 'function') {
    issues.push({ field: 'connectSocket', reason: 'must be a function' });
  }
  if (issues.length > 0) throw new ValidationError('invalid Kafka event log options', issues);
  return settings;
}
