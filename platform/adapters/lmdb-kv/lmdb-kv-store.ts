import { asBinary, open, type Database, type DatabaseOptions, type RootDatabase } from 'lmdb';
import type { KvOp, KvScanOptions, KvStore, KvValue } from '../../ports/kv-store';
import { AppError, StorageError, ValidationError } from '../../errors';
import { silentLogger, type Logger } from '../../logger';
import { createValuePackr } from './msgpack-value-codec';
import { prepareBatch } from './prepare-batch';
import { LMDB_MAX_KEY_BYTES, utf8KeyEncoder } from './utf8-key-encoder';
import { validateKey, validateKeys, validateScanOptions, validateTable } from './validate-kv-input';

export interface LmdbKvStoreOptions {
  /** Directory holding data.mdb and lock.mdb; created when missing. */
  path: string;
  /** Skip the fsync at commit: batches survive a process crash but not an OS crash or power loss. */
  noSync?: boolean;
  /** Initial map size in bytes; lmdb-js grows the map when it fills. */
  mapSize?: number;
  logger?: Logger;
}

/** Named sub-databases are slots in one LMDB environment, fixed at open. */
const MAX_TABLES = 256;
/** Entries read per cursor pass of a scan; the read transaction is released between passes. */
const SCAN_PAGE = 1000;

interface TableOptions extends DatabaseOptions {
  name: string;
  keyEncoder: typeof utf8KeyEncoder;
  create: boolean;
}

type Table = Database<unknown, string>;

/**
 * KvStore on LMDB: one named sub-database per table, keys as raw UTF-8 (byte
 * order), values msgpack. A batch is one LMDB write block, in one transaction, and with
 * `noSync` off its promise resolves only after the commit was fsynced. A scan
 * reads pages of 1000 entries, each page from one snapshot, so a long scan
 * does not pin old pages; writes landing between pages may or may not be seen.
 */
