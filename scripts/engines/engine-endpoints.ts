import { CASSANDRA_LOCAL_DC } from './cassandra-engine';
import { elasticsearchUrl } from './elasticsearch-engine';
import { readEngineSettings, type EngineSettings } from './engine-settings';

/** How clients reach the engines; the same whichever subset is running. */
export interface EngineEndpoints {
  kafkaBrokers: string[];
  elasticsearchUrl: string;
  cassandraContactPoints: string[];
  cassandraLocalDc: string;
}

export function engineEndpoints(settings: EngineSettings = readEngineSettings()): EngineEndpoints {
  return {
    kafkaBrokers: [`127.0.0.1:${settings.kafka.port}`],
    elasticsearchUrl: elasticsearchUrl(settings),
    cassandraContactPoints: [`127.0.0.1:${settings.cassandra.port}`],
    cassandraLocalDc: CASSANDRA_LOCAL_DC,
  };
}

/**
 * The MODE=distributed variables for these endpoints, with every topic,
 * index and keyspace name under `prefix` (one test run or benchmark).
 */
export function distributedEnv(endpoints: EngineEndpoints, prefix: string): Record<string, string> {
  return {
    MODE: 'distributed',
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    ELASTICSEARCH_URL: endpoints.elasticsearchUrl,
    ELASTICSEARCH_INDEX_PREFIX: prefix,
    CASSANDRA_CONTACT_POINTS: endpoints.cassandraContactPoints.join(','),
    CASSANDRA_LOCAL_DC: endpoints.cassandraLocalDc,
    CASSANDRA_KEYSPACE: prefix,
  };
}
