import { z } from 'zod';
import { ValidationError } from '../../platform/errors';
import { toFieldIssues } from '../../schemas/events/field-issues';

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .optional()
    .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes'].includes(v)));
const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((v) => v ?? fallback);

/** Every setting of the service, from the environment; the README lists them all. */
export const serviceConfigSchema = z.object({
  MODE: z.enum(['embedded', 'distributed']).default('embedded'),
  PORT: int(8080, 0, 65535),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  ADMIN_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SEED_DEMO: bool(true),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Embedded log: 'always' fsyncs each append before acknowledging it. */
  LOG_FSYNC: z.enum(['always', 'never']).default('always'),
  TAG_CACHE_TTL_MS: int(5000, 0, 3_600_000),
  TAG_CACHE_MAX_ENTRIES: int(10_000, 0, 10_000_000),
  COUNTER_FLUSH_EVENTS: int(1000, 1, 1_000_000),
  COUNTER_FLUSH_INTERVAL_MS: int(5000, 1, 3_600_000),
  TRENDING_FLUSH_EVENTS: int(1000, 1, 1_000_000),
  TRENDING_FLUSH_INTERVAL_MS: int(5000, 1, 3_600_000),
  SNAPSHOT_INTERVAL_MS: int(60_000, 1000, 86_400_000),
});

export type ServiceConfig = z.output<typeof serviceConfigSchema>;

export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const known = Object.fromEntries(
    Object.keys(serviceConfigSchema.shape).map((k) => [k, env[k] === undefined ? undefined : env[k]]),
  );
  const result = serviceConfigSchema.safeParse(known);
  if (!result.success) {
    throw new ValidationError('invalid configuration', toFieldIssues(result.error.issues));
  }
  return result.data;
}
