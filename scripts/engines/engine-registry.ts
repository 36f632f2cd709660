import { cassandraEngine } from './cassandra-engine';
import type { EngineDefinition } from './engine-definition';
import type { EngineName } from './engine-name';
import { elasticsearchEngine } from './elasticsearch-engine';
import { kafkaEngine } from './kafka-engine';

export const ENGINES: Record<EngineName, EngineDefinition> = {
  kafka: kafkaEngine,
  cassandra: cassandraEngine,
  elasticsearch: elasticsearchEngine,
};
