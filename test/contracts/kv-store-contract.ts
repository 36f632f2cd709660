import { kvStoreBatchCases } from './kv-store-batch-contract';
import { useFreshKvStore, type KvStoreFactory } from './kv-store-fixtures';
import { kvStoreReadWriteCases } from './kv-store-read-write-contract';
import { kvStoreScanCases } from './kv-store-scan-contract';

/**
 * The behaviour every KvStore adapter owes its callers, exercised only through
 * the port. `factory` gives each test a fresh store; tables are unique per test anyway.
 */
export function kvStoreContract(name: string, factory: KvStoreFactory): void {
  describe(`KvStore contract: ${name}`, () => {
    const subject = useFreshKvStore(factory);
    kvStoreReadWriteCases(subject);
    kvStoreBatchCases(subject);
    kvStoreScanCases(subject);
  });
}
