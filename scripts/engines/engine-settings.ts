import { existsSync } from 'node:fs';
import path from 'node:path';
import { ValidationError, type FieldIssue } from '../../platform/errors';
import { ENGINE_NAMES, type EngineName } from './engine-name';

export interface KafkaSettings {
  port: number;
  controllerPort: number;
}

export interface CassandraSettings {
  port: number;
  storagePort: number;
  jmxPort: number;
}

export interface ElasticsearchSettings {
  port: number;
  transportPort: number;
  /** Elasticsearch refuses to run as root; when we are root it runs as this system user. */
  user: string;
}

export interface EngineSettings {
  enginesDir: string;
  javaHome: Record<EngineName, string>;
  readyTimeoutMs: Record<EngineName, number>;
  kafka: KafkaSettings;
  cassandra: CassandraSettings;
  elasticsearch: ElasticsearchSettings;
}

type Env = Record<string, string | undefined>;

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Env prefix per engine, for the per-engine JAVA_HOME and timeout overrides. */
const ENV_PREFIX: Record<EngineName, string> = {
  kafka: 'PICSEARCH_KAFKA',
  cassandra: 'PICSEARCH_CASSANDRA',
  elasticsearch: 'PICSEARCH_ES',
};

// Cassandra 5.0 runs on Java 11 or 17 only, so 17 is the shared default.
const JDK17_CANDIDATES = ['/usr/lib/jvm/java-17-openjdk-amd64', '/usr/lib/jvm/java-17-openjdk'];

const DEFAULT_READY_TIMEOUT_MS: Record<EngineName, number> = {
  kafka: 90_000,
  cassandra: 180_000,
  elasticsearch: 180_000,
};

export function readEngineSettings(env: Env = process.env): EngineSettings {
  const issues: FieldIssue[] = [];
  const ports: { name: string; value: number }[] = [];

  const port = (name: string, fallback: number): number => {
    const value = integerFrom(env, name, fallback, 1, 65_535, issues);
    ports.push({ name, value });
    return value;
  };

  const settings: EngineSettings = {
    enginesDir: path.resolve(env.PICSEARCH_ENGINES_DIR ?? path.join(REPO_ROOT, '.engines')),
    javaHome: perEngine((name) => javaHomeFor(env, name)),
    readyTimeoutMs: perEngine((name) => {
      const shared = integerFrom(
        env,
        'PICSEARCH_ENGINES_READY_TIMEOUT_MS',
        DEFAULT_READY_TIMEOUT_MS[name],
        1_000,
        3_600_000,
        issues,
      );
      return integerFrom(env, `${ENV_PREFIX[name]}_READY_TIMEOUT_MS`, shared, 1_000, 3_600_000, issues);
    }),
    kafka: {
      port: port('PICSEARCH_KAFKA_PORT', 19_092),
      controllerPort: port('PICSEARCH_KAFKA_CONTROLLER_PORT', 19_093),
    },
    cassandra: {
      port: port('PICSEARCH_CASSANDRA_PORT', 19_042),
      storagePort: port('PICSEARCH_CASSANDRA_STORAGE_PORT', 17_000),
      jmxPort: port('PICSEARCH_CASSANDRA_JMX_PORT', 17_199),
    },
    elasticsearch: {
      port: port('PICSEARCH_ES_PORT', 19_200),
      transportPort: port('PICSEARCH_ES_TRANSPORT_PORT', 19_300),
      user: env.PICSEARCH_ES_USER?.trim() || 'picsearch-es',
    },
  };

  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      if (ports[i].value === ports[j].value) {
        issues.push({
          field: ports[j].name,
          reason: `port ${ports[j].value} is also used by ${ports[i].name}; every engine port must differ`,
        });
      }
    }
  }
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(settings.elasticsearch.user)) {
    issues.push({ field: 'PICSEARCH_ES_USER', reason: 'must be a valid system user name' });
  }
  if (issues.length > 0) throw new ValidationError('invalid engine settings in the environment', issues);
  return settings;
}

function perEngine<T>(fn: (name: EngineName) => T): Record<EngineName, T> {
  return Object.fromEntries(ENGINE_NAMES.map((name) => [name, fn(name)])) as Record<EngineName, T>;
}

function javaHomeFor(env: Env, name: EngineName): string {
  const explicit = env[`${ENV_PREFIX[name]}_JAVA_HOME`] ?? env.PICSEARCH_ENGINES_JAVA_HOME;
  if (explicit) return explicit;
  return JDK17_CANDIDATES.find((dir) => existsSync(path.join(dir, 'bin', 'java'))) ?? env.JAVA_HOME ?? '';
}

function integerFrom(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  issues: FieldIssue[],
): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    issues.push({ field: name, reason: `must be an integer in [${min}, ${max}], got "${raw}"` });
    return fallback;
  }
  return value;
}
