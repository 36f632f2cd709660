import { open, readFile, rm } from 'node:fs/promises';
import { AppError } from '../../platform/errors';
import { isProcessAlive } from './process-supervisor';

const POLL_MS = 250;

/**
 * Runs `fn` while holding an exclusive lock file, so two `up` calls (two jest
 * runs, a CLI and a test) never fetch or start the same engine twice. A lock
 * whose owner died is taken over.
 */
export async function withFileLock<T>(lockFile: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && !(await isProcessAlive(owner))) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new AppError('ENGINE_LOCKED', `${lockFile} is held by process ${owner || 'unknown'}`, {
        retriable: true,
        details: { lockFile, owner },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    return await fn();
  } finally {
    await rm(lockFile, { force: true });
  }
}
