import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { KV } from '../../indexer/kv-tables';
import { CassandraKvStore, type CassandraKvStoreOptions } from '../../platform/adapters/cassandra-kv';
import { StorageError, ValidationError } from '../../platform/errors';
import { kvStoreContract } from '../contracts/kv-store-contract';
import { codeOf, failureOf, fast, useKeyspace } from './support/cassandra-keyspace';
import { uniqueName } from './support/test-endpoints';

let store: CassandraKvStore;
const { base } = useKeyspace('kv_cassandra', (opened) => ({ store } = opened));

kvStoreContract('CassandraKvStore', async () => {
  const fresh = await CassandraKvStore.connect({ ...base, createSchema: true });
  return { store: fresh, cleanup: () => fresh.close() };
});

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
