import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IndexerPipeline } from '../../indexer/indexer-pipeline';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import type { SearchIndex } from '../../platform/ports/search-index';
import { createOpsContext, type CheckpointBase, type OpsContext } from '../../scripts/ops/ops-context';
import type { GeneratedEvent } from './event-stream';
import { expectedState } from './indexer-model';
import { pollUntil } from './poll';

/** An embedded store set with the live write path running, for the operator tools' tests. */
export class OpsWorld {
  pipeline: IndexerPipeline | undefined;
  readonly published: GeneratedEvent[] = [];

  private constructor(
    readonly dir: string,
    readonly log: EmbeddedEventLog,
    readonly kv: LmdbKvStore,
  ) {}

  static async create(): Promise<OpsWorld> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'ops-'));
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    await ensureTopics(log);
    const kv = LmdbKvStore.open({ path: path.join(dir, 'kv'), noSync: true });
    return new OpsWorld(dir, log, kv);
  }

  async publish(events: GeneratedEvent[]): Promise<void> {
    this.published.push(...events);
    await this.log.produce(
      TOPICS.postPublish,
      events.map((e) => ({ key: e.key, value: Buffer.from(JSON.stringify(e.raw)) })),
    );
  }

  async startPipeline(search?: SearchIndex): Promise<void> {
    this.pipeline = await IndexerPipeline.start({
      log: this.log,
      kv: this.kv,
      search,
      indexBatchSize: 50,
      counter: { flushEvents: 100, flushIntervalMs: 20 },
      trending: { flushEvents: 100, flushIntervalMs: 20 },
    });
  }

  async caughtUp(): Promise<void> {
    await pollUntil(
      async () => (await this.pipeline?.caughtUp()) ?? false,
      'the pipeline to catch up',
      30_000,
    );
  }

  async stopPipeline(): Promise<void> {
    await this.pipeline?.stop();
    this.pipeline = undefined;
  }

  context<S extends CheckpointBase>(
    options: { signal?: AbortSignal; restart?: boolean; dryRun?: boolean; identity?: object } = {},
  ): Promise<OpsContext<S>> {
    return createOpsContext<S>({
      stateDir: path.join(this.dir, 'ops'),
      command: 'test',
      identity: { ...options.identity },
      signal: options.signal,
      restart: options.restart,
      dryRun: options.dryRun,
    });
  }

  expected() {
    return expectedState(this.published);
  }

  async destroy(): Promise<void> {
    await this.stopPipeline();
    await this.kv.close();
    await this.log.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** The typeahead entries the model says the index must hold, by kind and id. */
export function expectedEntries(world: OpsWorld): {
  users: Map<string, object>;
  locations: Map<string, object>;
  hashtags: Map<string, object>;
} {
  const e = world.expected();
  const users = new Map<string, object>();
  for (const [id, u] of e.users) {
    if (u.known)
      users.set(id, { id, username: u.username, fullName: u.fullName, followerCount: u.followerCount });
  }
  const locations = new Map<string, object>();
  for (const [id, l] of e.locations)
    if (l.known) locations.set(id, { id, name: l.name, mediaCount: l.mediaCount });
  const hashtags = new Map<string, object>();
  for (const [tag, h] of e.hashtags) {
    if (h.count > 0) hashtags.set(tag, { tag, displayName: h.displayName, totalPosts: h.count });
  }
  return { users, locations, hashtags };
}

export interface OpsCliRun {
  child: ChildProcess;
  /** `exit <code>` or the signal. */
  exited: Promise<string>;
  output(): { stdout: string; stderr: string };
}

/** `npm run <command> -- <args>` as a child process, optionally with its own environment. */
export function runOpsCli(
  command: 'reindex' | 'backfill' | 'verify',
  args: string[],
  env?: NodeJS.ProcessEnv,
): OpsCliRun {
  const root = path.join(__dirname, '..', '..');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'scripts', `${command}.ts`), ...args],
    {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)),
  );
  return { child, exited, output: () => ({ stdout, stderr }) };
}
