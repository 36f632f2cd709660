import type { z } from 'zod';
import { AppError, ValidationError } from '../../platform/errors';
import { parseCommandLine, type CommandSpec } from './cli-flags';

export interface CliIo {
  /** Aborted on the first Ctrl-C or SIGTERM: the command checkpoints and stops. */
  signal: AbortSignal;
  out: NodeJS.WritableStream;
  err: NodeJS.WriteStream;
}

/** Exit codes: 0 done, 1 failed, 2 bad arguments, 3 differences found (verify), 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, differences: 3, interrupted: 130 } as const;

/**
 * Runs a command's main with the shared behaviour: --help, flag errors named
 * by flag (exit 2), a graceful stop on the first Ctrl-C (a second one exits
 * at once), and a clear one-line error with its code otherwise.
 */
export async function runCli<S extends z.ZodObject>(
  spec: CommandSpec<S>,
  argv: readonly string[],
  main: (flags: z.output<S>, io: CliIo) => Promise<number>,
): Promise<number> {
  const io: CliIo = { signal: new AbortController().signal, out: process.stdout, err: process.stderr };
  const controller = new AbortController();
  io.signal = controller.signal;
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    io.err.write(`\n${sig}: saving the checkpoint and stopping (again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const parsed = parseCommandLine(spec, argv);
    if (parsed.help) {
      io.out.write(parsed.text);
      return EXIT.ok;
    }
    return await main(parsed.flags, io);
  } catch (err) {
    return reportError(err, spec.name, io.err);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export function reportError(err: unknown, command: string, stream: NodeJS.WritableStream): number {
  if (err instanceof ValidationError) {
    const lines = err.issues.map((i) => `  ${i.field ? `${i.field}: ` : ''}${i.reason}`);
    stream.write(`${command}: ${err.message}\n${lines.join('\n')}\n(see npm run ${command} -- --help)\n`);
    return EXIT.usage;
  }
  if (err instanceof AppError && err.code === 'INTERRUPTED') {
    stream.write(`${command}: ${err.message}\n`);
    return EXIT.interrupted;
  }
  const code = err instanceof AppError ? ` [${err.code}]` : '';
  const message = err instanceof Error ? err.message : String(err);
  stream.write(`${command}: error${code}: ${message}\n`);
  if (process.env.OPS_DEBUG && err instanceof Error) stream.write(`${err.stack}\n`);
  return EXIT.failed;
}
