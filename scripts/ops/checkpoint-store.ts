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
  ) {}

  /** `restart` deletes the run directory first. */
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
    if (options.restart) await fs.rm(dir, { recursive: true, force: true });
    await fs.mkdir(dir, { recursive: true });
    let stored: T | undefined;
    try {
      const parsed = JSON.parse(await fs.readFile(path.join(dir, 'checkpoint.json'), 'utf8')) as Stored<T>;
      stored = parsed.state;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StorageError(
          'CHECKPOINT_UNREADABLE',
          `checkpoint in ${dir} is unreadable (${(err as Error).message}); run with --restart`,
          { cause: err },
        );
      }
    }
    return new CheckpointStore<T>(dir, command, identity, stored);
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
