import { Client } from 'cassandra-driver';
import { CassandraKvStore, type CassandraKvStoreOptions } from '../../platform/adapters/cassandra-kv';
import { kvStoreContract } from '../contracts/kv-store-contract';
import { testEndpoints, uniqueName } from './support/test-endpoints';

const endpoints = testEndpoints();
const keyspace = uniqueName('kv_cassandra');
const base: CassandraKvStoreOptions = {
  contactPoints: endpoints.cassandraContactPoints,
  localDataCenter: endpoints.cassandraLocalDc,
  keyspace,
};
let admin: Client;

beforeAll(async () => {
  admin = new Client({ contactPoints: base.contactPoints, localDataCenter: base.localDataCenter });
  await admin.connect();
});
afterAll(async () => {
  await admin.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`);
  await admin.shutdown();
});

kvStoreContract('CassandraKvStore', async () => {
  const store = await CassandraKvStore.connect({ ...base, createSchema: true });
  return { store, cleanup: () => store.close() };
});
