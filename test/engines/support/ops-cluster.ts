import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client as CassandraClient } from 'cassandra-driver';
import { checkpointsReached } from '../../../indexer/checkpoints-reached';
import { ensureTopics, TOPICS } from '../../../indexer/topics';
import { CassandraKvStore } from '../../../platform/adapters/cassandra-kv';
import { dropKeyspace } from './cassandra-keyspace';
import { createElasticsearchClient, IndexAdmin } from '../../../platform/adapters/elasticsearch-search';
import { INDEX_KINDS, type IndexKind } from '../../../platform/ports/search-index';
import { KafkaEventLog } from '../../../platform/adapters/kafka-log';
import { loadDistributedConfig, type DistributedConfig } from '../../../query/service/distributed-config';
import {
  startDistributedService,
  type DistributedService,
  type ProcessRole,
} from '../../../query/service/distributed-service';
import { openOpsStores, type OpsStores } from '../../../scripts/ops/open-ops-stores';
import type { GeneratedEvent } from '../../support/event-stream';
import { expectedState } from '../../support/indexer-model';
import { runOpsCli, type OpsCliRun } from '../../support/ops-world';
import { pollUntil } from '../../support/poll';
import { distributedEnv } from '../../../scripts/engines/index';
import { testEndpoints, uniqueName } from './test-endpoints';

/**
 * One deployment of its own on the real engines (unique topic, index and
 * keyspace prefix) for the operator tools' tests: the distributed service's
 * roles in-process, a producer for upload events, the operator CLIs as child
 * processes with the same settings, and raw readers of what Elasticsearch holds.
 */
export class OpsCluster {
  readonly published: GeneratedEvent[] = [];
  private readonly services = new Map<string, DistributedService>();
  private readonly children: ChildProcess[] = [];
  private readonly es = createElasticsearchClient({ node: testEndpoints().elasticsearchUrl });

  private constructor(
    readonly prefix: string,
    readonly env: NodeJS.ProcessEnv,
    readonly config: DistributedConfig,
    readonly stateDir: string,
    readonly log: KafkaEventLog,
    readonly kv: CassandraKvStore,
  ) {}

  static async create(name: string, partitions = 2): Promise<OpsCluster> {
    const endpoints = testEndpoints();
    const prefix = uniqueName(name);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...distributedEnv(endpoints, prefix),
      LOG_LEVEL: 'warn',
      POST_PUBLISH_PARTITIONS: String(partitions),
      POST_HASHTAG_PARTITIONS: String(partitions),
    };
    const config = loadDistributedConfig(env);
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'ops-engines-'));
    const log = await KafkaEventLog.connect({ brokers: config.KAFKA_BROKERS, topicPrefix: prefix });
    await ensureTopics(log, {
      postPublish: partitions,
      postHashtag: partitions,
      hashtagTop: 1,
    });
    const kv = await CassandraKvStore.connect({
      contactPoints: config.CASSANDRA_CONTACT_POINTS,
      localDataCenter: config.CASSANDRA_LOCAL_DC,
      keyspace: prefix,
      createSchema: true,
    });
    return new OpsCluster(prefix, env, config, stateDir, log, kv);
  }

  /** Starts some roles in this process; `name` tells them apart for `stop`. */
  async start(name: string, roles: ProcessRole[]): Promise<void> {
    const service = await startDistributedService({
      engines: this.config,
      roles,
      port: 0,
      counter: { flushEvents: 200, flushIntervalMs: 50 },
      snapshotIntervalMs: 1000,
      instanceId: `${name}-${process.pid}`,
    });
    this.services.set(name, service);
  }

  async stop(name: string): Promise<void> {
    await this.services.get(name)?.close();
    this.services.delete(name);
  }

  async publish(events: GeneratedEvent[]): Promise<void> {
    this.published.push(...events);
    await this.log.produce(
      TOPICS.postPublish,
      events.map((e) => ({ key: e.key, value: Buffer.from(JSON.stringify(e.raw)) })),
    );
  }

  /** Waits until the named live consumers have stored checkpoints at the end of their topics. */
  async caughtUp(consumers: ('indexer' | 'counter' | 'trending')[] = ['indexer', 'counter', 'trending']) {
    const topic = (c: string) => (c === 'indexer' ? TOPICS.postPublish : TOPICS.postHashtag);
    await pollUntil(
      async () => {
        for (const c of consumers)
          if (!(await checkpointsReached(this.log, this.kv, c, topic(c)))) return false;
        return true;
      },
      `${consumers.join(', ')} to catch up`,
      120_000,
    );
  }

  /** The operator stores as the CLIs open them. */
  stores(): Promise<OpsStores> {
    return openOpsStores({ mode: 'distributed', dataDir: '.', env: this.env, owner: 'test' });
  }

  /** Runs `npm run <command>` as a child process, in distributed mode, with this cluster's settings. */
  cli(command: 'reindex' | 'backfill' | 'verify', args: string[]): OpsCliRun {
    const run = runOpsCli(command, ['--state-dir', this.stateDir, ...args], this.env);
    this.children.push(run.child);
    return run;
  }

  /** The checkpoint a command's run directory holds now, if any. */
  async checkpoint<T>(command: string): Promise<T | undefined> {
    if (!existsSync(this.stateDir)) return undefined;
    const runDir = new RegExp(`^${command}-[0-9a-f]{12}$`);
    for (const dir of readdirSync(this.stateDir).filter((d) => runDir.test(d))) {
      const file = path.join(this.stateDir, dir, 'checkpoint.json');
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text) return (JSON.parse(text) as { state: T }).state;
    }
    return undefined;
  }

  /** Every document the alias of `kind` holds, by id, read with a plain scroll: the entry, or the media document. */
  async indexed(kind: IndexKind): Promise<Map<string, object>> {
    const alias = `${this.prefix}${kind}`;
    await this.es.indices.refresh({ index: alias });
    const out = new Map<string, object>();
    let page = await this.es.search({ index: alias, scroll: '1m', size: 1000 });
    while (page.hits.hits.length > 0) {
      for (const hit of page.hits.hits) {
        const source = hit._source as { entry?: { id?: string; tag?: string }; id?: string };
        if (kind === 'media') out.set(source.id!, source);
        else out.set(source.entry!.tag ?? source.entry!.id!, source.entry!);
      }
      page = await this.es.scroll({ scroll_id: page._scroll_id!, scroll: '1m' });
    }
    await this.es.clearScroll({ scroll_id: page._scroll_id! }).catch(() => undefined);
    return out;
  }

  /** The physical indices of a kind, and the one(s) its alias points at. */
  async versions(kind: IndexKind): Promise<{ all: string[]; aliased: string[] }> {
    const all = Object.keys(await this.es.indices.get({ index: `${this.prefix}${kind}_v*` })).sort();
    const aliased = Object.keys(await this.es.indices.getAlias({ name: `${this.prefix}${kind}` })).sort();
    return { all, aliased };
  }

  get elasticsearch() {
    return this.es;
  }

  async destroy(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const name of [...this.services.keys()]) await this.stop(name);
    await this.log.close();
    await this.kv.close();
    await new IndexAdmin(this.es, { indexPrefix: this.prefix }).dropAll().catch(() => undefined);
    await this.es.close();
    const cassandra = new CassandraClient({
      contactPoints: this.config.CASSANDRA_CONTACT_POINTS,
      localDataCenter: this.config.CASSANDRA_LOCAL_DC,
    });
    try {
      await cassandra.connect();
      await dropKeyspace(cassandra, this.prefix);
    } catch {
      // Best effort: a keyspace left behind only costs disk.
    } finally {
      await cassandra.shutdown();
    }
    await rm(this.stateDir, { recursive: true, force: true });
  }
}

