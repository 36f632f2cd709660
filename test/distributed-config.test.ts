import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ValidationError } from '../platform/errors';
import { loadDistributedConfig } from '../query/service/distributed-config';

const REQUIRED = {
  KAFKA_BROKERS: 'k1:9092, k2:9092',
  ELASTICSEARCH_URL: 'http://es:9200',
  CASSANDRA_CONTACT_POINTS: 'c1,c2:9043',
  CASSANDRA_KEYSPACE: 'picsearch',
};

function fieldsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadDistributedConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).issues.map((i) => i.field).sort();
  }
  throw new Error('accepted');
}

describe('loadDistributedConfig', () => {
  it('splits lists, trims them and fills the defaults', () => {
    expect(loadDistributedConfig(REQUIRED)).toEqual({
      KAFKA_BROKERS: ['k1:9092', 'k2:9092'],
      KAFKA_TOPIC_PREFIX: '',
      ELASTICSEARCH_URL: 'http://es:9200',
      ELASTICSEARCH_INDEX_PREFIX: '',
      CASSANDRA_CONTACT_POINTS: ['c1', 'c2:9043'],
      CASSANDRA_KEYSPACE: 'picsearch',
      CASSANDRA_LOCAL_DC: 'datacenter1',
      CASSANDRA_CONSISTENCY: 'LOCAL_QUORUM',
      POST_PUBLISH_PARTITIONS: 4,
      POST_HASHTAG_PARTITIONS: 4,
      HASHTAG_TOP_PARTITIONS: 1,
    });
  });

  it('names every missing or bad variable', () => {
    expect(fieldsOf({})).toEqual([
      'CASSANDRA_CONTACT_POINTS',
      'CASSANDRA_KEYSPACE',
      'ELASTICSEARCH_URL',
      'KAFKA_BROKERS',
    ]);
    expect(
      fieldsOf({
        ...REQUIRED,
        KAFKA_BROKERS: ' , ',
        ELASTICSEARCH_URL: 'not a url',
        CASSANDRA_KEYSPACE: 'Bad-Name',
        CASSANDRA_CONSISTENCY: 'SOME',
        POST_PUBLISH_PARTITIONS: '0',
        ELASTICSEARCH_INDEX_PREFIX: 'UPPER',
      }),
    ).toEqual([
      'CASSANDRA_CONSISTENCY',
      'CASSANDRA_KEYSPACE',
      'ELASTICSEARCH_INDEX_PREFIX',
      'ELASTICSEARCH_URL',
      'KAFKA_BROKERS',
      'POST_PUBLISH_PARTITIONS',
    ]);
  });
});

describe('the entry point refuses what cannot run', () => {
  const main = path.join(__dirname, '..', 'query', 'main.ts');
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ['--import', 'tsx', main, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('a role without MODE=distributed', () => {
    const r = run(['indexer'], {});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ROLE_NEEDS_DISTRIBUTED');
  });

  it('an unknown role', () => {
    const r = run(['indexr'], { MODE: 'distributed' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('must be one of indexer, counter, api');
  });

  it('MODE=distributed without the engines, naming each variable', () => {
    const r = run(['api'], { MODE: 'distributed' });
    expect(r.status).toBe(1);
    for (const v of [
      'KAFKA_BROKERS',
      'ELASTICSEARCH_URL',
      'CASSANDRA_CONTACT_POINTS',
      'CASSANDRA_KEYSPACE',
    ]) {
      expect(r.stderr).toContain(v);
    }
  });
});
