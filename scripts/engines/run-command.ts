import { spawn } from 'node:child_process';
import { AppError } from '../../platform/errors';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Error code when the command fails; the message carries the tail of its output. */
  errorCode: string;
}

const OUTPUT_TAIL_CHARS = 4_000;

/** Runs a command to completion and returns its combined output; throws with that output on failure. */
export async function runCommand(command: string, args: string[], options: RunOptions): Promise<string> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    },
  ).catch((err: unknown) => {
    throw new AppError(options.errorCode, `cannot run ${command}: ${(err as Error).message}`, { cause: err });
  });
  if (exit.code !== 0) {
    const tail = output.slice(-OUTPUT_TAIL_CHARS).trimEnd();
    throw new AppError(
      options.errorCode,
      `${command} ${args.join(' ')} failed (${exit.signal ?? `exit ${exit.code}`}):\n${tail}`,
      { details: { command, args, exitCode: exit.code, signal: exit.signal } },
    );
  }
  return output;
}
