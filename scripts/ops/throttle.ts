import { type Clock, systemClock } from '../../platform/clock';
import { ValidationError } from '../../platform/errors';

/**
 * A token bucket for `--rate`: `take(n)` resolves once n documents may go.
 * The bucket holds at most one second of tokens, so a pause is not followed
 * by a burst; a request larger than that runs into debt and waits it off.
 */
export class Throttle {
  private tokens: number;
  private last: number;

  constructor(
    readonly ratePerSecond: number | undefined,
    private readonly clock: Clock = systemClock,
  ) {
    if (ratePerSecond !== undefined && !(ratePerSecond > 0)) {
      throw new ValidationError('rate must be positive', [{ field: 'rate', reason: 'must be > 0' }]);
    }
    this.tokens = ratePerSecond ?? 0;
    this.last = clock.now();
  }

  /** Returns early once `signal` aborts. */
  async take(n: number, signal?: AbortSignal): Promise<void> {
    const rate = this.ratePerSecond;
    if (rate === undefined || n <= 0) return;
    const now = this.clock.now();
    this.tokens = Math.min(rate, this.tokens + ((now - this.last) / 1000) * rate);
    this.last = now;
    this.tokens -= n;
    if (this.tokens < 0 && !signal?.aborted) {
      // An abort ends the wait, not the write: the caller then checkpoints and stops.
      await this.clock.sleep(Math.ceil((-this.tokens / rate) * 1000), signal).catch((err: unknown) => {
        if (!signal?.aborted) throw err;
      });
    }
  }
}
