import type Database from 'better-sqlite3';

/** Prepared statements for one logical table, stored as SQL table `kv_<name>`. */
export class SqliteTable {
  private constructor(
    readonly get: Database.Statement<[string], Buffer>,
    readonly put: Database.Statement<[string, Uint8Array], unknown>,
    readonly remove: Database.Statement<[string], unknown>,
    readonly count: Database.Statement<[], number>,
    /** Rows with key >= ?1 in key order, at most ?2. */
    readonly scanFrom: Database.Statement<[string, number], [string, Buffer]>,
    /** Rows with key > ?1 in key order, at most ?2. */
    readonly scanAfter: Database.Statement<[string, number], [string, Buffer]>,
  ) {}

  /**
   * `name` must already be validated ([a-z0-9_]); it is interpolated into SQL.
   * Returns undefined when the table does not exist and `create` is false.
   */
  static open(db: Database.Database, name: string, create: boolean): SqliteTable | undefined {
    const sqlName = `"kv_${name}"`;
    if (create) {
      // WITHOUT ROWID: the key is the clustered index, so a get is one B-tree descent.
      db.exec(
        `CREATE TABLE IF NOT EXISTS ${sqlName} (key TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL) WITHOUT ROWID`,
      );
    } else {
      const exists = db
        .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`)
        .get(`kv_${name}`);
      if (exists === undefined) return undefined;
    }
    return new SqliteTable(
      db.prepare<[string], Buffer>(`SELECT value FROM ${sqlName} WHERE key = ?`).pluck(),
      db.prepare<[string, Uint8Array]>(
        `INSERT INTO ${sqlName} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
      db.prepare<[string]>(`DELETE FROM ${sqlName} WHERE key = ?`),
      db.prepare<[], number>(`SELECT count(*) FROM ${sqlName}`).pluck(),
      db
        .prepare<[string, number], [string, Buffer]>(
          `SELECT key, value FROM ${sqlName} WHERE key >= ? ORDER BY key LIMIT ?`,
        )
        .raw(),
      db
        .prepare<[string, number], [string, Buffer]>(
          `SELECT key, value FROM ${sqlName} WHERE key > ? ORDER BY key LIMIT ?`,
        )
        .raw(),
    );
  }
}
