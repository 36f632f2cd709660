import { type Clock, systemClock } from '../../platform/clock';
import { AppError } from '../../platform/errors';
import { silentLogger, type Logger } from '../../platform/logger';
import { CheckpointStore } from './checkpoint-store';
import { silentProgress, type ProgressReporter } from './progress-reporter';
import { RejectsFile } from './rejects-file';
import { RunStats, zeroCounts, type Counts } from './run-stats';
import { Throttle } from './throttle';

/** What every operation's checkpoint carries besides its own position. */
export interface CheckpointBase {
  counts: Counts;
  rejects: { bytes: number; count: number };
  /** Milliseconds spent in earlier runs, so the summary covers the whole job. */
  elapsedMs: number;
}

/** The machinery an operation runs with: progress, checkpoint, throttle, rejects, counts. */
export interface OpsContext<S extends CheckpointBase = CheckpointBase> {
  checkpoint: CheckpointStore<S>;
  stats: RunStats;
  rejects: RejectsFile;
  throttle: Throttle;
  progress: ProgressReporter;
  dryRun: boolean;
  /** Aborted by Ctrl-C / SIGTERM: the operation saves its checkpoint and stops. */
  signal: AbortSignal;
  logger: Logger;
  clock: Clock;
  startedAt: number;
  /** The base fields of a checkpoint as of now. */
  base(): CheckpointBase;
  /** Syncs the rejects file, then saves the checkpoint with the base fields filled in. */
  save(position: Omit<S, keyof CheckpointBase>): Promise<void>;
  /** Throws INTERRUPTED if the signal fired. Call where a checkpoint was just saved. */
  throwIfAborted(): void;
  close(): Promise<void>;
}

export interface OpsContextOptions {
  stateDir: string;
  command: string;
  /** What makes two runs the same job (the arguments that change what it does). */
  identity: Record<string, unknown>;
  restart?: boolean;
  dryRun?: boolean;
  rate?: number;
  maxErrors?: number;
  progress?: ProgressReporter;
  signal?: AbortSignal;
  logger?: Logger;
  clock?: Clock;
}

export async function createOpsContext<S extends CheckpointBase>(
  options: OpsContextOptions,
): Promise<OpsContext<S>> {
  const clock = options.clock ?? systemClock;
  const checkpoint = await CheckpointStore.open<S>(options.stateDir, options.command, options.identity, {
    restart: options.restart,
  });
  const prior = checkpoint.state;
  const rejects = await RejectsFile.open(
    checkpoint.path('rejects.ndjson'),
    prior?.rejects ?? { bytes: 0, count: 0 },
  );
  const stats = new RunStats(rejects, options.maxErrors, prior?.counts ?? zeroCounts());
  const startedAt = clock.now();
  const signal = options.signal ?? new AbortController().signal;
  const base = (): CheckpointBase => ({
    counts: stats.snapshot(),
    rejects: { bytes: rejects.bytes, count: rejects.count },
    elapsedMs: (prior?.elapsedMs ?? 0) + clock.now() - startedAt,
  });
  return {
    checkpoint,
    stats,
    rejects,
    throttle: new Throttle(options.rate, clock),
    progress: options.progress ?? silentProgress,
    dryRun: options.dryRun ?? false,
    signal,
    logger: options.logger ?? silentLogger,
    clock,
    startedAt,
    base,
    save: async (position) => {
      await rejects.sync();
      await checkpoint.save({ ...position, ...base() } as S);
    },
    throwIfAborted: () => {
      if (signal.aborted) {
        throw new AppError('INTERRUPTED', 'interrupted; run the same command again to resume', {
          details: { checkpoint: checkpoint.file },
        });
      }
    },
    close: () => rejects.close(),
  };
}
