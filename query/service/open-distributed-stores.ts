import { CassandraKvStore, CassandraSnapshotBlobStore } from '../../platform/adapters/cassandra-kv';
import { ElasticsearchSearchIndex } from '../../platform/adapters/elasticsearch-search';
import { KafkaEventLog } from '../../platform/adapters/kafka-log';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvStore } from '../../platform/ports/kv-store';
import type { MediaIndex } from '../../platform/ports/media-index';
import type { SearchIndex } from '../../platform/ports/search-index';
import type { SnapshotBlobStore } from '../../platform/ports/snapshot-blob-store';
import type { DistributedConfig } from './distributed-config';

export interface DistributedStores {
  log: EventLog;
  kv: KvStore;
  search: SearchIndex;
  /** The media documents in Elasticsearch; closed with `search`. */
  media: MediaIndex;
  snapshots: SnapshotBlobStore;
  /** Closes everything opened, newest first; safe to call twice. */
  close(): Promise<void>;
}

export interface OpenDistributedStoresOptions {
  logger?: Logger;
  /** Names this process in Kafka client ids and logs, e.g. `indexer`. */
  clientId?: string;
}

/**
 * Connects the three engines behind their ports, from the distributed
 * settings. Creates missing keyspace, tables, indices and aliases, so a new
 * cluster needs no manual setup; what was opened is closed if a later step fails.
 */
export async function openDistributedStores(
  config: DistributedConfig,
  options: OpenDistributedStoresOptions = {},
): Promise<DistributedStores> {
  const logger = options.logger ?? silentLogger;
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    for (const s of opened.splice(0).reverse()) await s.close().catch(() => undefined);
  };
  try {
    const cassandra = {
      contactPoints: config.CASSANDRA_CONTACT_POINTS,
      localDataCenter: config.CASSANDRA_LOCAL_DC,
      keyspace: config.CASSANDRA_KEYSPACE,
      consistency: config.CASSANDRA_CONSISTENCY,
      createSchema: true,
      logger,
    };
    const kv = await CassandraKvStore.connect(cassandra);
    opened.push(kv);
    const snapshots = await CassandraSnapshotBlobStore.connect(cassandra);
    opened.push(snapshots);
    const search = await ElasticsearchSearchIndex.connect({
      node: config.ELASTICSEARCH_URL,
      indexPrefix: config.ELASTICSEARCH_INDEX_PREFIX,
      logger,
    });
    opened.push(search);
    const log = await KafkaEventLog.connect({
      brokers: config.KAFKA_BROKERS,
      topicPrefix: config.KAFKA_TOPIC_PREFIX,
      clientId: options.clientId ? `picsearch-${options.clientId}` : undefined,
      logger,
    });
    opened.push(log);
    return { log, kv, search, media: search.media, snapshots, close };
  } catch (err) {
    await close();
    throw err;
  }
}