export class LmdbKvStore implements KvStore {
  private readonly tables = new Map<string, Table>();
  private readonly packr = createValuePackr();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly root: RootDatabase,
    private readonly logger: Logger,
  ) {}

  static open(options: LmdbKvStoreOptions): LmdbKvStore {
    if (typeof options.path !== 'string' || options.path.length === 0) {
      throw new ValidationError('lmdb path must be a non-empty string', [{ field: 'path', reason: 'empty' }]);
    }
    const logger = (options.logger ?? silentLogger).child({ component: 'lmdb-kv', path: options.path });
    let root: RootDatabase;
    try {
      root = open({
        path: options.path,
        // A directory even when the path has an extension, so the layout never depends on the name.
        noSubdir: false,
        maxDbs: MAX_TABLES,
        noSync: options.noSync ?? false,
        // Plain LMDB commits: the fsync happens inside the commit, so "committed" means "durable".
        overlappingSync: false,
        ...(options.mapSize === undefined ? {} : { mapSize: options.mapSize }),
      } as Parameters<typeof open>[0] & { noSubdir: boolean });
    } catch (err) {
      throw new StorageError('KV_OPEN_FAILED', `cannot open lmdb store at ${options.path}: ${message(err)}`, {
        cause: err,
      });
    }
    logger.debug({ noSync: options.noSync ?? false }, 'lmdb kv store opened');
    return new LmdbKvStore(root, logger);
  }

  async get<T = KvValue>(table: string, key: string): Promise<T | undefined> {
    return this.getSync<T>(table, key);
  }

  /**
   * Synchronous get, outside the port. LMDB reads are memory-mapped lookups
   * that never wait on I/O, so hot read paths (the hashtag page cache loader)
   * skip the promise and microtask per key that `get` costs.
   */
  getSync<T = KvValue>(table: string, key: string): T | undefined {
    this.assertOpen();
    validateTable(table);
    validateKey(key, LMDB_MAX_KEY_BYTES);
    const db = this.table(table, false);
    if (db === undefined) return undefined;
    try {
      return db.get(key) as T | undefined;
    } catch (err) {
      throw readFailed(table, err);
    }
  }

  async getMany<T = KvValue>(table: string, keys: string[]): Promise<(T | undefined)[]> {
    this.assertOpen();
    validateTable(table);
    validateKeys(keys, LMDB_MAX_KEY_BYTES);
    const db = this.table(table, false);
    if (db === undefined) return keys.map(() => undefined);
    let txn: ReturnType<RootDatabase['useReadTransaction']> | undefined;
    try {
      txn = this.root.useReadTransaction();
      const transaction = txn;
      return keys.map((key) => db.get(key, { transaction }) as T | undefined);
    } catch (err) {
      throw readFailed(table, err);
    } finally {
      txn?.done();
    }
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
    const prepared = prepareBatch(ops, LMDB_MAX_KEY_BYTES, (value) => this.packr.pack(value));
    if (prepared.length === 0) return;
    // Sub-databases are opened (and created) before the write transaction is queued, never inside it.
    const dbs = prepared.map((op) => this.table(op.table, true)!);
    try {
      // One block of write instructions, applied by lmdb-js's write thread in one
      // transaction, so the B-tree work leaves the event loop (a transaction
      // callback would run each put here). The block cannot stop halfway:
      // prepareBatch checked every key and encoded every value, so no put throws.
      await this.root.batch(() => {
        for (let i = 0; i < prepared.length; i++) {
          const op = prepared[i]!;
          if (op.type === 'put') void dbs[i]!.put(op.key, asBinary(op.encoded));
          else void dbs[i]!.remove(op.key);
        }
      });
    } catch (err) {
      throw new StorageError(
        'KV_WRITE_FAILED',
        `lmdb batch of ${prepared.length} ops failed: ${message(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  async *scan<T = KvValue>(table: string, options?: KvScanOptions): AsyncGenerator<[string, T]> {
    this.assertOpen();
    validateTable(table);
    const bounds = validateScanOptions(options, LMDB_MAX_KEY_BYTES);
    const db = this.table(table, false);
    if (db === undefined) return;
    let remaining = bounds.limit;
    let start = bounds.start;
    let exclusive = bounds.exclusive;
    while (remaining > 0) {
      this.assertOpen();
      const page: [string, T][] = [];
      let pastPrefix = false;
      try {
        for (const { key, value } of db.getRange({
          start,
          exclusiveStart: exclusive,
          limit: Math.min(remaining, SCAN_PAGE),
        })) {
          // Keys sharing a prefix are contiguous in byte order: the first miss ends the scan.
          if (!key.startsWith(bounds.prefix)) {
            pastPrefix = true;
            break;
          }
          page.push([key, value as T]);
        }
      } catch (err) {
        throw readFailed(table, err);
      }
      yield* page;
      remaining -= page.length;
      if (pastPrefix || page.length < SCAN_PAGE) return;
      start = page[page.length - 1]![0];
      exclusive = true;
    }
  }

  async count(table: string): Promise<number> {
    this.assertOpen();
    validateTable(table);
    const db = this.table(table, false);
    if (db === undefined) return 0;
    try {
      return (db.getStats() as { entryCount: number }).entryCount;
    } catch (err) {
      throw readFailed(table, err);
    }
  }

  /** Waits for queued batches to commit, then closes the environment. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.root.close().then(() => {
      this.tables.clear();
      this.logger.debug('lmdb kv store closed');
    });
    return this.closing;
  }

  /**
   * Reads never create a sub-database: a table nobody wrote is simply empty,
   * and an absent one is looked up again next time since a batch may create it.
   */
  private table(name: string, create: boolean): Table | undefined {
    const cached = this.tables.get(name);
    if (cached !== undefined) return cached;
    const options: TableOptions = { name, keyEncoder: utf8KeyEncoder, create };
    let db: Table | undefined;
    try {
      db = this.root.openDB<unknown, string>(options);
    } catch (err) {
      const full = message(err).includes('MDB_DBS_FULL');
      throw new StorageError(
        full ? 'KV_TOO_MANY_TABLES' : 'KV_OPEN_FAILED',
        full
          ? `lmdb store holds at most ${MAX_TABLES} tables; cannot open ${name}`
          : `cannot open table ${name}`,
        { cause: err, details: { table: name } },
      );
    }
    if (db === undefined) return undefined;
    this.tables.set(name, db);
    this.logger.debug({ table: name }, 'lmdb table opened');
    return db;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new StorageError('KV_CLOSED', 'lmdb kv store is closed');
  }
}

function readFailed(table: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new StorageError('KV_READ_FAILED', `lmdb read of table ${table} failed: ${message(err)}`, {
    cause: err,
    details: { table },
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
