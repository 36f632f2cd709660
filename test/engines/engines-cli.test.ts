/**
 * The real engines, started by the CLI exactly as a developer would:
 * `npx tsx scripts/engines.ts up`. Run with `npm run test:engines`; the first
 * run downloads the engines (minutes). Engines stay up afterwards so the next
 * run is fast; `npx tsx scripts/engines.ts down` stops them.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import { Client as CassandraClient } from 'cassandra-driver';
import { Kafka, logLevel } from 'kafkajs';
import { engineEndpoints, type EngineEndpoints } from '../../scripts/engines/index';
import { pollUntil } from '../support/poll';
import { dropKeyspace } from './support/cassandra-keyspace';
import { uniqueName } from './support/test-endpoints';

const REPO = path.resolve(__dirname, '..', '..');
const TSX = path.join(REPO, 'node_modules', '.bin', 'tsx');
const run = promisify(execFile);

/** Unique per test run, and valid as a Kafka topic, a CQL keyspace and an ES index name. */
const RUN_ID = uniqueName('eng');

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(TSX, [path.join(REPO, 'scripts', 'engines.ts'), ...args], {
    cwd: REPO,
    maxBuffer: 16 * 2 ** 20,
  });
  return stdout;
}

/** `status` lines parsed back into name → { state, pid }. */
async function status(): Promise<Map<string, { state: string; pid?: number }>> {
  const out = await cli('status');
  const result = new Map<string, { state: string; pid?: number }>();
  for (const line of out.trim().split('\n')) {
    const [name, state] = line.split(/\s+/);
    const pid = /\bpid (\d+)/.exec(line)?.[1];
    result.set(name, { state, pid: pid === undefined ? undefined : Number(pid) });
  }
  return result;
}

let endpoints: EngineEndpoints;

beforeAll(async () => {
  await cli('up');
  endpoints = engineEndpoints();
}, 20 * 60_000);

