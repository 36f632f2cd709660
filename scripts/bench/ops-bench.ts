/**
 * `npm run bench -- ops [--posts N] [--mode embedded|distributed]`: reindex
 * and backfill throughput, in documents (source rows or log records) per
 * second. A synthetic corpus is written straight into the stores: users,
 * locations, hashtag counts and names, media documents in the KV store, and
 * the POST_HASHTAG and POSTINGS records the index consumer would have
 * published. Baselines, measured in the same run: a raw scan of the same
 * tables (reindex) and a raw read and decode of the same topics (backfill).
 * Distributed mode reads the engines' settings from the environment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { denseKey } from '../../indexer/consumer/id-assigner';
import { deltaSeq } from '../../indexer/hashtag-delta';
import { decodeHashtagDelta, encodeHashtagDelta } from '../../indexer/hashtag-delta-codec';
import { checkpointKey, KV } from '../../indexer/kv-tables';
import { encodePostingChange, decodePostingChange } from '../../indexer/postings/posting-change';
import { TOPICS } from '../../indexer/topics';
import { Client as CassandraClient } from 'cassandra-driver';
import { SCHEMA_TIMEOUT_MS } from '../../platform/adapters/cassandra-kv';
import { Kafka, logLevel } from 'kafkajs';
import { createElasticsearchClient, IndexAdmin } from '../../platform/adapters/elasticsearch-search';
import { loadDistributedConfig } from '../../query/service/distributed-config';
import { engineEndpoints } from '../engines/engine-endpoints';
import type { KvOp } from '../../platform/ports/kv-store';
import type { EventLog, ProducedRecord } from '../../platform/ports/event-log';
import type { PostingOp } from '../../query/engine/posting-index';
import { backfill } from '../ops/backfill/backfill';
import type { BackfillCheckpoint } from '../ops/backfill/backfill-checkpoint';
import { createOpsContext } from '../ops/ops-context';
import { openOpsStores, type OpsStores } from '../ops/open-ops-stores';
import { scanDocuments } from '../ops/reindex/kv-documents';
import { reindex, type ReindexCheckpoint } from '../ops/reindex/reindex';
import { TopicTail, endOffsets } from '../ops/topic-tail';
import { printTable } from './support/print-table';
import { seededRandom } from '../../platform/seeded-random';
import { parseFlags, zipfSampler } from './support/seeded-random';

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    posts: 1_000_000,
    users: 100_000,
    locations: 10_000,
    tags: 100_000,
    seed: 5,
    mode: 'embedded',
  });
  const mode = flags.mode === 'distributed' ? 'distributed' : 'embedded';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-ops-bench-'));
  const scratch = mode === 'distributed' ? scratchDeployment(process.env) : undefined;
  const env = scratch?.env ?? process.env;
  if (scratch) console.log(`distributed: scratch prefix ${scratch.prefix} (dropped at the end)`);
  const stores = await openOpsStores({ mode, dataDir: path.join(dir, 'data'), owner: 'ops-bench', env });
  try {
    console.log(
      `ops benchmark (${mode}): ${flags.posts.toLocaleString('en')} posts, ${flags.users} users, ${flags.locations} locations, ${flags.tags} tags`,
    );
    const t0 = performance.now();
    const { records } = await seed(stores, flags);
    console.log(
      `corpus written in ${((performance.now() - t0) / 1000).toFixed(1)} s (${records.toLocaleString('en')} log records)`,
    );

    const tables = ['users', 'locations', 'hashtags', 'media'] as const;
    const kinds = stores.versions.kinds.filter((k) => (tables as readonly string[]).includes(k));
    let started = performance.now();
    let scanned = 0;
    for (const kind of kinds) for await (const c of scanDocuments(stores.kv, kind)) scanned += c.read;
    const scanSeconds = (performance.now() - started) / 1000;

    const ctx = await createOpsContext<ReindexCheckpoint>({
      stateDir: path.join(dir, 'ops'),
      command: 'reindex',
      identity: {},
    });
    started = performance.now();
    await reindex({ kv: stores.kv, log: stores.log, versions: stores.versions, kinds, stallMs: 1000 }, ctx);
    const reindexSeconds = (performance.now() - started) / 1000;
    const reindexed = ctx.stats.counts.read;
    await ctx.close();

    started = performance.now();
    let read = 0;
    for (const topic of [TOPICS.postHashtag, TOPICS.postings]) read += await readTopic(stores.log, topic);
    const readSeconds = (performance.now() - started) / 1000;

    const bctx = await createOpsContext<BackfillCheckpoint>({
      stateDir: path.join(dir, 'ops'),
      command: 'backfill',
      identity: {},
    });
    started = performance.now();
    await backfill(
      { mode, log: stores.log, kv: stores.kv, snapshots: stores.snapshots, search: stores.search },
      bctx,
    );
    const backfillSeconds = (performance.now() - started) / 1000;
    await bctx.close();

    const rate = (n: number, s: number) => Math.round(n / s).toLocaleString('en');
    printTable(
      ['operation', 'documents', 'seconds', 'docs/s', 'vs baseline'],
      [
        [
          'baseline: raw scan of the source tables',
          scanned.toLocaleString('en'),
          scanSeconds.toFixed(1),
          rate(scanned, scanSeconds),
          '1.00',
        ],
        [
          'reindex (all kinds, with swap)',
          reindexed.toLocaleString('en'),
          reindexSeconds.toFixed(1),
          rate(reindexed, reindexSeconds),
          (reindexed / reindexSeconds / (scanned / scanSeconds)).toFixed(2),
        ],
        [
          'baseline: read + decode POST_HASHTAG, POSTINGS',
          read.toLocaleString('en'),
          readSeconds.toFixed(1),
          rate(read, readSeconds),
          '1.00',
        ],
        [
          'backfill (counts, trends, bitmaps)',
          read.toLocaleString('en'),
          backfillSeconds.toFixed(1),
          rate(read, backfillSeconds),
          (read / backfillSeconds / (read / readSeconds)).toFixed(2),
        ],
      ],
    );
  } finally {
    await stores.close();
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A deployment of its own for a distributed run: a fresh topic, index and
 * keyspace prefix on the engines the environment names (default: the local
 * ones of `npm run engines`), removed again at the end.
 */
