import path from 'node:path';
import pino from 'pino';
import type { Logger } from '../../platform/logger';
import { resolveMode, type CommonFlags } from './common-flags';
import { createOpsContext, type CheckpointBase, type OpsContext } from './ops-context';
import { openOpsStores, type OpsStores } from './open-ops-stores';
import { createProgressReporter } from './progress-reporter';
import { EXIT, type CliIo } from './run-cli';
import { formatSummary } from './run-summary';

export interface OperationRun {
  command: string;
  flags: CommonFlags;
  /** The arguments that make two runs the same job (its checkpoint key); mode and stores are added. */
  identity: Record<string, unknown>;
  io: CliIo;
  env?: NodeJS.ProcessEnv;
  /** Refuse an embedded data dir that holds no data. */
  mustExist?: boolean;
}

export interface OperationOutcome {
  details: string[];
  /** Default: ok. */
  exitCode?: number;
}

/** Logs go to stderr as JSON, below the progress; LOG_LEVEL (default warn) sets the level. */
export function opsLogger(command: string, env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({ name: command, level: env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
}

/**
 * The frame of every command: opens the stores for the mode, the checkpoint
 * and rejects under the state dir, runs the operation, and prints the
 * summary, also when it stops early (interrupted, too many errors).
 */
export async function runOperation<S extends CheckpointBase>(
  run: OperationRun,
  body: (stores: OpsStores, ctx: OpsContext<S>) => Promise<OperationOutcome>,
): Promise<number> {
  const env = run.env ?? process.env;
  const { mode, dataDir } = resolveMode(run.flags, env);
  const logger = opsLogger(run.command, env);
  const stores = await openOpsStores({
    mode,
    dataDir,
    env,
    owner: run.command,
    logger,
    mustExist: run.mustExist,
  });
  let ctx: OpsContext<S> | undefined;
  let outcome: OperationOutcome | undefined;
  try {
    const where =
      mode === 'embedded'
        ? path.resolve(dataDir)
        : [env.CASSANDRA_KEYSPACE, env.KAFKA_TOPIC_PREFIX, env.ELASTICSEARCH_INDEX_PREFIX].join('|');
    ctx = await createOpsContext<S>({
      stateDir: run.flags.stateDir ?? stores.defaultStateDir,
      command: run.command,
      identity: { ...run.identity, mode, where },
      restart: run.flags.restart,
      dryRun: run.flags.dryRun,
      rate: run.flags.rate,
      maxErrors: run.flags.maxErrors,
      progress: createProgressReporter({ style: run.flags.progress, stream: run.io.err }),
      signal: run.io.signal,
      logger,
    });
    outcome = await body(stores, ctx);
    return outcome.exitCode ?? EXIT.ok;
  } finally {
    if (ctx) {
      ctx.progress.done();
      await ctx.close();
      run.io.out.write(
        formatSummary({
          command: run.command,
          counts: ctx.stats.snapshot(),
          elapsedMs: ctx.base().elapsedMs,
          rejects: { path: ctx.rejects.path, count: ctx.rejects.count },
          dryRun: ctx.dryRun,
          details: outcome?.details ?? [`stopped early; checkpoint: ${ctx.checkpoint.file}`],
        }),
      );
    }
    await stores.close();
  }
}
