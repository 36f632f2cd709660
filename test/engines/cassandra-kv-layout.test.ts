import type { Client } from 'cassandra-driver';
import fc from 'fast-check';
import { COUNTER_WATERMARKS } from '../../indexer/counting';
import { KV } from '../../indexer/kv-tables';
import { TREND_TOTALS, TREND_WATERMARKS, TREND_WINDOWS } from '../../indexer/trending';
import { CassandraKvStore } from '../../platform/adapters/cassandra-kv';
import { compareUtf8 } from '../../platform/adapters/cassandra-kv/compare-utf8';
import { prefixUpperBound } from '../../platform/adapters/cassandra-kv/prefix-upper-bound';
import { partitionForKey } from '../../platform/partition-for-key';
import type { KvOp } from '../../platform/ports/kv-store';
import { byteOrder } from '../contracts/kv-store-fixtures';
import { codeOf, fast, useKeyspace } from './support/cassandra-keyspace';

let admin: Client;
let store: CassandraKvStore;
const { keyspace, base } = useKeyspace('kv_layout', (opened) => ({ admin, store } = opened));

describe('Cassandra layout', () => {
  const LAYOUT = [
    ['bucket', 'partition_key', 'int', 'none'],
    ['key', 'clustering', 'text', 'asc'],
    ['value', 'regular', 'blob', 'none'],
  ];
  async function columns(table: string): Promise<string[][]> {
    const rs = await admin.execute(
      'SELECT column_name, kind, type, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?',
      [keyspace, table],
    );
    return rs.rows
      .map((r) => [r.column_name, r.kind, r.type, r.clustering_order] as string[])
      .sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
  }

  it('creates every table the service uses from schemas/cassandra, and on-demand tables alike', async () => {
    const logical = [...Object.values(KV), COUNTER_WATERMARKS, TREND_WINDOWS, TREND_TOTALS, TREND_WATERMARKS];
    for (const table of logical) expect([table, await columns(`kv_${table}`)]).toEqual([table, LAYOUT]);
    await store.batch([{ type: 'put', table: 'made_on_demand', key: 'k', value: 1 }]);
    expect(await columns('kv_made_on_demand')).toEqual(LAYOUT);
    expect((await columns('bitmap_snapshots')).map((c) => c[0])).toEqual(['bytes', 'chunk', 'snapshot_id']);
  });

  it('keeps keys sharing the head before the first colon in one bucket partition', async () => {
    const keys = ['7:100', '7:101', '7:99', '8:5', '70:1', '7', 'x:y:z', 'no-colon'];
    await store.batch(keys.map((key) => ({ type: 'put', table: 'heads', key, value: key })));
    const rs = await admin.execute(`SELECT bucket, key FROM "${keyspace}".kv_heads`);
    const stored = new Map(rs.rows.map((r) => [r.key as string, r.bucket as number]));
    // The documented formula: Kafka's murmur2 partitioner over the head, 16 partitions.
    for (const key of keys)
      expect([key, stored.get(key)]).toEqual([key, partitionForKey(key.split(':')[0]!, 16)]);
    const scanned: string[] = [];
    for await (const [key] of store.scan('heads', { prefix: '7:' })) scanned.push(key);
    expect(scanned).toEqual(['7:100', '7:101', '7:99']);
  });

  it('applies a batch run after run: a run the server refuses stops the runs after it', async () => {
    const big = await CassandraKvStore.connect({
      ...base,
      createSchema: true,
      maxValueBytes: 16 * 2 ** 20,
      retryPolicy: fast,
    });
    try {
      const ops: KvOp[] = [
        { type: 'put', table: 'runs_state', key: 'before', value: 1 },
        // Over this server's mutation limit (half of its 8 MiB commit-log segment).
        { type: 'put', table: 'runs_blob', key: 'huge', value: Buffer.alloc(5 * 2 ** 20) },
        { type: 'put', table: KV.checkpoints, key: 'runs-test:t:0', value: 99 },
      ];
      expect(await codeOf(big.batch(ops))).toEqual(['StorageError', 'KV_WRITE_FAILED', false]);
      expect(await big.get('runs_state', 'before')).toBe(1);
      expect(await big.get('runs_blob', 'huge')).toBeUndefined();
      expect(await big.get(KV.checkpoints, 'runs-test:t:0')).toBeUndefined();
    } finally {
      await big.close();
    }
  });

  it('orders keys like UTF-8 bytes in memory too (merge comparator and prefix bounds)', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 6 });
    fc.assert(
      fc.property(text, text, (a, b) => Math.sign(compareUtf8(a, b)) === Math.sign(byteOrder(a, b))),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(text, fc.oneof(text, fc.constantFrom('\u{10FFFF}', 'a\u{10FFFF}', '\uD7FF')), (s, p) => {
        const upper = prefixUpperBound(p);
        const inRange = byteOrder(s, p) >= 0 && (upper === undefined || byteOrder(s, upper) < 0);
        return inRange === s.startsWith(p);
      }),
      { numRuns: 2000 },
    );
    expect(prefixUpperBound('ab')).toBe('ac');
    expect(prefixUpperBound('a\u{10FFFF}')).toBe('b');
    expect(prefixUpperBound('\uD7FF')).toBe('\uE000');
    expect(prefixUpperBound('\u{10FFFF}')).toBeUndefined();
  });
});
