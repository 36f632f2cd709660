import { createHash } from 'node:crypto';
import { types } from 'cassandra-driver';
import { StorageError, TransientError, ValidationError } from '../../errors';
import type { SnapshotBlobStore } from '../../ports/snapshot-blob-store';
import { ensureSchema } from './apply-schema';
import { resolveConnectOptions, type CassandraConnectOptions } from './cassandra-options';
import { CassandraSession, cqlNumber, type CqlRequest } from './cassandra-session';

export interface CassandraSnapshotBlobStoreOptions extends CassandraConnectOptions {
  /** Bytes per chunk row; default 1 MiB, far below the server's mutation limit. */
  chunkBytes?: number;
  /** Complete snapshots kept per name; older ones are deleted after each put. Default 2. */
  keep?: number;
  /** Chunk writes or reads in flight at once; default 4. */
  concurrency?: number;
}

/** JSON-serialisable facts about a snapshot, such as the log position it covers. */
export type SnapshotMeta = Record<string, unknown>;

export interface SnapshotInfo {
  name: string;
  /** A time-based UUID: newer snapshots of a name have later ids. */
  snapshotId: string;
  createdAt: Date;
  totalBytes: number;
  chunkBytes: number;
  chunkCount: number;
  /** Hex SHA-256 of the whole blob, checked on every read. */
  sha256: string;
  meta: SnapshotMeta;
}

export interface StoredSnapshot extends SnapshotInfo {
  bytes: Buffer;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
/** Reads that find a chunk pruned under them start over from the newest manifest this many times. */
const READ_ATTEMPTS = 3;

/**
 * Large blobs (roaring-bitmap snapshots) in Cassandra, chunked. A put writes
 * every chunk, each its own partition, and only once all are acknowledged
 * writes the manifest row, so a reader, who starts from the newest manifest,
 * sees the previous snapshot or the new one, never a mix. Snapshots beyond
 * `keep` are deleted chunks first, manifest last, so nothing is orphaned by
 * a failed prune; a reader whose snapshot was pruned mid-read starts over.
 */
export class CassandraSnapshotBlobStore implements SnapshotBlobStore {
  private readonly chunksTable: string;
  private readonly manifestsTable: string;

  private constructor(
    private readonly session: CassandraSession,
    private readonly chunkBytes: number,
    private readonly keep: number,
    private readonly concurrency: number,
  ) {
    this.chunksTable = `"${session.options.keyspace}".bitmap_snapshots`;
    this.manifestsTable = `"${session.options.keyspace}".bitmap_snapshot_manifests`;
  }

  static async connect(options: CassandraSnapshotBlobStoreOptions): Promise<CassandraSnapshotBlobStore> {
    const resolved = resolveConnectOptions(options);
    const chunkBytes = options.chunkBytes ?? 1024 * 1024;
    const keep = options.keep ?? 2;
    const concurrency = options.concurrency ?? 4;
    const issues = [
      { field: 'chunkBytes', value: chunkBytes },
      { field: 'keep', value: keep },
      { field: 'concurrency', value: concurrency },
    ]
      .filter(({ value }) => !Number.isSafeInteger(value) || value < 1)
      .map(({ field }) => ({ field, reason: 'must be a positive integer' }));
    if (issues.length > 0) throw new ValidationError('invalid snapshot store options', issues);
    const session = await CassandraSession.open(resolved, 'cassandra-snapshots');
    try {
      await ensureSchema(session, resolved);
    } catch (err) {
      await session.close();
      throw err;
    }
    return new CassandraSnapshotBlobStore(session, chunkBytes, keep, concurrency);
  }

