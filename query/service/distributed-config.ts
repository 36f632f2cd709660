import { z } from 'zod';
import { ValidationError } from '../../platform/errors';
import { CASSANDRA_CONSISTENCIES } from '../../platform/adapters/cassandra-kv';
import { toFieldIssues } from '../../schemas/events/field-issues';

const list = (what: string) =>
  z
    .string({ error: 'is required when MODE=distributed' })
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    )
    .pipe(z.array(z.string()).min(1, `must name at least one ${what}`));
const partitions = (fallback: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1).max(1024))
    .optional()
    .transform((v) => v ?? fallback);
/** Topic, index and keyspace prefixes end up in names with strict alphabets. */
const NAME = /^[a-z][a-z0-9_]{0,47}$/;

/** The engines' settings, read only when MODE=distributed; the README lists them all. */
export const distributedConfigSchema = z.object({
  KAFKA_BROKERS: list('broker (host:port)'),
  /** Prepended to every topic and consumer group: one deployment, or one test run. */
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,64}$/, 'letters, digits, . _ - only')
    .default(''),
  ELASTICSEARCH_URL: z.url({ error: 'must be an http(s) URL' }),
  ELASTICSEARCH_INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9_-]{0,64}$/, 'lower-case letters, digits, _ - only')
    .default(''),
  CASSANDRA_CONTACT_POINTS: list('contact point (host or host:port)'),
  CASSANDRA_KEYSPACE: z
    .string({ error: 'is required when MODE=distributed' })
    .regex(NAME, 'must match ' + NAME),
  CASSANDRA_LOCAL_DC: z.string().min(1).default('datacenter1'),
  CASSANDRA_CONSISTENCY: z.enum(CASSANDRA_CONSISTENCIES).default('LOCAL_QUORUM'),
  POST_PUBLISH_PARTITIONS: partitions(4),
  POST_HASHTAG_PARTITIONS: partitions(4),
  HASHTAG_TOP_PARTITIONS: partitions(1),
});

export type DistributedConfig = z.output<typeof distributedConfigSchema>;

export function loadDistributedConfig(env: NodeJS.ProcessEnv = process.env): DistributedConfig {
  const known = Object.fromEntries(
    Object.keys(distributedConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const result = distributedConfigSchema.safeParse(known);
  if (!result.success) {
    throw new ValidationError('invalid distributed configuration', toFieldIssues(result.error.issues));
  }
  return result.data;
}
