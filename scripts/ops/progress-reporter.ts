import { SingleBar } from 'cli-progress';
import { type Clock, systemClock } from '../../platform/clock';

/** Progress of one phase at a time: a bar on a terminal, periodic lines otherwise. */
export interface ProgressReporter {
  /** Starts a phase; `total` when known (documents, records, lines). */
  phase(label: string, total?: number): void;
  increment(n: number): void;
  /** Ends the current phase (and prints its last line). */
  done(): void;
}

export type ProgressStyle = 'auto' | 'bar' | 'lines' | 'off';

export interface ProgressOptions {
  style?: ProgressStyle;
  stream?: NodeJS.WriteStream;
  /** Between two plain lines; default 5 s. */
  intervalMs?: number;
  clock?: Clock;
}

export const silentProgress: ProgressReporter = { phase: () => {}, increment: () => {}, done: () => {} };

export function createProgressReporter(options: ProgressOptions = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const style = options.style ?? 'auto';
  if (style === 'off') return silentProgress;
  const clock = options.clock ?? systemClock;
  if (style === 'bar' || (style === 'auto' && stream.isTTY)) return new BarProgress(stream, clock);
  return new LineProgress(stream, clock, options.intervalMs ?? 5000);
}

const formatEta = (seconds: number) =>
  !Number.isFinite(seconds) ? '?' : seconds < 90 ? `${Math.ceil(seconds)}s` : `${Math.ceil(seconds / 60)}m`;

/** Rate over the whole phase: steadier than an instantaneous one under a throttle. */
class PhaseState {
  value = 0;
  constructor(
    readonly label: string,
    readonly total: number | undefined,
    readonly startedAt: number,
  ) {}

  rate(now: number): number {
    const seconds = Math.max(0.001, (now - this.startedAt) / 1000);
    return this.value / seconds;
  }

  eta(now: number): number {
    if (this.total === undefined) return Number.NaN;
    const rate = this.rate(now);
    return rate > 0 ? Math.max(0, this.total - this.value) / rate : Number.POSITIVE_INFINITY;
  }
}

class LineProgress implements ProgressReporter {
  private current: PhaseState | undefined;
  private lastLineAt = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  phase(label: string, total?: number): void {
    this.done();
    this.current = new PhaseState(label, total, this.clock.now());
    this.lastLineAt = this.clock.now();
    this.stream.write(
      `${label}: started${total === undefined ? '' : ` (${total.toLocaleString('en')} to do)`}\n`,
    );
  }

  increment(n: number): void {
    if (!this.current) return;
    this.current.value += n;
    const now = this.clock.now();
    if (now - this.lastLineAt >= this.intervalMs) {
      this.lastLineAt = now;
      this.line(now);
    }
  }

  done(): void {
    if (!this.current) return;
    this.line(this.clock.now(), true);
    this.current = undefined;
  }

  private line(now: number, last = false): void {
    const p = this.current!;
    const of = p.total === undefined ? '' : `/${p.total.toLocaleString('en')}`;
    const pct = p.total ? ` (${Math.floor((100 * p.value) / p.total)}%)` : '';
    const eta = last || p.total === undefined ? '' : ` ETA ${formatEta(p.eta(now))}`;
    const rate = Math.round(p.rate(now)).toLocaleString('en');
    this.stream.write(
      `${p.label}: ${p.value.toLocaleString('en')}${of}${pct} ${rate}/s${eta}${last ? ' done' : ''}\n`,
    );
  }
}

class BarProgress implements ProgressReporter {
  private bar: SingleBar | undefined;
  private current: PhaseState | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly clock: Clock,
  ) {}

  phase(label: string, total?: number): void {
    this.done();
    this.current = new PhaseState(label, total, this.clock.now());
    const format =
      total === undefined
        ? '{label} {value} | {rate}/s | {duration_formatted}'
        : '{label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}';
    this.bar = new SingleBar({
      format,
      stream: this.stream,
      hideCursor: true,
      etaBuffer: 50,
      fps: 5,
      noTTYOutput: !this.stream.isTTY,
    });
    this.bar.start(total ?? 0, 0, { label, rate: '0' });
  }

  increment(n: number): void {
    if (!this.bar || !this.current) return;
    this.current.value += n;
    this.bar.increment(n, { rate: Math.round(this.current.rate(this.clock.now())).toLocaleString('en') });
  }

  done(): void {
    this.bar?.stop();
    this.bar = undefined;
    this.current = undefined;
  }
}