/** What each index kind must hold after the events, from the independent model. */
export function expectedDocuments(events: GeneratedEvent[]): Record<IndexKind, Map<string, object>> {
  const e = expectedState(events);
  const out = Object.fromEntries(INDEX_KINDS.map((k) => [k, new Map<string, object>()])) as Record<
    IndexKind,
    Map<string, object>
  >;
  for (const [id, u] of e.users) {
    if (u.known)
      out.users.set(id, { id, username: u.username, fullName: u.fullName, followerCount: u.followerCount });
  }
  for (const [id, l] of e.locations)
    if (l.known) out.locations.set(id, { id, name: l.name, mediaCount: l.mediaCount });
  for (const [tag, h] of e.hashtags) {
    if (h.count > 0) out.hashtags.set(tag, { tag, displayName: h.displayName, totalPosts: h.count });
  }
  for (const [id, m] of e.media) {
    if (m.deleted) continue;
    const author = e.users.get(m.authorId);
    const place = m.locationId === null ? undefined : e.locations.get(m.locationId);
    out.media.set(id, {
      id,
      authorId: m.authorId,
      authorUsername: author?.known ? author.username : null,
      caption: m.caption,
      imageUrl: m.imageUrl,
      tags: m.tags,
      locationId: m.locationId,
      locationName: place?.known ? place.name : null,
      createdAt: m.createdAt,
    });
  }
  return out;
}

/** Maps to plain objects, so a failing comparison prints the ids that differ. */
export const plain = (m: Map<string, object>) =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

const ID_FIELDS: Record<string, string[]> = {
  post: ['id', 'authorId', 'locationId'],
  user: ['id'],
  location: ['id'],
};

/**
 * A larger corpus from the model's generator: `shards` streams over disjoint
 * id pools (each id shifted by its shard), interleaved in rounds. The model
 * holds per id, so it holds for the union.
 */
export function shardedEvents(
  generate: (seed: number) => GeneratedEvent[],
  seed: number,
  shards: number,
): GeneratedEvent[] {
  const shift = (id: unknown, k: number) =>
    typeof id === 'string' && /^[0-9]+$/.test(id) ? String(BigInt(id) + BigInt(k) * 1_000_003n) : id;
  const streams = Array.from({ length: shards }, (_, k) =>
    generate(seed * 1000 + k).map((g) => {
      // Invalid events stay as they are: shifting '012' would make it a valid id.
      if (!g.valid) return g;
      const raw = structuredClone(g.raw) as Record<string, Record<string, unknown> | unknown>;
      for (const [field, ids] of Object.entries(ID_FIELDS)) {
        const inner = raw[field] as Record<string, unknown> | undefined;
        if (inner) for (const f of ids) if (f in inner) inner[f] = shift(inner[f], k);
      }
      for (const f of ['postId', 'followerId', 'followeeId']) if (f in raw) raw[f] = shift(raw[f], k);
      return { ...g, raw: raw as Record<string, unknown>, key: String(shift(g.key, k)) };
    }),
  );
  const out: GeneratedEvent[] = [];
  const longest = Math.max(...streams.map((s) => s.length));
  for (let i = 0; i < longest; i += 50) for (const s of streams) out.push(...s.slice(i, i + 50));
  return out;
}
