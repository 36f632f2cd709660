import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError, StorageError } from '../errors';

export const LOCK_FILE = '.lock';

interface LockContent {
  pid: number;
  owner: string;
  token: string;
  since: string;
}

export interface DataDirLock {
  readonly file: string;
  readonly owner: string;
  /** Removes the lock file if it is still ours; idempotent. */
  release(): Promise<void>;
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(file: string): Promise<LockContent | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string'
      ? (parsed as LockContent)
      : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
    return undefined;
  }
}

/**
 * Takes the exclusive lock of an embedded data directory: the embedded log
 * and lmdb have no cross-process coordination, so the service and the
 * operator scripts must never open the same directory at once. The lock is a
 * file holding the owner's pid; a lock whose pid is gone (kill -9) is stale
 * and taken over.
 */
export async function acquireDataDirLock(dataDir: string, owner: string): Promise<DataDirLock> {
  await fs.mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const mine: LockContent = {
    pid: process.pid,
    owner,
    token: randomBytes(8).toString('hex'),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(mine), { flag: 'wx' });
      // Confirms no one replaced the file between our create and now (a concurrent stale takeover).
      const check = await readLock(file);
      if (check?.token === mine.token) return lockHandle(file, mine);
      continue;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new StorageError('DATA_DIR_LOCK_FAILED', `cannot create ${file}: ${(err as Error).message}`, {
          cause: err,
        });
      }
    }
    let held: LockContent | undefined;
    try {
      held = await readLock(file);
    } catch {
      continue; // Released meanwhile: try again.
    }
    if (held && processAlive(held.pid)) {
      throw new AppError(
        'DATA_DIR_LOCKED',
        `${dataDir} is in use by ${held.owner} (pid ${held.pid}, since ${held.since}); stop it first`,
        { details: { dataDir, pid: held.pid, owner: held.owner } },
      );
    }
    // Stale (its process is gone) or unreadable: move it aside rather than unlink, so two
    // processes taking over at once cannot delete each other's fresh lock.
    const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    await fs.rename(file, aside).catch(() => undefined);
    await fs.rm(aside, { force: true });
  }
  throw new AppError('DATA_DIR_LOCKED', `could not take the lock of ${dataDir}: it keeps changing hands`);
}

function lockHandle(file: string, mine: LockContent): DataDirLock {
  let released = false;
  return {
    file,
    owner: mine.owner,
    release: async () => {
      if (released) return;
      released = true;
      const held = await readLock(file).catch(() => undefined);
      if (held?.token === mine.token) await fs.rm(file, { force: true });
    },
  };
}
