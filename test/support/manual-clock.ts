import type { Clock } from '../../platform/clock';

/** A clock that moves only when told; sleepers wake when their time has come. */
export class ManualClock implements Clock {
  private readonly sleepers = new Set<{ at: number; wake: () => void }>();
  constructor(private t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper = {
        at: this.t + ms,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          this.sleepers.delete(sleeper);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
    });
  }
  /** Jumps to an absolute time (never backwards), waking sleepers that are due. */
  set(t: number): void {
    this.advance(Math.max(0, t - this.t));
  }
  advance(ms: number): void {
    this.t += ms;
    for (const s of [...this.sleepers]) if (s.at <= this.t) s.wake();
  }
  get sleeping(): number {
    return this.sleepers.size;
  }
}
