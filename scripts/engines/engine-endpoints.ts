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
