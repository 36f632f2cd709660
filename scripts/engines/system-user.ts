import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../platform/errors';
import { runCommand } from './run-command';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

/** Looks the user up, creating it as a login-less system user when missing (needs root). */
export async function ensureSystemUser(name: string): Promise<SystemUser> {
  const existing = await lookupUser(name);
  if (existing) return existing;
  await runCommand(
    'useradd',
    [
      '--system',
      '--user-group',
      '--no-create-home',
      '--home-dir',
      '/nonexistent',
      '--shell',
      '/usr/sbin/nologin',
      name,
    ],
    { errorCode: 'ENGINE_USER_FAILED' },
  );
  const created = await lookupUser(name);
  if (!created) throw new AppError('ENGINE_USER_FAILED', `useradd succeeded but user ${name} is not visible`);
  return created;
}

/** Gives the user the directories it must write to (root created them). */
export async function chownTree(user: SystemUser, dirs: string[]): Promise<void> {
  await runCommand('chown', ['-R', `${user.uid}:${user.gid}`, ...dirs], { errorCode: 'ENGINE_USER_FAILED' });
}

/**
 * Fails with the directory to fix when the user cannot walk down to `dir`:
 * a checkout under a private directory (mktemp's 0700) would otherwise only
 * show as a bare spawn failure.
 */
export async function assertReachable(user: SystemUser, dir: string): Promise<void> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const st = await stat(at);
    const searchable =
      st.uid === user.uid ? st.mode & 0o100 : st.gid === user.gid ? st.mode & 0o010 : st.mode & 0o001;
    if (!searchable) {
      throw new AppError(
        'ENGINE_PATH_UNREACHABLE',
        `user ${user.name} cannot reach ${dir}: ${at} is not searchable by it; ` +
          `run \`chmod o+x ${at}\` or set PICSEARCH_ENGINES_DIR to a directory it can reach`,
        { details: { dir, blockedAt: at } },
      );
    }
    if (at === path.dirname(at)) return;
  }
}

async function lookupUser(name: string): Promise<SystemUser | undefined> {
  try {
    const uid = Number((await runCommand('id', ['-u', name], { errorCode: 'ENGINE_USER_FAILED' })).trim());
    const gid = Number((await runCommand('id', ['-g', name], { errorCode: 'ENGINE_USER_FAILED' })).trim());
    return { name, uid, gid };
  } catch {
    return undefined;
  }
}
