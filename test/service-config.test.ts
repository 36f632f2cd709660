import { ValidationError } from '../platform/errors';
import { loadServiceConfig } from '../query/service/service-config';

const DEFAULTS = {
  MODE: 'embedded',
  PORT: 8080,
  HOST: '127.0.0.1',
  DATA_DIR: './data',
  SEED_DEMO: true,
  LOG_LEVEL: 'info',
  LOG_FSYNC: 'always',
  TAG_CACHE_TTL_MS: 5000,
  TAG_CACHE_MAX_ENTRIES: 10_000,
  COUNTER_FLUSH_EVENTS: 1000,
  COUNTER_FLUSH_INTERVAL_MS: 5000,
  TRENDING_FLUSH_EVENTS: 1000,
  TRENDING_FLUSH_INTERVAL_MS: 5000,
  SNAPSHOT_INTERVAL_MS: 60_000,
};

function issuesOf(env: NodeJS.ProcessEnv): { field: string; reason: string }[] {
  try {
    loadServiceConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).code).toBe('VALIDATION_FAILED');
    return (err as ValidationError).issues;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('loadServiceConfig', () => {
  it('has a default for every setting, and no admin token unless one is given', () => {
    expect(loadServiceConfig({})).toEqual(DEFAULTS);
    expect(loadServiceConfig({}).ADMIN_TOKEN).toBeUndefined();
  });

  it('ignores variables it does not know', () => {
    expect(loadServiceConfig({ PATH: '/bin', NODE_ENV: 'test', port: 'x' })).toEqual(DEFAULTS);
  });

  it.each<[Record<string, string>, Record<string, unknown>]>([
    [{ MODE: 'distributed' }, { MODE: 'distributed' }],
    [{ PORT: '0' }, { PORT: 0 }],
    [{ PORT: '65535' }, { PORT: 65535 }],
    [{ HOST: '0.0.0.0' }, { HOST: '0.0.0.0' }],
    [{ DATA_DIR: '/var/lib/picsearch' }, { DATA_DIR: '/var/lib/picsearch' }],
    [{ ADMIN_TOKEN: 'a'.repeat(16) }, { ADMIN_TOKEN: 'a'.repeat(16) }],
    [{ ADMIN_TOKEN: '' }, {}],
    ...['true', '1', 'yes'].map((v): [Record<string, string>, Record<string, unknown>] => [
      { SEED_DEMO: v },
      { SEED_DEMO: true },
    ]),
    ...['false', '0', 'no'].map((v): [Record<string, string>, Record<string, unknown>] => [
      { SEED_DEMO: v },
      { SEED_DEMO: false },
    ]),
    ...['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map(
      (v): [Record<string, string>, Record<string, unknown>] => [{ LOG_LEVEL: v }, { LOG_LEVEL: v }],
    ),
    [{ LOG_FSYNC: 'never' }, { LOG_FSYNC: 'never' }],
    [{ TAG_CACHE_TTL_MS: '0' }, { TAG_CACHE_TTL_MS: 0 }],
    [{ TAG_CACHE_TTL_MS: '3600000' }, { TAG_CACHE_TTL_MS: 3_600_000 }],
    [{ TAG_CACHE_MAX_ENTRIES: '0' }, { TAG_CACHE_MAX_ENTRIES: 0 }],
    [{ TAG_CACHE_MAX_ENTRIES: '10000000' }, { TAG_CACHE_MAX_ENTRIES: 10_000_000 }],
    [{ COUNTER_FLUSH_EVENTS: '1' }, { COUNTER_FLUSH_EVENTS: 1 }],
    [{ COUNTER_FLUSH_EVENTS: '1000000' }, { COUNTER_FLUSH_EVENTS: 1_000_000 }],
    [{ COUNTER_FLUSH_INTERVAL_MS: '1' }, { COUNTER_FLUSH_INTERVAL_MS: 1 }],
    [{ COUNTER_FLUSH_INTERVAL_MS: '3600000' }, { COUNTER_FLUSH_INTERVAL_MS: 3_600_000 }],
    [{ TRENDING_FLUSH_EVENTS: '1' }, { TRENDING_FLUSH_EVENTS: 1 }],
    [{ TRENDING_FLUSH_INTERVAL_MS: '200' }, { TRENDING_FLUSH_INTERVAL_MS: 200 }],
    [{ SNAPSHOT_INTERVAL_MS: '1000' }, { SNAPSHOT_INTERVAL_MS: 1000 }],
    [{ SNAPSHOT_INTERVAL_MS: '86400000' }, { SNAPSHOT_INTERVAL_MS: 86_400_000 }],
  ])('accepts %j', (env, changed) => {
    expect(loadServiceConfig(env)).toEqual({ ...DEFAULTS, ...changed });
  });

  it.each<[Record<string, string>, string, RegExp]>([
    [{ MODE: 'cluster' }, 'MODE', /expected one of/],
    [{ MODE: '' }, 'MODE', /expected one of/],
    [{ PORT: 'abc' }, 'PORT', /whole number/],
    [{ PORT: '-1' }, 'PORT', /whole number/],
    [{ PORT: '80.5' }, 'PORT', /whole number/],
    [{ PORT: ' 80' }, 'PORT', /whole number/],
    [{ PORT: '' }, 'PORT', /whole number/],
    [{ PORT: '65536' }, 'PORT', /<=/],
    [{ HOST: '' }, 'HOST', />=/],
    [{ DATA_DIR: '' }, 'DATA_DIR', />=/],
    [{ ADMIN_TOKEN: 'short' }, 'ADMIN_TOKEN', /at least 16 characters/],
    [{ ADMIN_TOKEN: 'a'.repeat(15) }, 'ADMIN_TOKEN', /at least 16 characters/],
    [{ SEED_DEMO: 'maybe' }, 'SEED_DEMO', /true or false/],
    [{ SEED_DEMO: 'TRUE' }, 'SEED_DEMO', /true or false/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /expected one of/],
    [{ LOG_FSYNC: 'sometimes' }, 'LOG_FSYNC', /expected one of/],
    [{ TAG_CACHE_TTL_MS: '3600001' }, 'TAG_CACHE_TTL_MS', /<=/],
    [{ TAG_CACHE_TTL_MS: '1e3' }, 'TAG_CACHE_TTL_MS', /whole number/],
    [{ TAG_CACHE_MAX_ENTRIES: '10000001' }, 'TAG_CACHE_MAX_ENTRIES', /<=/],
    [{ COUNTER_FLUSH_EVENTS: '0' }, 'COUNTER_FLUSH_EVENTS', />=/],
    [{ COUNTER_FLUSH_EVENTS: '1000001' }, 'COUNTER_FLUSH_EVENTS', /<=/],
    [{ COUNTER_FLUSH_INTERVAL_MS: '0' }, 'COUNTER_FLUSH_INTERVAL_MS', />=/],
    [{ TRENDING_FLUSH_EVENTS: '0' }, 'TRENDING_FLUSH_EVENTS', />=/],
    [{ TRENDING_FLUSH_INTERVAL_MS: '3600001' }, 'TRENDING_FLUSH_INTERVAL_MS', /<=/],
    [{ COUNTER_FLUSH_INTERVAL_MS: '3600001' }, 'COUNTER_FLUSH_INTERVAL_MS', /<=/],
    [{ SNAPSHOT_INTERVAL_MS: '999' }, 'SNAPSHOT_INTERVAL_MS', />=/],
    [{ SNAPSHOT_INTERVAL_MS: '86400001' }, 'SNAPSHOT_INTERVAL_MS', /<=/],
  ])('refuses %j naming %s', (env, field, reason) => {
    const issues = issuesOf(env);
    expect(issues.map((i) => i.field)).toEqual([field]);
    expect(issues[0]!.reason).toMatch(reason);
  });

  it('reports every bad setting at once', () => {
    const fields = issuesOf({
      MODE: 'x',
      PORT: 'x',
      ADMIN_TOKEN: 'x',
      LOG_FSYNC: 'x',
      SNAPSHOT_INTERVAL_MS: '1',
    }).map((i) => i.field);
    expect(fields.sort()).toEqual(['ADMIN_TOKEN', 'LOG_FSYNC', 'MODE', 'PORT', 'SNAPSHOT_INTERVAL_MS']);
  });

  it('reads process.env when no environment is given', () => {
    const saved = process.env.PORT;
    process.env.PORT = '9090';
    try {
      expect(loadServiceConfig().PORT).toBe(9090);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });
});
