import { Client } from 'cassandra-driver';
import {
  CassandraKvStore,
  SCHEMA_TIMEOUT_MS,
  type CassandraKvStoreOptions,
} from '../../../platform/adapters/cassandra-kv';
import { AppError } from '../../../platform/errors';
import { testEndpoints, uniqueName } from './test-endpoints';

/** Options for a CassandraKvStore on `keyspace` of the test Cassandra. */
export function cassandraKvOptions(keyspace: string): CassandraKvStoreOptions {
  const endpoints = testEndpoints();
  return {
    contactPoints: endpoints.cassandraContactPoints,
    localDataCenter: endpoints.cassandraLocalDc,
    keyspace,
  };
}

/** A retry policy that gives up after a second attempt, a millisecond or two later. */
export const fast = { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 2 };

/**
 * A keyspace of its own for the suite: beforeAll connects an admin client and a
 * store that creates every table of schemas/cassandra and hands both to `opened`;
 * afterAll closes the store, drops the keyspace and shuts the admin client down.
 */
export function useKeyspace(
  prefix: string,
  opened: (clients: { admin: Client; store: CassandraKvStore }) => void,
): { keyspace: string; base: CassandraKvStoreOptions } {
  const keyspace = uniqueName(prefix);
  const base = cassandraKvOptions(keyspace);
  let admin: Client | undefined;
  let store: CassandraKvStore | undefined;
  beforeAll(async () => {
    admin = new Client({ contactPoints: base.contactPoints, localDataCenter: base.localDataCenter });
    await admin.connect();
    store = await CassandraKvStore.connect({ ...base, createSchema: true });
    opened({ admin, store });
  });
  afterAll(async () => {
    await store?.close();
    if (!admin) return;
    await dropKeyspace(admin, keyspace);
    await admin.shutdown();
  });
  return { keyspace, base };
}

/** Drops a test keyspace, if it exists. */
export async function dropKeyspace(client: Client, keyspace: string): Promise<void> {
  // The driver's 12 s default is too short for a drop on a loaded machine; schema changes get the adapter's.
  await client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`, [], { readTimeout: SCHEMA_TIMEOUT_MS });
}

/** 'resolved', or what the promise rejected with. */
export const failureOf = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (err: unknown) => err,
  );

/** [class, code, retriable] of the AppError the promise rejected with; otherwise as failureOf. */
export const codeOf = async (p: Promise<unknown>) => {
  const err = await failureOf(p);
  return err instanceof AppError ? [err.constructor.name, err.code, err.retriable] : err;
};
