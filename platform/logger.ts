import pino from 'pino';

export type Logger = pino.Logger;

/** Keys whose values must never reach a log line. */
const REDACT = [
  'token',
  'adminToken',
  'authorization',
  'password',
  '*.token',
  '*.password',
  'req.headers.authorization',
];

export function createLogger(options: { level?: string; name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'picsearch',
    level: options.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: REDACT, censor: '[redacted]' },
  });
}

/** A logger that drops everything; the default for library code and tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
