import { StorageError } from '../../errors';
import { SCHEMA_TIMEOUT_MS, type CassandraSession } from './cassandra-session';

/** The prepared statements of one logical table, on its `kv_<name>` CQL table. */
export interface KvTable {
  name: string;
  get: string;
  getMany: string;
  put: string;
  delete: string;
  count: string;
  /** Slice of one bucket: `lower` bounds the key from below (none, > or >=), `upper` adds `key < ?`. */
  scan(lower: 'none' | 'gt' | 'ge', upper: boolean): string;
}

/** column -> [kind, type, clustering order]: the layout every KV table must have. */
const LAYOUT: Record<string, [string, string, string]> = {
  bucket: ['partition_key', 'int', 'none'],
  key: ['clustering', 'text', 'asc'],
  value: ['regular', 'blob', 'none'],
};

export function kvTableName(table: string): string {
  return `kv_${table}`;
}

/** Kept in step with schemas/cassandra/002-kv-tables.cql; the engines test compares both on the server. */
export function kvTableDdl(keyspace: string, table: string): string {
  return (
    `CREATE TABLE IF NOT EXISTS "${keyspace}"."${kvTableName(table)}" ` +
    '(bucket int, key text, value blob, PRIMARY KEY ((bucket), key)) WITH CLUSTERING ORDER BY (key ASC)'
  );
}

/**
 * Which logical tables exist, looked up in system_schema on first use and
 * checked against the layout. A missing table is looked up again next time,
 * since another process may create it; with `canCreate` a write creates it.
 */
export class KvTableRegistry {
  private readonly known = new Map<string, KvTable>();
  private readonly pending = new Map<string, Promise<KvTable | undefined>>();

  constructor(
    private readonly session: CassandraSession,
    private readonly keyspace: string,
    private readonly canCreate: boolean,
  ) {}

  /** The table, or undefined when nobody created it: reads of it are empty. */
  async find(table: string): Promise<KvTable | undefined> {
    return this.known.get(table) ?? this.once(table, () => this.lookup(table));
  }

  /** The table for a write: created when missing and allowed, else KV_UNKNOWN_TABLE. */
  async require(table: string): Promise<KvTable> {
    const found = await this.find(table);
    if (found !== undefined) return found;
    if (!this.canCreate) {
      throw new StorageError(
        'KV_UNKNOWN_TABLE',
        `table ${table} (${kvTableName(table)}) does not exist in keyspace ${this.keyspace}; ` +
          'add it to schemas/cassandra or connect with createSchema',
        { details: { table } },
      );
    }
    const created = await this.once(table, async () => {
      if (this.known.has(table)) return this.known.get(table);
      await this.session.schemaChange(kvTableDdl(this.keyspace, table), `create table ${kvTableName(table)}`);
      this.session.logger.info({ table }, 'kv table created');
      return this.lookup(table);
    });
    if (created === undefined) {
      throw new StorageError('KV_SCHEMA_FAILED', `table ${table} is still missing after creating it`, {
        details: { table },
      });
    }
    return created;
  }

  /** Concurrent callers for one table share a single lookup or creation. */
  private once(table: string, fn: () => Promise<KvTable | undefined>): Promise<KvTable | undefined> {
    let running = this.pending.get(table);
    if (running === undefined) {
      running = fn().finally(() => this.pending.delete(table));
      this.pending.set(table, running);
    }
    return running;
  }

  private async lookup(table: string): Promise<KvTable | undefined> {
    const cqlName = kvTableName(table);
    // system_schema is node-local: one replica always answers, whatever the configured level.
    const rows = await this.session.execute(
      'SELECT column_name, kind, type, clustering_order FROM system_schema.columns ' +
        'WHERE keyspace_name = ? AND table_name = ?',
      [this.keyspace, cqlName],
      {
        code: 'KV_SCHEMA_FAILED',
        what: `look up table ${cqlName}`,
        consistency: 'LOCAL_ONE',
        timeoutMs: SCHEMA_TIMEOUT_MS,
      },
    );
    if (rows.length === 0) return undefined;
    const layout = Object.fromEntries(
      rows.map((r) => [
        String(r.get('column_name')),
        [String(r.get('kind')), String(r.get('type')), String(r.get('clustering_order'))],
      ]),
    );
    if (JSON.stringify(sortKeys(layout)) !== JSON.stringify(sortKeys(LAYOUT))) {
      throw new StorageError(
        'KV_TABLE_LAYOUT',
        `table ${this.keyspace}.${cqlName} does not have the KV layout (bucket int, key text ASC, value blob)`,
        { details: { table, columns: layout } },
      );
    }
    const kv = this.statements(table, `"${this.keyspace}"."${cqlName}"`);
    this.known.set(table, kv);
    return kv;
  }

  private statements(name: string, cql: string): KvTable {
    return {
      name,
      get: `SELECT value FROM ${cql} WHERE bucket = ? AND key = ?`,
      getMany: `SELECT key, value FROM ${cql} WHERE bucket = ? AND key IN ?`,
      put: `INSERT INTO ${cql} (bucket, key, value) VALUES (?, ?, ?)`,
      delete: `DELETE FROM ${cql} WHERE bucket = ? AND key = ?`,
      count: `SELECT COUNT(*) AS n FROM ${cql} WHERE bucket = ?`,
      scan: (lower, upper) =>
        `SELECT key, value FROM ${cql} WHERE bucket = ?` +
        (lower === 'gt' ? ' AND key > ?' : lower === 'ge' ? ' AND key >= ?' : '') +
        (upper ? ' AND key < ?' : '') +
        ' LIMIT ?',
    };
  }
}

function sortKeys<T>(record: Record<string, T>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
