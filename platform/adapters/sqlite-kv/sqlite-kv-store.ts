import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KvOp, KvScanOptions, KvStore, KvValue } from '../../ports/kv-store';
import { AppError, StorageError, TransientError, ValidationError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
// Both stores share input checks and value encoding so they reject and round-trip exactly the same things.
import { createValuePackr } from '../lmdb-kv/msgpack-value-codec';
import { prepareBatch } from '../lmdb-kv/prepare-batch';
import { validateKey, validateKeys, validateScanOptions, validateTable } from '../lmdb-kv/validate-kv-input';
import { SqliteTable } from './sqlite-table';

export type SqliteSynchronous = 'FULL' | 'NORMAL' | 'OFF';

export interface SqliteKvStoreOptions {
  /** Database file; its directory is created when missing. */
  path: string;
  /** FULL (default) fsyncs the WAL at every commit, so a resolved batch is durable. */
  synchronous?: SqliteSynchronous;
  logger?: Logger;
}

/** SQLite has no practical key limit; the port only needs keys to be non-empty, well-formed strings. */
const NO_KEY_LIMIT = Number.POSITIVE_INFINITY;
const SCAN_PAGE = 1000;
const SYNCHRONOUS: readonly SqliteSynchronous[] = ['FULL', 'NORMAL', 'OFF'];

/**
 * KvStore on SQLite (better-sqlite3), the measured alternative to lmdb: one
 * `kv_<table>` (key TEXT PRIMARY KEY, value BLOB) per table, WAL journal,
 * msgpack values. TEXT keys compare with the BINARY collation, i.e. memcmp of
 * UTF-8, which is the byte order the port promises. Like the lmdb store, a
 * scan reads pages of 1000 rows and is not one snapshot across pages.
 */
export class SqliteKvStore implements KvStore {
  private readonly tables = new Map<string, SqliteTable>();
  private readonly packr = createValuePackr();
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    private readonly logger: Logger,
  ) {}

  static open(options: SqliteKvStoreOptions): SqliteKvStore {
    if (typeof options.path !== 'string' || options.path.length === 0) {
      throw new ValidationError('sqlite path must be a non-empty string', [
        { field: 'path', reason: 'empty' },
      ]);
    }
    const synchronous = options.synchronous ?? 'FULL';
    if (!SYNCHRONOUS.includes(synchronous)) {
      throw new ValidationError(`unknown synchronous mode ${String(synchronous)}`, [
        { field: 'synchronous', reason: `must be one of ${SYNCHRONOUS.join(', ')}` },
      ]);
    }
    const logger = (options.logger ?? silentLogger).child({ component: 'sqlite-kv', path: options.path });
    try {
      mkdirSync(path.dirname(options.path), { recursive: true });
      const db = new Database(options.path);
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${synchronous}`);
      logger.debug({ synchronous }, 'sqlite kv store opened');
      return new SqliteKvStore(db, logger);
    } catch (err) {
      throw sqliteFailure('KV_OPEN_FAILED', `cannot open sqlite store at ${options.path}`, err);
    }
  }

  async get<T = KvValue>(table: string, key: string): Promise<T | undefined> {
    return this.getSync<T>(table, key);
  }

  /** Synchronous get, outside the port, so the benchmark can compare like with like against lmdb's getSync. */
  getSync<T = KvValue>(table: string, key: string): T | undefined {
    this.assertOpen();
    validateTable(table);
    validateKey(key, NO_KEY_LIMIT);
    const t = this.table(table, false);
    if (t === undefined) return undefined;
    let bytes: Buffer | undefined;
    try {
      bytes = t.get.get(key);
    } catch (err) {
      throw sqliteFailure('KV_READ_FAILED', `sqlite read of table ${table} failed`, err);
    }
    return bytes === undefined ? undefined : (this.packr.unpack(bytes) as T);
  }

  async getMany<T = KvValue>(table: string, keys: string[]): Promise<(T | undefined)[]> {
    this.assertOpen();
    validateTable(table);
    validateKeys(keys, NO_KEY_LIMIT);
    const t = this.table(table, false);
    if (t === undefined) return keys.map(() => undefined);
    let rows: (Buffer | undefined)[];
    try {
      rows = this.db.transaction(() => keys.map((key) => t.get.get(key))).deferred();
    } catch (err) {
      throw sqliteFailure('KV_READ_FAILED', `sqlite read of table ${table} failed`, err);
    }
    return rows.map((bytes) => (bytes === undefined ? undefined : (this.packr.unpack(bytes) as T)));
  }

  /** Every batch is one transaction here, so no crash leaves one half-applied. */
  async recover(writer: string): Promise<boolean> {
    if (typeof writer !== 'string' || writer === '') {
      throw new ValidationError('recover needs a writer name', [{ field: 'writer', reason: 'empty' }]);
    }
    return false;
  }

  async batch(ops: KvOp[]): Promise<void> {
    this.assertOpen();
    const prepared = prepareBatch(ops, NO_KEY_LIMIT, (value) => this.packr.pack(value));
    if (prepared.length === 0) return;
    try {
      const tables = prepared.map((op) => this.table(op.table, true)!);
      this.db
        .transaction(() => {
          for (let i = 0; i < prepared.length; i++) {
            const op = prepared[i]!;
            if (op.type === 'put') tables[i]!.put.run(op.key, op.encoded);
            else tables[i]!.remove.run(op.key);
          }
        })
        .immediate();
    } catch (err) {
      throw sqliteFailure('KV_WRITE_FAILED', `sqlite batch of ${prepared.length} ops failed`, err);
    }
  }

  async *scan<T = KvValue>(table: string, options?: KvScanOptions): AsyncGenerator<[string, T]> {
    this.assertOpen();
    validateTable(table);
    const bounds = validateScanOptions(options, NO_KEY_LIMIT);
    const t = this.table(table, false);
    if (t === undefined) return;
    let remaining = bounds.limit;
    let start = bounds.start;
    let exclusive = bounds.exclusive;
    // Pages, not one long-lived iterator: better-sqlite3 forbids other statements
    // on the connection while an iterator is open, and the consumer may await anything.
    while (remaining > 0) {
      this.assertOpen();
      let rows: [string, Buffer][];
      try {
        rows = (exclusive ? t.scanAfter : t.scanFrom).all(start, Math.min(remaining, SCAN_PAGE));
      } catch (err) {
        throw sqliteFailure('KV_READ_FAILED', `sqlite scan of table ${table} failed`, err);
      }
      for (const [key, bytes] of rows) {
        // Keys sharing a prefix are contiguous in byte order: the first miss ends the scan.
        if (!key.startsWith(bounds.prefix)) return;
        yield [key, this.packr.unpack(bytes) as T];
      }
      remaining -= rows.length;
      if (rows.length < SCAN_PAGE) return;
      start = rows[rows.length - 1]![0];
      exclusive = true;
    }
  }

  async count(table: string): Promise<number> {
    this.assertOpen();
    validateTable(table);
    const t = this.table(table, false);
    if (t === undefined) return 0;
    try {
      return t.count.get()!;
    } catch (err) {
      throw sqliteFailure('KV_READ_FAILED', `sqlite count of table ${table} failed`, err);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.tables.clear();
    this.db.close();
    this.logger.debug('sqlite kv store closed');
  }

  /** Reads never create a table: one nobody wrote is simply empty. */
  private table(name: string, create: boolean): SqliteTable | undefined {
    const cached = this.tables.get(name);
    if (cached !== undefined) return cached;
    const t = SqliteTable.open(this.db, name, create);
    if (t !== undefined) this.tables.set(name, t);
    return t;
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageError('KV_CLOSED', 'sqlite kv store is closed');
  }
}

/** Lock contention may clear on a retry; every other SQLite failure will not. */
function sqliteFailure(code: string, what: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  const sqliteCode = (err as { code?: unknown }).code;
  const text = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  if (typeof sqliteCode === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode)) {
    return new TransientError('KV_BUSY', text, { cause: err, details: { sqliteCode } });
  }
  return new StorageError(code, text, { cause: err, details: { sqliteCode } });
}
