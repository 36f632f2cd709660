import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { checkpointsReached } from '../../indexer/checkpoints-reached';
import type { MediaRecord } from '../../indexer/documents/records';
import { KV } from '../../indexer/kv-tables';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { CassandraKvStore } from '../../platform/adapters/cassandra-kv';
import { ElasticsearchSearchIndex } from '../../platform/adapters/elasticsearch-search';
import { KafkaEventLog } from '../../platform/adapters/kafka-log';
import { AppError } from '../../platform/errors';
import { distributedEnv, enginesDown, enginesUp } from '../../scripts/engines/index';
import { generateEventStream, type GeneratedEvent } from '../support/event-stream';
import { expectModelState, recentEvents } from '../support/expect-model-state';
import { expectedState } from '../support/indexer-model';
import { testEndpoints, uniqueName } from './support/test-endpoints';

/*
 * The distributed write path under faults: Elasticsearch and then Cassandra
 * stopped mid-ingest and started again, then the indexer and the counter
 * killed with SIGKILL mid-ingest and restarted. The end state must equal the
 * independent model: nothing lost, nothing counted twice.
 */
const ROOT = path.join(__dirname, '..', '..');
const endpoints = testEndpoints();
const prefix = uniqueName('faults');
const env = {
  ...process.env,
  ...distributedEnv(endpoints, prefix),
  LOG_LEVEL: 'warn',
  COUNTER_FLUSH_EVENTS: '200',
  COUNTER_FLUSH_INTERVAL_MS: '100',
  SNAPSHOT_INTERVAL_MS: '1000',
};

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<unknown>;
}

function startRole(role: 'indexer' | 'counter'): Proc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'query/main.ts', role], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
    if (process.env.FAULTS_TEST_DEBUG) process.stderr.write(`[${role}] ${d.toString()}`);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, output: () => output, exited };
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 240_000) {
  const deadline = Date.now() + timeoutMs;
  // The test's own clients ride out the outages too: a retriable error means "not yet".
  const holds = () =>
    Promise.resolve()
      .then(condition)
      .catch((err: unknown) => {
        if (err instanceof AppError && err.retriable) return false;
        throw err;
      });
  while (!(await holds())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Redelivery attempts the processes logged so far (the Kafka adapter logs each failed batch with its attempt). */
function attempts(...procs: Proc[]): number[] {
  return procs.flatMap((p) =>
    [...p.output().matchAll(/"attempt":(\d+)[^\n]*eachBatch failed/g)].map((m) => Number(m[1])),
  );
}

describe('the distributed write path under engine outages and kill -9', () => {
  let log: KafkaEventLog;
  const procs: Proc[] = [];

  beforeAll(async () => {
    log = await KafkaEventLog.connect({ brokers: endpoints.kafkaBrokers, topicPrefix: prefix });
    await ensureTopics(log);
  });

  afterAll(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await log?.close();
    // Leave the engines up for the suites after this one, whatever happened here.
    await enginesUp();
  }, 300_000);

  const produce = (events: GeneratedEvent[]) =>
    log.produce(
      TOPICS.postPublish,
      events.map((e) => ({ key: e.key, value: Buffer.from(JSON.stringify(e.raw)) })),
    );

  it('loses nothing and counts nothing twice', async () => {
    const events = recentEvents(generateEventStream(33, 3000));
    const chunks = Array.from({ length: 6 }, (_, i) => events.slice(i * 500, (i + 1) * 500));
    let indexer = startRole('indexer');
    let counter = startRole('counter');
    procs.push(indexer, counter);
    const connectKv = () =>
      CassandraKvStore.connect({
        contactPoints: endpoints.cassandraContactPoints,
        localDataCenter: endpoints.cassandraLocalDc,
        keyspace: prefix,
        createSchema: true,
      });
    let kv = await connectKv();
    const caughtUp = async () =>
      (await checkpointsReached(log, kv, 'indexer', TOPICS.postPublish)) &&
      (await checkpointsReached(log, kv, 'counter', TOPICS.postHashtag)) &&
      (await checkpointsReached(log, kv, 'trending', TOPICS.postHashtag));
    await produce(chunks[0]!);
    await waitFor(caughtUp, 'the processes to start and index the first chunk');
    // A client open across Cassandra's restart keeps a socket of a stale host that shutdown() misses.
    await kv.close();

    // Elasticsearch down mid-ingest: batches fail and are retried with growing backoff, then succeed.
    await enginesDown(['elasticsearch']);
    const before = attempts(indexer, counter).length;
    await produce(chunks[1]!);
    await waitFor(
      () =>
        attempts(indexer, counter)
          .slice(before)
          .some((a) => a >= 3),
      'retries against a stopped Elasticsearch',
    );
    await enginesUp(['elasticsearch']);

    // Cassandra down mid-ingest: the same.
    await enginesDown(['cassandra']);
    const before2 = attempts(indexer, counter).length;
    await produce(chunks[2]!);
    await waitFor(
      () =>
        attempts(indexer, counter)
          .slice(before2)
          .some((a) => a >= 3),
      'retries against a stopped Cassandra',
    );
    await enginesUp(['cassandra']);
    kv = await connectKv();

    // kill -9 the indexer, then the counter, while they work through a chunk.
    await produce(chunks[3]!);
    indexer.child.kill('SIGKILL');
    await indexer.exited;
    indexer = startRole('indexer');
    procs.push(indexer);
    await produce(chunks[4]!);
    counter.child.kill('SIGKILL');
    await counter.exited;
    counter = startRole('counter');
    procs.push(counter);
    await produce(chunks[5]!);

    const search = await ElasticsearchSearchIndex.connect({
      node: endpoints.elasticsearchUrl,
      indexPrefix: prefix,
    });
    const follower = await BitmapFollower.open({ log, groupId: 'faults-test-replica' });
    try {
      await follower.start();
      await waitFor(
        async () => (await caughtUp()) && (await follower.caughtUp()),
        'the write path to catch up',
      );
      await expectModelState(kv, follower.index, events);
      // The typeahead documents in Elasticsearch, against the same model.
      const expected = expectedState(events);
      await search.refresh();
      for (const [id, u] of expected.users) {
        if (!u.known) continue;
        expect({ id, entry: await search.get('users', id) }).toMatchObject({
          id,
          entry: { username: u.username, followerCount: u.followerCount },
        });
      }
      for (const [tag, h] of expected.hashtags) {
        const entry = await search.get('hashtags', tag);
        expect({ tag, totalPosts: entry?.totalPosts ?? 0 }).toEqual({ tag, totalPosts: h.count });
      }
      // The media documents in Elasticsearch: the stored document for a live post, nothing for a deleted one.
      await search.media.refreshMedia();
      for (const [id, m] of expected.media) {
        const stored = await kv.get<MediaRecord>(KV.media, id);
        const want = m.deleted || !stored || stored.deleted ? undefined : stored.doc;
        expect({ id, doc: await search.media.getMedia(id) }).toEqual({ id, doc: want });
      }
    } finally {
      await follower.stop();
      await search.close();
      await kv.close();
    }
  }, 900_000);
});
