export {
  CassandraKvStore,
  CASSANDRA_MAX_KEY_BYTES,
  type CassandraKvStoreOptions,
} from './cassandra-kv-store';
export {
  CASSANDRA_CONSISTENCIES,
  DEFAULT_CASSANDRA_RETRY,
  type CassandraConnectOptions,
  type CassandraConsistency,
} from './cassandra-options';
export { KV_BUCKETS, bucketOfKey, headOfKey } from './kv-bucket';
export {
  CassandraSnapshotBlobStore,
  type CassandraSnapshotBlobStoreOptions,
  type SnapshotInfo,
  type SnapshotMeta,
  type StoredSnapshot,
} from './cassandra-snapshot-blob-store';
export { SCHEMA_TIMEOUT_MS } from './cassandra-session';