function scratchDeployment(base: NodeJS.ProcessEnv): {
  prefix: string;
  env: NodeJS.ProcessEnv;
  drop(): Promise<void>;
} {
  const local = engineEndpoints();
  const prefix = `opsbench_${Date.now().toString(36)}`;
  const env: NodeJS.ProcessEnv = {
    ...base,
    KAFKA_BROKERS: base.KAFKA_BROKERS || local.kafkaBrokers.join(','),
    ELASTICSEARCH_URL: base.ELASTICSEARCH_URL || local.elasticsearchUrl,
    CASSANDRA_CONTACT_POINTS: base.CASSANDRA_CONTACT_POINTS || local.cassandraContactPoints.join(','),
    CASSANDRA_LOCAL_DC: base.CASSANDRA_LOCAL_DC || local.cassandraLocalDc,
    KAFKA_TOPIC_PREFIX: prefix,
    ELASTICSEARCH_INDEX_PREFIX: prefix,
    CASSANDRA_KEYSPACE: prefix,
  };
  const config = loadDistributedConfig(env);
  const drop = async () => {
    const es = createElasticsearchClient({ node: config.ELASTICSEARCH_URL });
    await new IndexAdmin(es, { indexPrefix: prefix }).dropAll().catch(() => undefined);
    await es.close();
    const cassandra = new CassandraClient({
      contactPoints: config.CASSANDRA_CONTACT_POINTS,
      localDataCenter: config.CASSANDRA_LOCAL_DC,
    });
    await cassandra
      .connect()
      .then(() =>
        cassandra.execute(`DROP KEYSPACE IF EXISTS "${prefix}"`, [], { readTimeout: SCHEMA_TIMEOUT_MS }),
      )
      .catch(() => undefined);
    await cassandra.shutdown();
    const admin = new Kafka({ brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  };
  return { prefix, env, drop };
}

async function readTopic(log: EventLog, topic: string): Promise<number> {
  const end = await endOffsets(log, topic);
  const tail = await TopicTail.start(log, topic, `ops-bench-${topic}-${Date.now()}`, {});
  try {
    const records = await tail.take(end, {
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      timeoutMs: 3_600_000,
    });
    for (const r of records) {
      if (topic === TOPICS.postHashtag) decodeHashtagDelta(r);
      else decodePostingChange(r.value);
    }
    return records.length;
  } finally {
    await tail.stop();
  }
}

/** Writes the corpus: documents into the KV store, derived records into the log. */
async function seed(
  stores: OpsStores,
  f: { posts: number; users: number; locations: number; tags: number; seed: number },
): Promise<{ records: number }> {
  const random = seededRandom(f.seed);
  const tagOf = zipfSampler(f.tags, 1, random);
  const { kv, log } = stores;
  // A few batches in flight: Cassandra takes concurrent writes far faster than one at a time.
  const pending = new Set<Promise<void>>();
  const put = async (ops: KvOp[]) => {
    for (let i = 0; i < ops.length; i += 2000) {
      const p: Promise<void> = kv.batch(ops.slice(i, i + 2000)).finally(() => pending.delete(p));
      pending.add(p);
      if (pending.size >= 4) await Promise.race(pending);
    }
  };
  const drain = () => Promise.all(pending);
  const userId = (i: number) => String(10_000_000 + i);
  const ops: KvOp[] = [];
  for (let i = 0; i < f.users; i++) {
    const id = userId(i);
    ops.push({
      type: 'put',
      table: KV.users,
      key: id,
      value: {
        id,
        username: `user${i}`,
        fullName: `Person ${i}`,
        isPrivate: false,
        followerCount: i % 500,
        followingCount: 0,
        mediaCount: 0,
        known: true,
        at: 0,
      },
    });
  }
  for (let i = 0; i < f.locations; i++) {
    const id = String(20_000_000 + i);
    ops.push({
      type: 'put',
      table: KV.locations,
      key: id,
      value: { id, name: `Place ${i}`, lat: null, lon: null, mediaCount: 0, known: true, at: 0 },
    });
  }
  await put(ops.splice(0));
  const counts = new Map<number, number>();
  let records = 0;
  const at = Date.now() - 3_600_000;
  for (let start = 0; start < f.posts; start += 1000) {
    const deltas: ProducedRecord[] = [];
    const postingOps: PostingOp[] = [];
    const assignments = [];
    for (let p = start; p < Math.min(f.posts, start + 1000); p++) {
      const id = String(1_000_000_000 + p);
      const tags = [...new Set(Array.from({ length: 1 + Math.floor(random() * 4) }, () => tagOf()))];
      const author = userId(Math.floor(random() * f.users));
      ops.push({
        type: 'put',
        table: KV.media,
        key: id,
        value: {
          id,
          deleted: false,
          dense: p,
          at: p,
          doc: {
            id,
            authorId: author,
            authorUsername: null,
            caption: tags.map((t) => `#t${t}`).join(' '),
            imageUrl: `/img/${id}.svg`,
            tags: tags.map((t) => `t${t}`),
            locationId: null,
            locationName: null,
            createdAt: new Date(at).toISOString(),
          },
        },
      });
      ops.push({ type: 'put', table: KV.denseIds, key: denseKey('media', p), value: id });
      assignments.push({ space: 'media' as const, dense: p, external: id });
      tags.forEach((t, i) => {
        counts.set(t, (counts.get(t) ?? 0) + 1);
        deltas.push({
          key: `t${t}`,
          value: encodeHashtagDelta({
            tag: `t${t}`,
            postId: id,
            delta: 1,
            source: 0,
            seq: deltaSeq(p, i),
            at: at + p,
          }),
        });
        postingOps.push({ op: 'add', term: { kind: 'tag', tag: `t${t}` }, member: p });
      });
      postingOps.push({ op: 'add', term: { kind: 'live' }, member: p });
    }
    await put(ops.splice(0));
    await log.produce(TOPICS.postHashtag, deltas);
    await log.produce(TOPICS.postings, [
      { key: 'postings', value: encodePostingChange({ assignments, ops: postingOps }) },
    ]);
    records += deltas.length + 1;
  }
  for (const [t, count] of counts) {
    ops.push({
      type: 'put',
      table: KV.hashtagCounts,
      key: `t${t}`,
      value: { tag: `t${t}`, count, updatedAt: new Date().toISOString() },
    });
    ops.push({
      type: 'put',
      table: KV.hashtagNames,
      key: `t${t}`,
      value: { tag: `t${t}`, displayName: `T${t}` },
    });
  }
  // As if the live counter had consumed it all: the reindex then has nothing to catch up.
  for (const [partition, offset] of Object.entries(await endOffsets(log, TOPICS.postHashtag))) {
    ops.push({
      type: 'put',
      table: KV.checkpoints,
      key: checkpointKey('counter', TOPICS.postHashtag, Number(partition)),
      value: offset,
    });
  }
  await put(ops.splice(0));
  await drain();
  return { records };
}
