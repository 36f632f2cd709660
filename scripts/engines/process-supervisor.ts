import { spawn } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { AppError } from '../../platform/errors';
import type { EngineLayout } from './engine-layout';

export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Drop to this user before exec (Elasticsearch refuses root). */
  uid?: number;
  gid?: number;
}

const POLL_MS = 200;

/**
 * Starts the engine in its own session, so it outlives this process and the
 * whole process group (Elasticsearch's launcher and server JVMs) can be
 * signalled at once. Output goes to the engine's log; the previous log is
 * kept as `<log>.1`.
 */
export async function startDetached(spec: LaunchSpec, layout: EngineLayout): Promise<number> {
  await rename(layout.logFile, `${layout.logFile}.1`).catch(ignoreMissing);
  const fd = openSync(layout.logFile, 'a');
  try {
    writeSync(
      fd,
      `=== ${new Date().toISOString()} starting ${layout.name}: ${spec.command} ${spec.args.join(' ')}\n`,
    );
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: ['ignore', fd, fd],
      uid: spec.uid,
      gid: spec.gid,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) =>
        reject(
          new AppError('ENGINE_SPAWN_FAILED', `${layout.name}: cannot start ${spec.command}`, { cause: err }),
        ),
      );
      child.once('spawn', () => resolve(child.pid as number));
    });
    child.unref();
    await writeFile(layout.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * The pid from the pid file when that process is alive and is still ours: a
 * recycled pid belongs to some other program, whose command line will not
 * mention the engine's directory.
 */
export async function readRunningPid(layout: EngineLayout): Promise<number | undefined> {
  let raw: string;
  try {
    raw = await readFile(layout.pidFile, 'utf8');
  } catch (err) {
    ignoreMissing(err);
    return undefined;
  }
  const pid = Number(raw.trim());
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  const stat = await readProcStat(pid);
  if (!stat || stat.state === 'Z') return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(layout.dir) ? pid : undefined;
}

export async function removePidFile(layout: EngineLayout): Promise<void> {
  await rm(layout.pidFile, { force: true });
}

export async function isProcessAlive(pid: number): Promise<boolean> {
  const stat = await readProcStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

/**
 * SIGTERM to the engine's process group, SIGKILL to whatever is left after
 * `graceMs`. Resolves once no live member remains.
 */
export async function stopProcessGroup(pid: number, graceMs: number): Promise<'terminated' | 'killed'> {
  const stat = await readProcStat(pid);
  // Only signal a group that the engine leads; otherwise just the process.
  const target = stat && stat.pgrp === pid ? -pid : pid;
  signal(target, 'SIGTERM');
  if (await waitForGroupExit(pid, graceMs)) return 'terminated';
  signal(target, 'SIGKILL');
  if (await waitForGroupExit(pid, 10_000)) return 'killed';
  throw new AppError('ENGINE_STOP_FAILED', `process group ${pid} survived SIGKILL`, { details: { pid } });
}

/** Resident memory of every live process in the group led by `pgid`. */
export async function processGroupRssBytes(pgid: number): Promise<number> {
  let total = 0;
  for (const pid of await groupMembers(pgid)) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (match) total += Number(match[1]) * 1024;
  }
  return total;
}

async function waitForGroupExit(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await groupMembers(pgid)).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function groupMembers(pgid: number): Promise<number[]> {
  const entries = await readdir('/proc');
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const stat = await readProcStat(pid);
    if (stat && stat.state !== 'Z' && (stat.pgrp === pgid || pid === pgid)) members.push(pid);
  }
  return members;
}

async function readProcStat(pid: number): Promise<{ state: string; pgrp: number } | undefined> {
  let raw: string;
  try {
    raw = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may itself contain spaces or ')'.
  const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]) };
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
