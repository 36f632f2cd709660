export { SqliteKvStore, type SqliteKvStoreOptions, type SqliteSynchronous } from './sqlite-kv-store';
