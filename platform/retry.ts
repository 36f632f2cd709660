import { type Clock, systemClock } from './clock';
import { isRetriable } from './errors';
import type { Logger } from './logger';

export interface RetryPolicy {
  /** Attempts in total, including the first. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** Multiplier between consecutive delays. */
  factor: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 100,
  maxDelayMs: 10_000,
  factor: 2,
};

export interface RetryOptions {
  policy?: Partial<RetryPolicy>;
  clock?: Clock;
  logger?: Logger;
  /** Decides which errors are worth another attempt; defaults to `isRetriable`. */
  shouldRetry?: (err: unknown) => boolean;
  random?: () => number;
  signal?: AbortSignal;
  /** Context for the log line written before each retry. */
  operation?: string;
}

/** Delay before retry number `attempt` (1-based): exponential, capped, with full jitter. */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Runs `fn` until it succeeds, a non-retriable error is thrown, or attempts run out. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const policy = { ...defaultRetryPolicy, ...options.policy };
  const clock = options.clock ?? systemClock;
  const shouldRetry = options.shouldRetry ?? isRetriable;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= policy.maxAttempts || !shouldRetry(err) || options.signal?.aborted) throw err;
      const delay = backoffDelay(policy, attempt, options.random);
      options.logger?.warn(
        { err, attempt, delayMs: delay, operation: options.operation },
        'retrying after error',
      );
      await clock.sleep(delay, options.signal);
    }
  }
}
