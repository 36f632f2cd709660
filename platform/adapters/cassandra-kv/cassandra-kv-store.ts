import type { KvBatchOptions, KvOp, KvScanOptions, KvStore, KvValue } from '../../ports/kv-store';
import { StorageError, ValidationError, isRetriable } from '../../errors';
import { createValuePackr } from '../lmdb-kv/msgpack-value-codec';
import { prepareBatch, type PreparedOp } from '../lmdb-kv/prepare-batch';
import { validateKey, validateKeys, validateScanOptions, validateTable } from '../lmdb-kv/validate-kv-input';
import { ensureSchema } from './apply-schema';
import { resolveConnectOptions, type CassandraConnectOptions } from './cassandra-options';
import { CassandraSession, cqlNumber, type CqlRequest, type CqlStatement } from './cassandra-session';
import { bucketOfKey, bucketsForPrefix, KV_BUCKETS } from './kv-bucket';
import { KvTableRegistry, type KvTable } from './kv-table-registry';
import { mergeByKey } from './merge-by-key';
import { planBatchRuns, type BatchRun } from './plan-batch-runs';
import { RedoLog } from './redo-log';
import { prefixUpperBound } from './prefix-upper-bound';
import { scanBucket } from './scan-bucket';

export interface CassandraKvStoreOptions extends CassandraConnectOptions {
  /** Largest msgpack-encoded value a put may carry; default 1 MiB. Bigger blobs belong in the snapshot store. */
  maxValueBytes?: number;
}

/** A text clustering value carries a 16-bit length. */
export const CASSANDRA_MAX_KEY_BYTES = 65_535;
const DEFAULT_MAX_VALUE_BYTES = 1024 * 1024;
const SCAN_PAGE = 1000;
/** Keys per `IN` list of getMany: one partition each, so a coordinator reads one slice per query. */
const GET_MANY_CHUNK = 100;

/**
 * KvStore on Cassandra: one `kv_<table>` CQL table per logical table,
 * partitioned into 16 buckets by the key's head (text before the first ':'),
 * clustered by the key, whose text comparison is UTF-8 byte order. Values
 * are msgpack like the lmdb store. See README.md for ordering, atomicity
 * and consistency.
 */
export class CassandraKvStore implements KvStore {
  private readonly packr = createValuePackr();
  private readonly redo: RedoLog;

  private constructor(
    private readonly session: CassandraSession,
    private readonly tables: KvTableRegistry,
    private readonly maxValueBytes: number,
  ) {
    this.redo = new RedoLog(session, this.packr);
  }

  static async connect(options: CassandraKvStoreOptions): Promise<CassandraKvStore> {
    const resolved = resolveConnectOptions(options);
    const maxValueBytes = options.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES;
    if (!Number.isSafeInteger(maxValueBytes) || maxValueBytes < 1) {
      throw new ValidationError('invalid cassandra options', [
        { field: 'maxValueBytes', reason: 'must be a positive integer' },
      ]);
    }
    const session = await CassandraSession.open(resolved, 'cassandra-kv');
    try {
      await ensureSchema(session, resolved);
    } catch (err) {
      await session.close();
      throw err;
    }
    return new CassandraKvStore(
      session,
      new KvTableRegistry(session, resolved.keyspace, resolved.createSchema),
      maxValueBytes,
    );
  }

  async get<T = KvValue>(table: string, key: string): Promise<T | undefined> {
    this.session.assertOpen();
    validateTable(table);
    validateKey(key, CASSANDRA_MAX_KEY_BYTES);
    const t = await this.tables.find(table);
    if (t === undefined) return undefined;
    const rows = await this.session.execute(t.get, [bucketOfKey(key), key], read(`get from ${table}`));
    return rows.length === 0 ? undefined : this.decode<T>(rows[0]!.get('value') as Buffer, table, key);
  }

  async getMany<T = KvValue>(table: string, keys: string[]): Promise<(T | undefined)[]> {
    this.session.assertOpen();
    validateTable(table);
    validateKeys(keys, CASSANDRA_MAX_KEY_BYTES);
    if (keys.length === 0) return [];
    const t = await this.tables.find(table);
    if (t === undefined) return keys.map(() => undefined);
    const byBucket = new Map<number, string[]>();
    for (const key of new Set(keys)) {
      const bucket = bucketOfKey(key);
      const list = byBucket.get(bucket);
      if (list === undefined) byBucket.set(bucket, [key]);
      else list.push(key);
    }
    const queries: Promise<void>[] = [];
    const found = new Map<string, Buffer>();
    const request = read(`getMany from ${table}`);
    for (const [bucket, list] of byBucket) {
      for (let i = 0; i < list.length; i += GET_MANY_CHUNK) {
        const chunk = list.slice(i, i + GET_MANY_CHUNK);
        queries.push(
          this.session.execute(t.getMany, [bucket, chunk], request).then((rows) => {
            for (const row of rows) found.set(String(row.get('key')), row.get('value') as Buffer);
          }),
        );
      }
    }
    await settleAll(queries);
    // Decoded per position, so a key asked twice yields two independent values, as in lmdb.
    return keys.map((key) => {
      const bytes = found.get(key);
      return bytes === undefined ? undefined : this.decode<T>(bytes, table, key);
    });
  }

