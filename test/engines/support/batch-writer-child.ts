/**
 * For cassandra-atomic-batch.test.ts: writes generation after generation of
 * a batch spanning three tables and many partitions, as writer `w`, and
 * prints each generation once stored. The test kills it with SIGKILL.
 */
import { CassandraKvStore } from '../../../platform/adapters/cassandra-kv';
import type { KvOp } from '../../../platform/ports/kv-store';

const KEYS = 400;

async function main(): Promise<void> {
  const [contactPoint, localDataCenter, keyspace, startArg] = process.argv.slice(2);
  const kv = await CassandraKvStore.connect({
    contactPoints: [contactPoint!],
    localDataCenter,
    keyspace: keyspace!,
  });
  for (let generation = Number(startArg); ; generation++) {
    const ops: KvOp[] = [];
    for (const table of ['atomic_a', 'atomic_b']) {
      for (let k = 0; k < KEYS; k++) ops.push({ type: 'put', table, key: `k${k}`, value: generation });
    }
    ops.push({ type: 'put', table: 'atomic_c', key: 'generation', value: generation });
    await kv.batch(ops, { writer: 'w' });
    process.stdout.write(`${generation}\n`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
