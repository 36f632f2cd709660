export { LmdbKvStore, type LmdbKvStoreOptions } from './lmdb-kv-store';
