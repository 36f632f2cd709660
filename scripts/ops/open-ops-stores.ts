import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  blobBitmapSnapshots,
  fileBitmapSnapshots,
  type BitmapSnapshots,
} from '../../indexer/postings/bitmap-snapshots';
import { ensureTopics } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { AppError } from '../../platform/errors';
import { acquireDataDirLock } from '../../platform/fs/data-dir-lock';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvStore } from '../../platform/ports/kv-store';
import type { SearchIndex } from '../../platform/ports/search-index';
import { loadDistributedConfig } from '../../query/service/distributed-config';
import { openDistributedStores } from '../../query/service/open-distributed-stores';
import { AliasedSearchIndex } from './reindex/aliased-search-index';
import { ElasticsearchVersions } from './reindex/elasticsearch-versions';
import type { SearchVersions } from './reindex/search-versions';

export interface OpsStores {
  mode: 'embedded' | 'distributed';
  log: EventLog;
  kv: KvStore;
  snapshots: BitmapSnapshots;
  versions: SearchVersions;
  /** The live search index through its aliases; none embedded (it lives in the service's memory). */
  search: SearchIndex | undefined;
  /** Where checkpoints go unless --state-dir says otherwise. */
  defaultStateDir: string;
  close(): Promise<void>;
}

export interface OpenOpsStoresOptions {
  mode: 'embedded' | 'distributed';
  dataDir: string;
  env?: NodeJS.ProcessEnv;
  /** Names the command in the lock file and Kafka client ids. */
  owner: string;
  logger?: Logger;
  /** Refuse an embedded data dir without a KV store (a typo would otherwise create one). */
  mustExist?: boolean;
}

/**
 * The stores an operator command works on. Embedded: the data directory,
 * locked against the service and other commands (its log has no
 * cross-process coordination). Distributed: the engines named by the
 * environment (query/service/distributed-config.ts).
 */
export async function openOpsStores(options: OpenOpsStoresOptions): Promise<OpsStores> {
  const logger = options.logger ?? silentLogger;
  if (options.mode === 'embedded') {
    const dir = path.resolve(options.dataDir);
    if (options.mustExist && !existsSync(path.join(dir, 'kv'))) {
      throw new AppError('NO_DATA', `${dir} holds no embedded data (no kv/); check --data-dir or DATA_DIR`);
    }
    const lock = await acquireDataDirLock(dir, `npm run ${options.owner}`);
    const opened: { close(): Promise<void> }[] = [{ close: () => lock.release() }];
    try {
      const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'always', logger });
      opened.push(log);
      await ensureTopics(log);
      const kv = LmdbKvStore.open({ path: path.join(dir, 'kv'), logger });
      opened.push(kv);
      const versions = new AliasedSearchIndex();
      opened.push(versions);
      return {
        mode: 'embedded',
        log,
        kv,
        snapshots: fileBitmapSnapshots(path.join(dir, 'bitmaps.snap')),
        versions,
        search: undefined,
        defaultStateDir: path.join(dir, 'ops'),
        close: () => closeAll(opened),
      };
    } catch (err) {
      await closeAll(opened);
      throw err;
    }
  }
  const config = loadDistributedConfig(options.env ?? process.env);
  const stores = await openDistributedStores(config, { logger, clientId: `ops-${options.owner}` });
  const opened: { close(): Promise<void> }[] = [stores];
  try {
    await ensureTopics(stores.log, {
      postPublish: config.POST_PUBLISH_PARTITIONS,
      postHashtag: config.POST_HASHTAG_PARTITIONS,
      hashtagTop: config.HASHTAG_TOP_PARTITIONS,
    });
    const versions = await ElasticsearchVersions.connect({
      node: config.ELASTICSEARCH_URL,
      indexPrefix: config.ELASTICSEARCH_INDEX_PREFIX,
      logger,
    });
    opened.push(versions);
    return {
      mode: 'distributed',
      log: stores.log,
      kv: stores.kv,
      snapshots: blobBitmapSnapshots(stores.snapshots),
      versions,
      search: stores.search,
      defaultStateDir: path.resolve('.ops-state'),
      close: () => closeAll(opened),
    };
  } catch (err) {
    await closeAll(opened);
    throw err;
  }
}

/** Newest first, and every one even if some fail. */
async function closeAll(opened: { close(): Promise<void> }[]): Promise<void> {
  for (const o of opened.splice(0).reverse()) await o.close().catch(() => undefined);
}
