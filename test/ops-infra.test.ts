import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { acquireDataDirLock, LOCK_FILE } from '../platform/fs/data-dir-lock';
import { ValidationError } from '../platform/errors';
import { backfillSpec } from '../scripts/backfill';
import { parseCommandLine } from '../scripts/ops/cli-flags';
import { CheckpointStore } from '../scripts/ops/checkpoint-store';
import { RejectsFile } from '../scripts/ops/rejects-file';
import { Throttle } from '../scripts/ops/throttle';
import { reindexSpec } from '../scripts/reindex';
import { verifySpec } from '../scripts/verify';
import { ManualClock } from './support/manual-clock';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ops-infra-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const issues = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ValidationError) return err.issues;
    throw err;
  }
  throw new Error('no error');
};

describe('flags', () => {
  it('names every bad flag with its reason', () => {
    expect(
      issues(() => parseCommandLine(reindexSpec, ['--rate', '0', '--kind', 'users,pets', '--mode', 'x'])),
    ).toEqual(
      expect.arrayContaining([
        { field: '--kind', reason: 'each must be one of users, hashtags, locations, media' },
        { field: '--rate', reason: 'must be greater than 0' },
        { field: '--mode', reason: 'must be embedded or distributed' },
      ]),
    );
    expect(issues(() => parseCommandLine(verifySpec, ['--sample', 'some']))[0]!.field).toBe('--sample');
    expect(
      issues(() =>
        parseCommandLine(backfillSpec, ['--from-offset', '3', '--from-timestamp', '2024-01-01T00:00:00Z']),
      ),
    ).toEqual([{ field: '--from-timestamp', reason: 'give --from-offset or --from-timestamp, not both' }]);
    expect(issues(() => parseCommandLine(backfillSpec, ['--frm-file', 'x']))[0]!.field).toBe('--frm-file');
  });

  it('parses good flags and prints help', () => {
    expect(
      parseCommandLine(reindexSpec, ['--kind', 'users,media', '--keep-old', '--rate', '250.5']),
    ).toMatchObject({
      help: false,
      flags: { kind: ['users', 'media'], keepOld: true, rate: 250.5, dryRun: false, restart: false },
    });
    const help = parseCommandLine(backfillSpec, ['--help']);
    expect(help.help && help.text).toMatch(/--from-file <path\|->/);
  });
});

describe('throttle', () => {
  it('lets through at most the rate, with one second of burst', async () => {
    const clock = new ManualClock();
    const sleeps: number[] = [];
    clock.sleep = async (ms: number) => {
      sleeps.push(ms);
      clock.advance(ms);
    };
    const t = new Throttle(100, clock);
    await t.take(100);
    expect(sleeps).toEqual([]);
    await t.take(50);
    expect(sleeps).toEqual([500]);
    clock.advance(10_000);
    await t.take(100);
    expect(sleeps).toEqual([500]);
  });
});

describe('checkpoints and rejects', () => {
  it('keys checkpoints by command and arguments, and --restart forgets them', async () => {
    const a = await CheckpointStore.open<{ n: number }>(dir, 'reindex', { kind: 'users' });
    await a.save({ n: 7 });
    expect((await CheckpointStore.open<{ n: number }>(dir, 'reindex', { kind: 'users' })).state).toEqual({
      n: 7,
    });
    expect((await CheckpointStore.open(dir, 'reindex', { kind: 'hashtags' })).state).toBeUndefined();
    const restarted = await CheckpointStore.open(dir, 'reindex', { kind: 'users' }, { restart: true });
    expect(restarted.state).toBeUndefined();
    // What the abandoned run had saved stays readable, so its leftovers can be cleaned up.
    expect(restarted.abandoned).toEqual({ n: 7 });
    expect((await CheckpointStore.open(dir, 'reindex', { kind: 'users' })).abandoned).toBeUndefined();
  });

  it('--restart over an unreadable checkpoint starts fresh, with nothing abandoned', async () => {
    const store = await CheckpointStore.open<{ n: number }>(dir, 'verify', {});
    await writeFile(store.file, '{ torn');
    await expect(CheckpointStore.open(dir, 'verify', {})).rejects.toMatchObject({
      code: 'CHECKPOINT_UNREADABLE',
    });
    const restarted = await CheckpointStore.open(dir, 'verify', {}, { restart: true });
    expect({ state: restarted.state, abandoned: restarted.abandoned }).toEqual({
      state: undefined,
      abandoned: undefined,
    });
  });

  it('cuts the rejects file back to the checkpointed size on resume', async () => {
    const file = path.join(dir, 'rejects.ndjson');
    const first = await RejectsFile.open(file, { bytes: 0, count: 0 });
    first.add({ lineNumber: 3, reason: 'bad' });
    await first.sync();
    const saved = { bytes: first.bytes, count: first.count };
    first.add({ lineNumber: 9, reason: 'after the checkpoint' });
    await first.close();
    const second = await RejectsFile.open(file, saved);
    second.add({ lineNumber: 9, reason: 'after the checkpoint' });
    await second.close();
    const lines = (await readFile(file, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).lineNumber);
    expect(lines).toEqual([3, 9]);
  });
});

describe('data dir lock', () => {
  it('refuses a directory a live process holds and takes over a dead one', async () => {
    const held = await acquireDataDirLock(dir, 'service');
    await expect(acquireDataDirLock(dir, 'reindex')).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED' });
    await held.release();
    // A lock left by a process that is gone.
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    await new Promise((r) => child.on('exit', r));
    await writeFile(path.join(dir, LOCK_FILE), JSON.stringify({ pid, owner: 'dead', token: 'x', since: '' }));
    const taken = await acquireDataDirLock(dir, 'backfill');
    expect(JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    await taken.release();
  });
});