  /**
   * Applied in order at table-run granularity: consecutive ops on one table
   * form a run, and a run is sent only once every write of the previous one
   * was acknowledged at the configured consistency. Within a run, each
   * partition's ops are one UNLOGGED single-partition batch (atomic and
   * isolated); partitions of a run land in any order. So a checkpoint
   * written last, in its own table, never covers state not yet stored. A
   * failed batch leaves earlier runs stored and part of the failing one;
   * replaying it converges, since puts and deletes are idempotent.
   */
  async batch(ops: KvOp[], options?: KvBatchOptions): Promise<void> {
    this.session.assertOpen();
    const prepared = prepareBatch(ops, CASSANDRA_MAX_KEY_BYTES, (value) => this.packr.pack(value));
    this.checkValueSizes(prepared);
    if (prepared.length === 0) return;
    const runs = planBatchRuns(prepared);
    const tables = await this.requireTables(prepared);
    const onePartition = runs.length === 1 && runs[0]!.partitions.length === 1;
    // One CQL batch on one partition is atomic already; anything wider needs the redo record.
    if (!options?.writer || (onePartition && runs[0]!.partitions[0]!.chunks.length === 1)) {
      await this.applyRuns(runs, tables);
      return;
    }
    const id = await this.redo.begin(options.writer, prepared);
    await this.applyRuns(runs, tables);
    await this.redo.done(options.writer, id);
  }

  async recover(writer: string): Promise<boolean> {
    this.session.assertOpen();
    if (typeof writer !== 'string' || writer === '') {
      throw new ValidationError('recover needs a writer name', [{ field: 'writer', reason: 'empty' }]);
    }
    const pending = await this.redo.pending(writer);
    if (!pending) return false;
    await this.applyRuns(planBatchRuns(pending.ops), await this.requireTables(pending.ops));
    await this.redo.done(writer, pending.id);
    return true;
  }

  /** Every table exists (or is created) before the first write, so a refusal writes nothing. */
  private async requireTables(ops: readonly PreparedOp[]): Promise<Map<string, KvTable>> {
    const tables = new Map<string, KvTable>();
    for (const name of new Set(ops.map((op) => op.table))) tables.set(name, await this.tables.require(name));
    return tables;
  }

  private async applyRuns(runs: BatchRun[], tables: Map<string, KvTable>): Promise<void> {
    for (const run of runs) {
      const t = tables.get(run.table)!;
      const request: CqlRequest = { code: 'KV_WRITE_FAILED', what: `batch write to ${run.table}` };
      await settleAll(
        run.partitions.map(async ({ bucket, chunks }) => {
          for (const chunk of chunks) {
            await this.session.batch(
              chunk.map((op) => statement(t, bucket, op)),
              request,
            );
          }
        }),
      );
    }
  }

  async *scan<T = KvValue>(table: string, options?: KvScanOptions): AsyncGenerator<[string, T]> {
    this.session.assertOpen();
    validateTable(table);
    const bounds = validateScanOptions(options, CASSANDRA_MAX_KEY_BYTES);
    if (bounds.limit === 0) return;
    const t = await this.tables.find(table);
    if (t === undefined) return;
    const slice = {
      start: bounds.start,
      exclusive: bounds.exclusive,
      upper: bounds.prefix === '' ? undefined : prefixUpperBound(bounds.prefix),
      limit: bounds.limit,
    };
    const request = read(`scan of ${table}`);
    const sources = bucketsForPrefix(bounds.prefix).map((bucket) =>
      scanBucket(this.session, t, bucket, slice, SCAN_PAGE, request),
    );
    const entries = sources.length === 1 ? sources[0]! : mergeByKey(sources);
    let remaining = bounds.limit;
    for await (const [key, bytes] of entries) {
      yield [key, this.decode<T>(bytes, table, key)];
      if (--remaining === 0) return;
    }
  }

  /** One COUNT per bucket partition, never a scan of the whole ring. */
  async count(table: string): Promise<number> {
    this.session.assertOpen();
    validateTable(table);
    const t = await this.tables.find(table);
    if (t === undefined) return 0;
    const request = read(`count of ${table}`);
    const counts = await settleAll(
      Array.from({ length: KV_BUCKETS }, (_, bucket) =>
        this.session.execute(t.count, [bucket], request).then((rows) => cqlNumber(rows[0]!.get('n'))),
      ),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  /** Waits for in-flight requests, then closes the connections. Idempotent. */
  close(): Promise<void> {
    return this.session.close();
  }

  private checkValueSizes(prepared: PreparedOp[]): void {
    prepared.forEach((op, i) => {
      if (op.type === 'put' && op.encoded.length > this.maxValueBytes) {
        throw new ValidationError(
          `batch op [${i}] value is ${op.encoded.length} bytes encoded, the store allows ${this.maxValueBytes}`,
          [{ field: `[${i}].value`, reason: `larger than ${this.maxValueBytes} bytes encoded` }],
        );
      }
    });
  }

  private decode<T>(bytes: Buffer, table: string, key: string): T {
    try {
      return this.packr.unpack(bytes) as T;
    } catch (err) {
      throw new StorageError('KV_CORRUPT_VALUE', `value of ${table}/${JSON.stringify(key)} is not msgpack`, {
        cause: err,
        details: { table, key },
      });
    }
  }
}

function read(what: string): CqlRequest {
  return { code: 'KV_READ_FAILED', what };
}

function statement(t: KvTable, bucket: number, op: PreparedOp): CqlStatement {
  return op.type === 'put'
    ? {
        query: t.put,
        params: [bucket, op.key, Buffer.from(op.encoded.buffer, op.encoded.byteOffset, op.encoded.length)],
      }
    : { query: t.delete, params: [bucket, op.key] };
}

/**
 * Like Promise.all, but settles every request before failing, so nothing of
 * a failed call is still in flight when it rejects. A non-retriable failure
 * wins over a retriable one: retrying could not fix it.
 */
async function settleAll<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    const reasons = failures.map((f) => f.reason as unknown);
    throw reasons.find((r) => !isRetriable(r)) ?? reasons[0];
  }
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}
