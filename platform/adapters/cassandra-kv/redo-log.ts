import { types } from 'cassandra-driver';
import type { Packr } from 'msgpackr';
import { StorageError } from '../../errors';
import type { PreparedOp } from '../lmdb-kv/prepare-batch';
import type { CassandraSession, CqlRequest } from './cassandra-session';

const CHUNK_BYTES = 512 * 1024;
/** [put?, table, key, encoded value or null]: compact, and the values stay the exact bytes first encoded. */
type RedoEntry = [boolean, string, string, Uint8Array | null];

/**
 * The redo records behind atomic multi-partition batches (schemas/cassandra/
 * 004-kv-redo.cql). Cassandra has no multi-partition transaction, and its
 * logged batches are capped far below an index batch; writing the ops once,
 * durably, before applying them lets a restarted writer finish the batch.
 */
export class RedoLog {
  private readonly batches: string;
  private readonly chunks: string;

  constructor(
    private readonly session: CassandraSession,
    private readonly packr: Packr,
  ) {
    this.batches = `"${session.options.keyspace}".redo_batches`;
    this.chunks = `"${session.options.keyspace}".redo_chunks`;
  }

  /** Stores the ops, then marks them pending; returns the batch id to pass to done(). */
  async begin(writer: string, ops: readonly PreparedOp[]): Promise<types.TimeUuid> {
    const entries: RedoEntry[] = ops.map((op) =>
      op.type === 'put' ? [true, op.table, op.key, op.encoded] : [false, op.table, op.key, null],
    );
    const blob = this.packr.pack(entries);
    const id = types.TimeUuid.now();
    const count = Math.max(1, Math.ceil(blob.length / CHUNK_BYTES));
    const write: CqlRequest = { code: 'KV_WRITE_FAILED', what: `redo record of ${writer}` };
    for (let chunk = 0; chunk < count; chunk++) {
      await this.session.execute(
        `INSERT INTO ${this.chunks} (writer, batch_id, chunk, ops) VALUES (?, ?, ?, ?)`,
        [writer, id, chunk, blob.subarray(chunk * CHUNK_BYTES, (chunk + 1) * CHUNK_BYTES)],
        write,
      );
    }
    await this.session.execute(
      `INSERT INTO ${this.batches} (writer, batch_id, chunk_count, pending) VALUES (?, ?, ?, true)`,
      [writer, id, count],
      write,
    );
    return id;
  }

  async done(writer: string, id: types.TimeUuid): Promise<void> {
    await this.session.execute(
      `INSERT INTO ${this.batches} (writer, batch_id, chunk_count, pending) VALUES (?, ?, 0, false)`,
      [writer, id],
      { code: 'KV_WRITE_FAILED', what: `redo record of ${writer}` },
    );
  }

  /** The writer's pending batch, if a crash left one. */
  async pending(writer: string): Promise<{ id: types.TimeUuid; ops: PreparedOp[] } | undefined> {
    const read: CqlRequest = { code: 'KV_READ_FAILED', what: `redo record of ${writer}` };
    const [row] = await this.session.execute(
      `SELECT batch_id, chunk_count, pending FROM ${this.batches} WHERE writer = ?`,
      [writer],
      read,
    );
    if (!row || row.pending !== true) return undefined;
    const id = row.batch_id as types.TimeUuid;
    const rows = await this.session.execute(
      `SELECT chunk, ops FROM ${this.chunks} WHERE writer = ? AND batch_id = ?`,
      [writer, id],
      read,
    );
    const count = Number(row.chunk_count);
    if (rows.length !== count) {
      throw new StorageError(
        'REDO_INCOMPLETE',
        `redo record ${id.toString()} of ${writer} has ${rows.length} of ${count} chunks (expired after 7 days?)`,
      );
    }
    const blob = Buffer.concat(rows.map((r) => r.ops as Buffer));
    const entries = this.packr.unpack(blob) as RedoEntry[];
    const ops = entries.map(([put, table, key, encoded]): PreparedOp =>
      put ? { type: 'put', table, key, encoded: encoded! } : { type: 'delete', table, key },
    );
    return { id, ops };
  }
}
