import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '../../errors';
import type { ResolvedConnectOptions } from './cassandra-options';
import { SCHEMA_TIMEOUT_MS, type CassandraSession } from './cassandra-session';

const PLACEHOLDER = /\{\{keyspace\}\}/g;

/**
 * The statements of a schema file: `--` comments dropped, split at `;`, and
 * `{{keyspace}}` replaced by the quoted keyspace name. The files hold no
 * string literal with `;` or `--`, so no CQL parser is needed.
 */
export function cqlStatements(text: string, keyspace: string): string[] {
  const quoted = `"${keyspace}"`;
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0)
    .map((statement) => statement.replace(PLACEHOLDER, quoted));
}

/** Every *.cql file of `dir`, in file-name order; each statement is IF NOT EXISTS, so this is idempotent. */
export async function applySchema(session: CassandraSession, dir: string, keyspace: string): Promise<void> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.cql')).sort();
  } catch (err) {
    throw new StorageError('CASSANDRA_SCHEMA_MISSING', `cannot read the schema directory ${dir}`, {
      cause: err,
    });
  }
  if (files.length === 0) {
    throw new StorageError('CASSANDRA_SCHEMA_MISSING', `no .cql files in ${dir}`, { details: { dir } });
  }
  for (const file of files) {
    const statements = cqlStatements(await readFile(path.join(dir, file), 'utf8'), keyspace);
    for (const [i, statement] of statements.entries()) {
      await session.schemaChange(statement, `schema ${file} statement ${i + 1}`);
    }
  }
  session.logger.info({ dir, files }, 'cassandra schema applied');
}

/** With createSchema, applies the schema files; otherwise only checks that the keyspace exists. */
export async function ensureSchema(
  session: CassandraSession,
  options: ResolvedConnectOptions,
): Promise<void> {
  if (options.createSchema) {
    await applySchema(session, options.schemaDir, options.keyspace);
    return;
  }
  const rows = await session.execute(
    'SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?',
    [options.keyspace],
    {
      code: 'CASSANDRA_SCHEMA_FAILED',
      what: 'look up keyspace',
      consistency: 'LOCAL_ONE',
      timeoutMs: SCHEMA_TIMEOUT_MS,
    },
  );
  if (rows.length === 0) {
    throw new StorageError(
      'CASSANDRA_KEYSPACE_MISSING',
      `keyspace ${options.keyspace} does not exist; create it (schemas/cassandra) or connect with createSchema`,
      { details: { keyspace: options.keyspace } },
    );
  }
}