describe('engines CLI', () => {
  it('reports every engine running and ready after up', async () => {
    const states = await status();
    expect([...states.keys()]).toEqual(['kafka', 'cassandra', 'elasticsearch']);
    for (const [, s] of states) {
      expect(s.state).toBe('running+ready');
      expect(s.pid).toBeGreaterThan(1);
    }
  });

  it('treats a second up as a no-op: same processes, each reported as already running', async () => {
    const before = await status();
    const out = await cli('up');
    for (const name of ['kafka', 'cassandra', 'elasticsearch']) {
      expect(out).toContain(`${name}: already running`);
    }
    expect(out).not.toMatch(/started \(pid/);
    const after = await status();
    for (const [name, s] of before) expect(after.get(name)).toEqual(s);
  });

  it('prints the tail of a log, and rejects unknown engines with usage exit code 2', async () => {
    const out = await cli('logs', 'kafka', '--lines', '5');
    expect(out.split('\n')[0]).toMatch(/^==> .*kafka\.log <==$/);
    await expect(cli('status', 'mongodb')).rejects.toMatchObject({ code: 2 });
  });
});

describe('real round trips', () => {
  it('Kafka: idempotent acks=all producer and a consumer group see the same records', async () => {
    const kafka = new Kafka({
      clientId: RUN_ID,
      brokers: endpoints.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const consumer = kafka.consumer({ groupId: `${RUN_ID}_group` });
    const topic = `${RUN_ID}_topic`;
    const sent = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 3}`, value: `v${i}` }));
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
      await producer.connect();
      await producer.send({ topic, acks: -1, messages: sent });
      const received: { key: string; value: string }[] = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          received.push({ key: String(message.key), value: String(message.value) });
        },
      });
      await pollUntil(() => received.length >= sent.length, 'all records consumed', 60_000);
      const byValue = (a: { value: string }, b: { value: string }): number => a.value.localeCompare(b.value);
      expect([...received].sort(byValue)).toEqual([...sent].sort(byValue));
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.deleteGroups([`${RUN_ID}_group`]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it('Cassandra: a keyspace, a table, an insert and a select', async () => {
    const client = new CassandraClient({
      contactPoints: endpoints.cassandraContactPoints,
      localDataCenter: endpoints.cassandraLocalDc,
    });
    const keyspace = RUN_ID;
    await client.connect();
    try {
      await client.execute(
        `CREATE KEYSPACE ${keyspace} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
      );
      await client.execute(`CREATE TABLE ${keyspace}.tag_counts (tag text PRIMARY KEY, posts bigint)`);
      const rows: [string, number][] = [
        ['sunset', 42],
        ['cat', 7],
        ['café', 0],
      ];
      for (const [tag, posts] of rows) {
        await client.execute(`INSERT INTO ${keyspace}.tag_counts (tag, posts) VALUES (?, ?)`, [tag, posts], {
          prepare: true,
        });
      }
      const one = await client.execute(`SELECT posts FROM ${keyspace}.tag_counts WHERE tag = ?`, ['sunset'], {
        prepare: true,
      });
      expect(one.first()?.get('posts').toNumber()).toBe(42);
      const all = await client.execute(`SELECT tag, posts FROM ${keyspace}.tag_counts`);
      const got = all.rows.map((r) => [r.get('tag') as string, r.get('posts').toNumber() as number]);
      expect(got.sort()).toEqual([...rows].sort());
    } finally {
      await dropKeyspace(client, keyspace).catch(() => undefined);
      await client.shutdown();
    }
  });

  it('Elasticsearch: index, get and search with core-only features', async () => {
    const es = new ElasticsearchClient({ node: endpoints.elasticsearchUrl });
    const index = RUN_ID;
    try {
      await es.indices.create({
        index,
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: {
            tag: { type: 'keyword' },
            caption: { type: 'text', index_prefixes: {} },
            suggest: { type: 'completion' },
          },
        },
      });
      const docs = [
        { id: '1', tag: 'sunset', caption: 'Golden sunset over the bay', suggest: ['sunset'] },
        { id: '2', tag: 'sunrise', caption: 'Early sunrise walk', suggest: ['sunrise'] },
        { id: '3', tag: 'cat', caption: 'A cat on a mat', suggest: ['cat'] },
      ];
      for (const { id, ...body } of docs) {
        await es.index({ index, id, document: body, refresh: 'wait_for' });
      }
      const got = await es.get<{ tag: string }>({ index, id: '3' });
      expect(got._source?.tag).toBe('cat');

      const search = await es.search({
        index,
        query: {
          bool: { filter: [{ terms: { tag: ['sunset', 'cat'] } }], must: [{ prefix: { caption: 'sun' } }] },
        },
        suggest: { tags: { prefix: 'sun', completion: { field: 'suggest' } } },
      });
      expect(search.hits.hits.map((h) => h._id)).toEqual(['1']);
      const options = (search.suggest?.tags[0].options ?? []) as { text: string }[];
      expect(options.map((o) => o.text).sort()).toEqual(['sunrise', 'sunset']);
    } finally {
      await es.indices.delete({ index }, { ignore: [404] });
      await es.close();
    }
  });
});

describe('down and up again', () => {
  it('stops one engine, is a no-op when repeated, and a restart keeps its data', async () => {
    const kafka = new Kafka({
      clientId: RUN_ID,
      brokers: endpoints.kafkaBrokers,
      logLevel: logLevel.NOTHING,
    });
    const topic = `${RUN_ID}_durable`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    await admin.disconnect();

    expect(await cli('down', 'kafka')).toMatch(/kafka: stopped \(pid \d+\)/);
    expect((await status()).get('kafka')).toEqual({ state: 'stopped', pid: undefined });
    expect(await cli('down', 'kafka')).toContain('kafka: not running');

    expect(await cli('up', 'kafka')).toMatch(/kafka: ready at/);
    expect((await status()).get('kafka')?.state).toBe('running+ready');
    const again = kafka.admin();
    await again.connect();
    try {
      expect(await again.listTopics()).toContain(topic);
      await again.deleteTopics({ topics: [topic] });
    } finally {
      await again.disconnect();
    }
  }, 180_000);
});
