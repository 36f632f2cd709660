import { createHash, randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client, errors, types } from 'cassandra-driver';
import fc from 'fast-check';
import pino from 'pino';
import { COUNTER_WATERMARKS } from '../../indexer/counting';
import { KV, checkpointKey } from '../../indexer/kv-tables';
import { TREND_TOTALS, TREND_WATERMARKS, TREND_WINDOWS } from '../../indexer/trending';
import {
  CassandraKvStore,
  CassandraSnapshotBlobStore,
  type CassandraKvStoreOptions,
} from '../../platform/adapters/cassandra-kv';
import { compareUtf8 } from '../../platform/adapters/cassandra-kv/compare-utf8';
import { prefixUpperBound } from '../../platform/adapters/cassandra-kv/prefix-upper-bound';
import { AppError, StorageError, TransientError, ValidationError } from '../../platform/errors';
import { partitionForKey } from '../../platform/partition-for-key';
import type { KvOp, KvStore } from '../../platform/ports/kv-store';
import { retry } from '../../platform/retry';
import { byteOrder, kvStoreContract } from '../contracts/kv-store-contract';
import { testEndpoints, uniqueName } from './support/test-endpoints';

const endpoints = testEndpoints();
const keyspace = uniqueName('kv_cassandra');
const base: CassandraKvStoreOptions = {
  contactPoints: endpoints.cassandraContactPoints,
  localDataCenter: endpoints.cassandraLocalDc,
  keyspace,
};
const fast = { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 };
let admin: Client;
let store: CassandraKvStore;