  async putSnapshot(name: string, bytes: Uint8Array, meta: SnapshotMeta = {}): Promise<SnapshotInfo> {
    this.session.assertOpen();
    validateName(name);
    if (!(bytes instanceof Uint8Array)) {
      throw new ValidationError('snapshot bytes must be a Uint8Array', [
        { field: 'bytes', reason: 'not bytes' },
      ]);
    }
    const metaJson = encodeMeta(meta);
    const id = types.TimeUuid.now();
    // A copy: the checksum and the chunks must describe the same bytes even if the caller reuses its buffer.
    const blob = Buffer.from(bytes);
    const chunkCount = Math.ceil(blob.length / this.chunkBytes);
    const sha256 = createHash('sha256').update(blob).digest();
    const write: CqlRequest = { code: 'SNAPSHOT_WRITE_FAILED', what: `snapshot ${name} write` };
    try {
      await this.forEachChunk(chunkCount, (chunk) =>
        this.session.execute(
          `INSERT INTO ${this.chunksTable} (snapshot_id, chunk, bytes) VALUES (?, ?, ?)`,
          [id, chunk, blob.subarray(chunk * this.chunkBytes, (chunk + 1) * this.chunkBytes)],
          write,
        ),
      );
    } catch (err) {
      // No manifest names these chunks, so nobody reads them; removing them is only housekeeping.
      await this.deleteChunks(id, chunkCount).catch(() => undefined);
      throw err;
    }
    const createdAt = new Date();
    await this.session.execute(
      `INSERT INTO ${this.manifestsTable} (name, snapshot_id, created_at, total_bytes, chunk_bytes, ` +
        'chunk_count, sha256, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [
        name,
        id,
        createdAt,
        types.Long.fromNumber(blob.length),
        this.chunkBytes,
        chunkCount,
        sha256,
        metaJson,
      ],
      write,
    );
    this.session.logger.info(
      { name, snapshotId: id.toString(), bytes: blob.length, chunkCount },
      'snapshot stored',
    );
    await this.prune(name).catch((err: unknown) =>
      this.session.logger.warn({ err, name }, 'old snapshots not pruned; the next put tries again'),
    );
    return {
      name,
      snapshotId: id.toString(),
      createdAt,
      totalBytes: blob.length,
      chunkBytes: this.chunkBytes,
      chunkCount,
      sha256: sha256.toString('hex'),
      meta: JSON.parse(metaJson) as SnapshotMeta,
    };
  }

  /** The newest complete snapshot of `name`, checked against its length and SHA-256; undefined if none. */
  async getLatestSnapshot(name: string): Promise<StoredSnapshot | undefined> {
    this.session.assertOpen();
    validateName(name);
    let previous: string | undefined;
    for (let attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
      const info = await this.latestManifest(name);
      if (info === undefined) return undefined;
      if (info.snapshotId === previous) {
        throw new StorageError('SNAPSHOT_CORRUPT', `snapshot ${name}/${info.snapshotId} is missing chunks`, {
          details: { name, snapshotId: info.snapshotId },
        });
      }
      const bytes = await this.readChunks(info);
      if (bytes !== undefined) return { ...info, bytes };
      previous = info.snapshotId;
    }
    throw new TransientError(
      'SNAPSHOT_CHURN',
      `snapshot ${name} was replaced ${READ_ATTEMPTS} times while reading`,
      {
        details: { name },
      },
    );
  }

  close(): Promise<void> {
    return this.session.close();
  }

  private async latestManifest(name: string): Promise<SnapshotInfo | undefined> {
    const rows = await this.session.execute(
      'SELECT snapshot_id, created_at, total_bytes, chunk_bytes, chunk_count, sha256, meta ' +
        `FROM ${this.manifestsTable} WHERE name = ? LIMIT 1`,
      [name],
      { code: 'SNAPSHOT_READ_FAILED', what: `snapshot ${name} manifest read` },
    );
    const row = rows[0];
    if (row === undefined) return undefined;
    return {
      name,
      snapshotId: String(row.get('snapshot_id')),
      createdAt: row.get('created_at') as Date,
      totalBytes: cqlNumber(row.get('total_bytes')),
      chunkBytes: row.get('chunk_bytes') as number,
      chunkCount: row.get('chunk_count') as number,
      sha256: (row.get('sha256') as Buffer).toString('hex'),
      meta: JSON.parse(row.get('meta') as string) as SnapshotMeta,
    };
  }

