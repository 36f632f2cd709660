import { AppError, TransientError } from '../../platform/errors';
import { tailFile } from './log-tail';

export interface ReadinessWait {
  engine: string;
  /** Resolves when the engine answers a real request; throws otherwise. */
  probe: () => Promise<void>;
  isAlive: () => Promise<boolean>;
  timeoutMs: number;
  logFile: string;
}

export const LOG_TAIL_LINES = 40;

/** Polls the probe until it succeeds; returns the wait in ms. Fails early if the engine exits. */
export async function waitUntilReady(wait: ReadinessWait): Promise<number> {
  const started = Date.now();
  const deadline = started + wait.timeoutMs;
  let delay = 250;
  let lastError: unknown;
  for (;;) {
    try {
      await wait.probe();
      return Date.now() - started;
    } catch (err) {
      lastError = err;
    }
    if (!(await wait.isAlive())) {
      throw new AppError('ENGINE_EXITED', await message(wait, 'exited before it became ready', lastError), {
        cause: lastError,
        details: { engine: wait.engine, logFile: wait.logFile },
      });
    }
    if (Date.now() >= deadline) {
      throw new TransientError(
        'ENGINE_NOT_READY',
        await message(wait, `was not ready after ${Math.round(wait.timeoutMs / 1000)}s`, lastError),
        { cause: lastError, details: { engine: wait.engine, logFile: wait.logFile } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
    delay = Math.min(1_000, delay * 2);
  }
}

async function message(wait: ReadinessWait, what: string, lastError: unknown): Promise<string> {
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  const tail = await tailFile(wait.logFile, LOG_TAIL_LINES);
  return `${wait.engine} ${what} (last probe error: ${reason}).\nLast ${LOG_TAIL_LINES} lines of ${wait.logFile}:\n${tail}`;
}
