import net, { type Socket } from 'node:net';
import { type ISocketFactory, Kafka, type LogEntry, type RetryOptions, logLevel } from 'kafkajs';
import type { Logger } from '../../logger';
import type { KafkaSettings } from './kafka-settings';

const KEEP_ALIVE_MS = 60_000;

/** kafkajs levels for the most verbose pino level enabled, so kafkajs does not build lines nobody reads. */
function kafkaLevel(logger: Logger): logLevel {
  const value = logger.levelVal;
  if (value <= 10) return logLevel.DEBUG;
  if (value <= 20) return logLevel.INFO;
  if (value <= 40) return logLevel.WARN;
  return logLevel.NOTHING;
}

/**
 * kafkajs logs retried requests and other recovered conditions at ERROR, and
 * group membership at INFO; the adapter reports real failures itself, so
 * those are demoted one step (ERROR to warn, INFO to debug).
 */
function logCreator(logger: Logger) {
  return () =>
    ({ namespace, level, log }: LogEntry): void => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { ...extra, kafkajs: namespace };
      // Limited retries are safe here: KafkaProducer replaces the producer after a failed send.
      if (message.startsWith('Limiting retries for the idempotent producer')) logger.debug(fields, message);
      else if (level <= logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.debug(fields, message);
      else logger.trace(fields, message);
    };
}

export function kafkaRetry(settings: KafkaSettings): RetryOptions {
  return {
    retries: settings.retry.retries,
    initialRetryTime: settings.retry.initialRetryTimeMs,
    maxRetryTime: settings.retry.maxRetryTimeMs,
  };
}

/** Looks at (and may hold back) each request frame kafkajs writes to a broker socket. */
export type WriteInterceptor = (frame: Buffer, write: (frame: Buffer) => void) => void;

/**
 * A kafkajs client on the adapter's settings. kafkajs writes every request as
 * one complete frame, which is what lets `intercept` see whole requests.
 */
export function createKafkaClient(
  settings: KafkaSettings,
  options: { clientIdSuffix?: string; intercept?: WriteInterceptor } = {},
): Kafka {
  const { connectSocket } = settings;
  const { intercept } = options;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    let socket: Socket;
    if (connectSocket) {
      socket = connectSocket({ host, port });
      socket.once('connect', onConnect);
    } else {
      socket = net.connect({ host, port }, onConnect);
    }
    socket.setKeepAlive(true, KEEP_ALIVE_MS);
    if (intercept) {
      const write = socket.write.bind(socket) as (frame: Buffer) => boolean;
      const passOn = (frame: Buffer): void => {
        if (!socket.destroyed) write(frame);
      };
      socket.write = ((frame: Buffer) => {
        intercept(frame, passOn);
        return true;
      }) as Socket['write'];
    }
    return socket;
  };
  return new Kafka({
    clientId: options.clientIdSuffix ? `${settings.clientId}-${options.clientIdSuffix}` : settings.clientId,
    brokers: settings.brokers,
    logLevel: kafkaLevel(settings.logger),
    logCreator: logCreator(settings.logger),
    retry: kafkaRetry(settings),
    requestTimeout: settings.requestTimeoutMs,
    connectionTimeout: settings.connectionTimeoutMs,
    socketFactory,
  });
}
