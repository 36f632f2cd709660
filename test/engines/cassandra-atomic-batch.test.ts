import { spawn } from 'node:child_process';
import path from 'node:path';
import { CassandraKvStore } from '../../platform/adapters/cassandra-kv';
import { testEndpoints, uniqueName } from './support/test-endpoints';

/*
 * A batch across tables and partitions, written with a `writer`, is all or
 * nothing once that writer recovers: a child writing generation after
 * generation is killed with SIGKILL mid-batch, and after recover() every key
 * of every table holds the same generation.
 */
const CHILD = path.join(__dirname, 'support', 'batch-writer-child.ts');
const endpoints = testEndpoints();
const keyspace = uniqueName('atomic');

async function tableValues(kv: CassandraKvStore, table: string): Promise<number[]> {
  const out: number[] = [];
  for await (const [, v] of kv.scan<number>(table)) out.push(v);
  return out;
}

describe('CassandraKvStore batches with a writer', () => {
  let kv: CassandraKvStore;

  beforeAll(async () => {
    kv = await CassandraKvStore.connect({
      contactPoints: endpoints.cassandraContactPoints,
      localDataCenter: endpoints.cassandraLocalDc,
      keyspace,
      createSchema: true,
    });
    // Create the tables up front, so the child's first batch is not also a schema change.
    await kv.batch(
      ['atomic_a', 'atomic_b', 'atomic_c'].map((table) => ({ type: 'put', table, key: 'x', value: 0 })),
    );
    await kv.batch(
      ['atomic_a', 'atomic_b', 'atomic_c'].map((table) => ({ type: 'delete', table, key: 'x' })),
    );
  });

  afterAll(async () => {
    await kv?.close();
  });

  it('are whole after a kill -9 and recover()', async () => {
    let generation = 1;
    let recovered = 0;
    for (let kill = 0; kill < 30 && recovered < 3; kill++) {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          CHILD,
          endpoints.cassandraContactPoints[0]!,
          endpoints.cassandraLocalDc,
          keyspace,
          String(generation),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Kill at a varying point inside a batch: after the first stored generation, plus a jitter.
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once('data', () => resolve());
        child.once('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, 5 + ((kill * 37) % 60)));
      child.kill('SIGKILL');
      await exited;
      if (await kv.recover('w')) recovered++;
      const a = await tableValues(kv, 'atomic_a');
      const b = await tableValues(kv, 'atomic_b');
      const c = await tableValues(kv, 'atomic_c');
      const all = new Set([...a, ...b, ...c]);
      expect({ kill, generations: [...all] }).toEqual({ kill, generations: [c[0]] });
      expect(a).toHaveLength(400);
      generation = c[0]! + 1;
    }
    // The kills did land inside batches, so recovery was exercised, not just the happy path.
    expect(recovered).toBeGreaterThanOrEqual(3);
    expect(await kv.recover('w')).toBe(false);
  }, 600_000);
});