  /** The blob, or undefined when a chunk is gone (pruned after the manifest was read). */
  private async readChunks(info: SnapshotInfo): Promise<Buffer | undefined> {
    const id = types.TimeUuid.fromString(info.snapshotId);
    const chunks: (Buffer | undefined)[] = new Array<Buffer | undefined>(info.chunkCount);
    await this.forEachChunk(info.chunkCount, async (chunk) => {
      const rows = await this.session.execute(
        `SELECT bytes FROM ${this.chunksTable} WHERE snapshot_id = ? AND chunk = ?`,
        [id, chunk],
        { code: 'SNAPSHOT_READ_FAILED', what: `snapshot ${info.name} chunk read` },
      );
      chunks[chunk] = rows[0]?.get('bytes') as Buffer | undefined;
    });
    if (chunks.some((c) => c === undefined)) return undefined;
    const bytes = Buffer.concat(chunks as Buffer[]);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (bytes.length !== info.totalBytes || sha256 !== info.sha256) {
      throw new StorageError(
        'SNAPSHOT_CORRUPT',
        `snapshot ${info.name}/${info.snapshotId} does not match its manifest`,
        { details: { name: info.name, snapshotId: info.snapshotId, bytes: bytes.length, sha256 } },
      );
    }
    return bytes;
  }

  private async prune(name: string): Promise<void> {
    const rows = await this.session.execute(
      `SELECT snapshot_id, chunk_count FROM ${this.manifestsTable} WHERE name = ?`,
      [name],
      { code: 'SNAPSHOT_READ_FAILED', what: `snapshot ${name} list` },
    );
    for (const row of rows.slice(this.keep)) {
      const id = row.get('snapshot_id') as types.TimeUuid;
      await this.deleteChunks(id, row.get('chunk_count') as number);
      await this.session.execute(
        `DELETE FROM ${this.manifestsTable} WHERE name = ? AND snapshot_id = ?`,
        [name, id],
        { code: 'SNAPSHOT_WRITE_FAILED', what: `snapshot ${name} prune` },
      );
      this.session.logger.debug({ name, snapshotId: id.toString() }, 'old snapshot deleted');
    }
  }

  private deleteChunks(id: types.TimeUuid, chunkCount: number): Promise<void> {
    return this.forEachChunk(chunkCount, (chunk) =>
      this.session.execute(
        `DELETE FROM ${this.chunksTable} WHERE snapshot_id = ? AND chunk = ?`,
        [id, chunk],
        {
          code: 'SNAPSHOT_WRITE_FAILED',
          what: 'snapshot chunk delete',
        },
      ),
    );
  }

  /** Runs `fn` for chunks 0..count-1, `concurrency` at a time; the first failure stops new work. */
  private async forEachChunk(count: number, fn: (chunk: number) => Promise<unknown>): Promise<void> {
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (!failed && next < count) {
        const chunk = next++;
        try {
          await fn(chunk);
        } catch (err) {
          failed = true;
          throw err;
        }
      }
    };
    const results = await Promise.allSettled(
      Array.from({ length: Math.min(this.concurrency, count) }, worker),
    );
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }
}

function validateName(name: unknown): void {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ValidationError(`invalid snapshot name ${JSON.stringify(name)}`, [
      { field: 'name', reason: 'must match [A-Za-z0-9][A-Za-z0-9_.:-]{0,127}' },
    ]);
  }
}

function encodeMeta(meta: unknown): string {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
    throw new ValidationError('snapshot meta must be a plain object', [
      { field: 'meta', reason: 'not an object' },
    ]);
  }
  try {
    return JSON.stringify(meta);
  } catch (err) {
    throw new ValidationError(
      'snapshot meta is not JSON-serialisable',
      [{ field: 'meta', reason: 'not JSON' }],
      {
        cause: err,
      },
    );
  }
}