beforeAll(async () => {
  admin = new Client({ contactPoints: base.contactPoints, localDataCenter: base.localDataCenter });
  await admin.connect();
  store = await CassandraKvStore.connect({ ...base, createSchema: true });
});
afterAll(async () => {
  await store?.close();
  await admin.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`);
  await admin.shutdown();
});

kvStoreContract('CassandraKvStore', async () => {
  const fresh = await CassandraKvStore.connect({ ...base, createSchema: true });
  return { store: fresh, cleanup: () => fresh.close() };
});

const failureOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (err: unknown) => err,
  );
const codeOf = async (p: Promise<unknown>) => {
  const err = await failureOf(p);
  return err instanceof AppError ? [err.constructor.name, err.code, err.retriable] : err;
};

async function pollUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function capturedLogger() {
  const lines: { msg: string; operation?: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string });
      done();
    },
  });
  return {
    logger: pino({ level: 'warn' }, sink),
    retries: () => lines.filter((l) => l.msg === 'retrying after error'),
  };
}

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

describe('CassandraSnapshotBlobStore', () => {
  let snapshots: CassandraSnapshotBlobStore;
  beforeAll(async () => {
    snapshots = await CassandraSnapshotBlobStore.connect({ ...base, createSchema: true });
  });
  afterAll(async () => {
    await snapshots?.close();
  });
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  it('round-trips a 5 MiB buffer in 1 MiB chunks with its meta', async () => {
    const blob = randomBytes(5 * 2 ** 20 + 17);
    const info = await snapshots.putSnapshot('postings', blob, { position: { p0: 42 }, lists: 7 });
    expect(info).toMatchObject({
      chunkCount: 6,
      chunkBytes: 2 ** 20,
      totalBytes: blob.length,
      sha256: sha(blob),
    });
    const rs = await admin.execute(
      `SELECT chunk, bytes FROM "${keyspace}".bitmap_snapshots WHERE snapshot_id = ? AND chunk IN ?`,
      [types.TimeUuid.fromString(info.snapshotId), [0, 1, 2, 3, 4, 5, 6]],
      { prepare: true },
    );
    expect(rs.rows.map((r) => (r.bytes as Buffer).length)).toEqual([...Array(5).fill(2 ** 20), 17]);
    const latest = await snapshots.getLatestSnapshot('postings');
    expect(latest?.bytes.equals(blob)).toBe(true);
    expect(latest).toMatchObject({ snapshotId: info.snapshotId, meta: { position: { p0: 42 }, lists: 7 } });
    expect(await snapshots.getLatestSnapshot('never-written')).toBeUndefined();
    expect((await snapshots.putSnapshot('empty', Buffer.alloc(0))).chunkCount).toBe(0);
    expect((await snapshots.getLatestSnapshot('empty'))?.bytes.length).toBe(0);
    const err = await failureOf(snapshots.putSnapshot('bad name', blob));
    expect(err instanceof ValidationError && err.issues[0]!.field).toBe('name');
  });

  it('shows a reader the old snapshot while the new one is half written, and never a mix', async () => {
    const old = randomBytes(5 * 2 ** 20);
    const next = randomBytes(5 * 2 ** 20);
    await snapshots.putSnapshot('during', old);
    // Small chunks, one at a time: a wide window in which the new snapshot is half written.
    const slow = await CassandraSnapshotBlobStore.connect({ ...base, chunkBytes: 8192, concurrency: 1 });
    try {
      const chunkIds = async () =>
        (await admin.execute(`SELECT snapshot_id FROM "${keyspace}".bitmap_snapshots`)).rows.map((r) =>
          String(r.snapshot_id),
        );
      const known = new Set(await chunkIds());
      let done = false;
      const writing = slow.putSnapshot('during', next).finally(() => (done = true));
      await pollUntil(
        async () => (await chunkIds()).some((id) => !known.has(id)),
        'the new snapshot has chunks',
      );
      const midway = await snapshots.getLatestSnapshot('during');
      expect(done).toBe(false);
      expect(midway?.bytes.equals(old)).toBe(true);
      const seen = new Set<string>();
      while (!done) {
        const read = (await snapshots.getLatestSnapshot('during'))!;
        expect(read.bytes.equals(old) || read.bytes.equals(next)).toBe(true);
        seen.add(read.bytes.equals(old) ? 'old' : 'new');
      }
      const written = await writing;
      expect(seen.has('old')).toBe(true);
      expect((await snapshots.getLatestSnapshot('during'))?.snapshotId).toBe(written.snapshotId);
      expect((await snapshots.getLatestSnapshot('during'))?.bytes.equals(next)).toBe(true);
    } finally {
      await slow.close();
    }
  });

  it('keeps the newest `keep` snapshots and deletes the chunks of older ones', async () => {
    const infos = [];
    for (let i = 0; i < 4; i++) infos.push(await snapshots.putSnapshot('pruned', randomBytes(3 * 2 ** 20)));
    const manifests = await admin.execute(
      `SELECT snapshot_id FROM "${keyspace}".bitmap_snapshot_manifests WHERE name = 'pruned'`,
    );
    expect(manifests.rows.map((r) => String(r.snapshot_id))).toEqual([
      infos[3]!.snapshotId,
      infos[2]!.snapshotId,
    ]);
    for (const [i, info] of infos.entries()) {
      const rs = await admin.execute(
        `SELECT chunk FROM "${keyspace}".bitmap_snapshots WHERE snapshot_id = ? AND chunk IN ?`,
        [types.TimeUuid.fromString(info.snapshotId), [0, 1, 2]],
        { prepare: true },
      );
      expect([i, rs.rows.length]).toEqual([i, i < 2 ? 0 : 3]);
    }
  });
});

describe('CassandraKvStore settings and failures', () => {
  it('sends every statement at the configured consistency and retries only retriable failures', async () => {
    await store.batch([{ type: 'put', table: 'levels', key: 'k', value: 'v' }]);
    const capture = capturedLogger();
    // One replica exists: TWO can never be met, so any statement that used another level would pass.
    const two = await CassandraKvStore.connect({
      ...base,
      consistency: 'TWO',
      retryPolicy: fast,
      logger: capture.logger,
    });
    try {
      const unavailable = ['TransientError', 'CASSANDRA_UNAVAILABLE', true];
      expect(await codeOf(two.get('levels', 'k'))).toEqual(unavailable);
      expect(capture.retries()).toHaveLength(1);
      expect(await codeOf(two.getMany('levels', ['k', 'j']))).toEqual(unavailable);
      expect(await codeOf(two.batch([{ type: 'put', table: 'levels', key: 'k', value: 'w' }]))).toEqual(
        unavailable,
      );
      expect(await codeOf(two.count('levels'))).toEqual(unavailable);
      expect(
        await codeOf(
          (async () => {
            for await (const _ of two.scan('levels')) void _;
          })(),
        ),
      ).toEqual(unavailable);
      expect(
        await codeOf(
          (async () => {
            for await (const _ of two.scan('levels', { prefix: 'a:' })) void _;
          })(),
        ),
      ).toEqual(unavailable);
    } finally {
      await two.close();
    }
    for (const consistency of ['ONE', 'LOCAL_ONE', 'QUORUM', 'ALL'] as const) {
      const ok = await CassandraKvStore.connect({ ...base, consistency });
      await ok.batch([{ type: 'put', table: 'levels', key: consistency, value: consistency }]);
      expect(await ok.get('levels', consistency)).toBe(consistency);
      await ok.close();
    }
  });

  it('times requests out after requestTimeoutMs, as a retriable error', async () => {
    const value = randomBytes(512 * 1024);
    const keys = Array.from({ length: 40 }, (_, i) => `big-${i}`);
    for (const key of keys) await store.batch([{ type: 'put', table: 'slow_reads', key, value }]);
    const capture = capturedLogger();
    const hasty = await CassandraKvStore.connect({
      ...base,
      requestTimeoutMs: 1,
      retryPolicy: fast,
      logger: capture.logger,
    });
    try {
      expect(await codeOf(hasty.getMany('slow_reads', keys))).toEqual([
        'TransientError',
        'CASSANDRA_TIMEOUT',
        true,
      ]);
      expect(capture.retries().length).toBeGreaterThan(0);
    } finally {
      await hasty.close();
    }
    expect((await store.getMany('slow_reads', keys)).every((v) => Buffer.isBuffer(v))).toBe(true);
  });

  it('rejects bad options by field, a missing keyspace, unknown tables without createSchema, and use after close', async () => {
    const fields = async (options: Partial<CassandraKvStoreOptions>) => {
      const err = await failureOf(
        CassandraKvStore.connect({ ...base, ...options } as CassandraKvStoreOptions),
      );
      return err instanceof ValidationError ? err.issues.map((i) => i.field) : err;
    };
    expect(await fields({ consistency: 'ANY' as 'ONE' })).toEqual(['consistency']);
    expect(await fields({ requestTimeoutMs: 0, connectTimeoutMs: 1.5 })).toEqual([
      'requestTimeoutMs',
      'connectTimeoutMs',
    ]);
    expect(await fields({ keyspace: 'Bad-Name', contactPoints: [] })).toEqual(['contactPoints', 'keyspace']);
    expect(await fields({ retryPolicy: { maxAttempts: 0 } })).toEqual(['retryPolicy.maxAttempts']);
    expect(await fields({ maxValueBytes: -1 })).toEqual(['maxValueBytes']);
    expect(
      await codeOf(
        CassandraKvStore.connect({
          ...base,
          contactPoints: ['127.0.0.1:1'],
          retryPolicy: { maxAttempts: 1 },
        }),
      ),
    ).toEqual(['TransientError', 'CASSANDRA_UNAVAILABLE', true]);
    expect(await codeOf(CassandraKvStore.connect({ ...base, keyspace: uniqueName('absent') }))).toEqual([
      'StorageError',
      'CASSANDRA_KEYSPACE_MISSING',
      false,
    ]);
    const strict = await CassandraKvStore.connect(base);
    expect(await strict.get('not_created', 'k')).toBeUndefined();
    expect(await codeOf(strict.batch([{ type: 'put', table: 'not_created', key: 'k', value: 1 }]))).toEqual([
      'StorageError',
      'KV_UNKNOWN_TABLE',
      false,
    ]);
    expect(await strict.get(KV.users, 'nobody')).toBeUndefined();
    await strict.close();
    await strict.close();
    expect(await failureOf(strict.get(KV.users, 'k'))).toBeInstanceOf(StorageError);
    expect(await codeOf(strict.batch([]))).toEqual(['StorageError', 'KV_CLOSED', false]);
  });
});
