import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StorageError } from '../../platform/errors';
import { writeFileAtomic } from '../../platform/fs/write-file-atomic';

interface Stored<T> {
  command: string;
  identity: Record<string, unknown>;
  savedAt: string;
  state: T;
}

/**
 * One run's checkpoint, in `<stateDir>/<command>-<hash of its arguments>/`:
 * the same command with the same arguments finds it again and resumes. It is
 * replaced atomically (temp file, fsync, rename), so a kill -9 leaves the
 * previous checkpoint or the new one. The run directory also holds the
 * rejects file and any scratch state.
 */
export class CheckpointStore<T> {
  private constructor(
    readonly dir: string,
    private readonly command: string,
    private readonly identity: Record<string, unknown>,
    private stored: T | undefined,
    /** What a run that `restart` abandoned had saved, so its leftovers can be cleaned up. */
    readonly abandoned: T | undefined,
  ) {}

  /** `restart` deletes the run directory first (after reading its checkpoint as `abandoned`). */
  static async open<T>(
    stateDir: string,
    command: string,
    identity: Record<string, unknown>,
    options: { restart?: boolean } = {},
  ): Promise<CheckpointStore<T>> {
    const hash = createHash('sha256')
      .update(JSON.stringify([command, identity]))
      .digest('hex')
      .slice(0, 12);
    const dir = path.resolve(stateDir, `${command}-${hash}`);
    let abandoned: T | undefined;
    if (options.restart) {
      // An unreadable checkpoint is what --restart is for: nothing of it to clean up then.
      abandoned = await readState<T>(dir).catch(() => undefined);
      await fs.rm(dir, { recursive: true, force: true });
    }
    await fs.mkdir(dir, { recursive: true });
    return new CheckpointStore<T>(dir, command, identity, await readState<T>(dir), abandoned);
  }

  get file(): string {
    return path.join(this.dir, 'checkpoint.json');
  }

  /** The state of an earlier run with the same arguments, if any. */
  get state(): T | undefined {
    return this.stored;
  }

  async save(state: T): Promise<void> {
    const body: Stored<T> = {
      command: this.command,
      identity: this.identity,
      savedAt: new Date().toISOString(),
      state,
    };
    await writeFileAtomic(this.file, JSON.stringify(body));
    this.stored = state;
  }

  /** Forgets the checkpoint once the job is finished: the same command then starts a new job. */
  async clear(): Promise<void> {
    await fs.rm(this.file, { force: true });
    this.stored = undefined;
  }

  /** A path inside the run directory, for rejects and scratch state. */
  path(name: string): string {
    return path.join(this.dir, name);
  }
}

async function readState<T>(dir: string): Promise<T | undefined> {
  try {
    const parsed = JSON.parse(await fs.readFile(path.join(dir, 'checkpoint.json'), 'utf8')) as Stored<T>;
    return parsed.state;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StorageError(
      'CHECKPOINT_UNREADABLE',
      `checkpoint in ${dir} is unreadable (${(err as Error).message}); run with --restart`,
      { cause: err },
    );
  }
}
