import { errors, type types, type Client } from 'cassandra-driver';
import fc from 'fast-check';
import { KV, checkpointKey } from '../../indexer/kv-tables';
import { CassandraKvStore } from '../../platform/adapters/cassandra-kv';
import { TransientError } from '../../platform/errors';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import { retry } from '../../platform/retry';
import { pollUntil } from '../support/poll';
import { codeOf, failureOf, fast, useKeyspace } from './support/cassandra-keyspace';
import { uniqueName } from './support/test-endpoints';

let admin: Client;
let store: CassandraKvStore;
const { keyspace, base } = useKeyspace('kv_counts', (opened) => ({ admin, store } = opened));

describe('hashtag counts: absolute values by the single owner, not counter columns', () => {
  interface CountRow {
    tag: string;
    count: number;
  }
  /** A flush built as the counting worker builds it: counts read once, absolute values, checkpoint last. */
  async function buildFlush(kv: KvStore, deltas: [string, number][], offset: number): Promise<KvOp[]> {
    const rows = await kv.getMany<CountRow>(
      KV.hashtagCounts,
      deltas.map(([tag]) => tag),
    );
    const ops: KvOp[] = deltas.map(([tag, delta], i) => ({
      type: 'put',
      table: KV.hashtagCounts,
      key: tag,
      value: { tag, count: (rows[i]?.count ?? 0) + delta },
    }));
    ops.push({ type: 'put', table: KV.checkpoints, key: checkpointKey('counter', 'ph', 0), value: offset });
    return ops;
  }
  const countsOf = async (tags: string[]) =>
    (await store.getMany<CountRow>(KV.hashtagCounts, tags)).map((r) => r?.count ?? 0);

  it('leaves the count unchanged when a flush whose ack was lost is retried', async () => {
    const tags = [uniqueName('cats'), uniqueName('dogs')];
    await store.batch(await buildFlush(store, [[tags[0]!, 3]], 1));
    const ops = await buildFlush(
      store,
      [
        [tags[0]!, 2],
        [tags[1]!, 4],
      ],
      2,
    );
    let attempts = 0;
    // The write lands, then the caller sees a timeout: what platform/retry replays.
    await retry(
      async () => {
        attempts++;
        await store.batch(ops);
        if (attempts === 1) throw new TransientError('CASSANDRA_TIMEOUT', 'acknowledgement lost');
      },
      { policy: fast },
    );
    expect(attempts).toBe(2);
    expect(await countsOf(tags)).toEqual([5, 4]);
    await store.batch(ops);
    expect(await countsOf(tags)).toEqual([5, 4]);
  });

  it('matches the sum of deltas however often each flush is replayed, after real client timeouts too', async () => {
    const impatient = await CassandraKvStore.connect({
      ...base,
      requestTimeoutMs: 1,
      retryPolicy: { maxAttempts: 1 },
    });
    try {
      const pool = Array.from({ length: 5 }, () => uniqueName('tag'));
      const timeouts: unknown[] = [];
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.record({
              deltas: fc.uniqueArray(fc.tuple(fc.constantFrom(...pool), fc.integer({ min: 1, max: 9 })), {
                selector: ([tag]) => tag,
                minLength: 1,
              }),
              replays: fc.integer({ min: 1, max: 3 }),
            }),
            { maxLength: 6 },
          ),
          async (flushes) => {
            const tags = pool.map((t) => `${t}-${uniqueName('run')}`);
            const oracle = new Map<string, number>();
            for (const [n, { deltas, replays }] of flushes.entries()) {
              const renamed = deltas.map(([t, d]) => [tags[pool.indexOf(t)]!, d] as [string, number]);
              const ops = await buildFlush(store, renamed, n + 1);
              // A first attempt that gives up after 1 ms: some or all of it may still land.
              const first = await codeOf(impatient.batch(ops));
              if (first !== 'resolved') timeouts.push(first);
              for (let r = 0; r < replays; r++) await store.batch(ops);
              for (const [tag, d] of renamed) oracle.set(tag, (oracle.get(tag) ?? 0) + d);
            }
            expect(await countsOf(tags)).toEqual(tags.map((t) => oracle.get(t) ?? 0));
          },
        ),
        { numRuns: 8 },
      );
      expect(timeouts.length).toBeGreaterThan(0);
      expect(new Set(timeouts.map((t) => JSON.stringify(t)))).toEqual(
        new Set([JSON.stringify(['TransientError', 'CASSANDRA_TIMEOUT', true])]),
      );
    } finally {
      await impatient.close();
    }
  });

  it('shows why not counter columns: a retried increment counts twice', async () => {
    await admin.execute(
      `CREATE TABLE IF NOT EXISTS "${keyspace}".counter_demo (tag text, shard int, n counter, PRIMARY KEY ((tag), shard))`,
    );
    const increments = (tag: string) =>
      Array.from({ length: 1000 }, (_, shard) => ({
        query: `UPDATE "${keyspace}".counter_demo SET n = n + 1 WHERE tag = ? AND shard = ?`,
        params: [tag, shard],
      }));
    const total = async (tag: string) =>
      (
        await admin.execute(`SELECT n FROM "${keyspace}".counter_demo WHERE tag = ?`, [tag], {
          prepare: true,
        })
      ).rows
        .map((r) => (r.n as types.Long).toNumber())
        .reduce((a, b) => a + b, 0);

    // The same lost acknowledgement as above, replayed by platform/retry: 1000 posts counted as 2000.
    const lost = uniqueName('lost');
    await retry(
      async (attempt) => {
        await admin.batch(increments(lost), { prepare: true, counter: true });
        if (attempt === 1) throw new TransientError('CASSANDRA_TIMEOUT', 'acknowledgement lost');
      },
      { policy: fast },
    );
    expect(await total(lost)).toBe(2000);

    // A real client-side timeout: the server applies the batch anyway, and the retry adds it again.
    const late = uniqueName('late');
    const first = await failureOf(
      admin.batch(increments(late), { prepare: true, counter: true, readTimeout: 1 }),
    );
    expect(first).toBeInstanceOf(errors.OperationTimedOutError);
    await pollUntil(async () => (await total(late)) === 1000, 'the timed-out increments landed');
    await admin.batch(increments(late), { prepare: true, counter: true });
    expect(await total(late)).toBe(2000);
  });
});
