/**
 * The service's entry point, configured from the environment (see the
 * README for every variable). `npm start` runs everything in one process:
 * embedded by default, or against the engines with MODE=distributed.
 * `npm run indexer|counter|api` run one distributed role each.
 */
import { createLogger } from '../platform/logger';
import { AppError, ValidationError } from '../platform/errors';
import { loadDistributedConfig } from './service/distributed-config';
import { PROCESS_ROLES, startDistributedService, type ProcessRole } from './service/distributed-service';
import { loadServiceConfig } from './service/service-config';
import { startEmbeddedService } from './service/embedded-service';

interface Running {
  url: string | undefined;
  ready(): Promise<void>;
  close(): Promise<void>;
}

function rolesOf(arg: string | undefined): readonly ProcessRole[] {
  if (arg === undefined) return PROCESS_ROLES;
  if (!(PROCESS_ROLES as readonly string[]).includes(arg)) {
    throw new ValidationError('unknown process role', [
      { field: 'argv[2]', reason: `must be one of ${PROCESS_ROLES.join(', ')}, got ${JSON.stringify(arg)}` },
    ]);
  }
  return [arg as ProcessRole];
}

async function main(): Promise<void> {
  const config = loadServiceConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const roles = rolesOf(process.argv[2]);
  let service: Running;
  if (config.MODE === 'embedded') {
    if (process.argv[2] !== undefined) {
      throw new AppError(
        'ROLE_NEEDS_DISTRIBUTED',
        `\`${process.argv[2]}\` runs one role of distributed mode: set MODE=distributed and the engine variables, or use \`npm start\` for the embedded service`,
      );
    }
    service = await startEmbeddedService({
      dataDir: config.DATA_DIR,
      port: config.PORT,
      host: config.HOST,
      seedDemo: config.SEED_DEMO,
      adminToken: config.ADMIN_TOKEN,
      logger,
      logFsync: config.LOG_FSYNC,
      tagCache: { ttlMs: config.TAG_CACHE_TTL_MS, maxEntries: config.TAG_CACHE_MAX_ENTRIES },
      counter: {
        flushEvents: config.COUNTER_FLUSH_EVENTS,
        flushIntervalMs: config.COUNTER_FLUSH_INTERVAL_MS,
      },
      trending: {
        flushEvents: config.TRENDING_FLUSH_EVENTS,
        flushIntervalMs: config.TRENDING_FLUSH_INTERVAL_MS,
      },
      snapshotIntervalMs: config.SNAPSHOT_INTERVAL_MS,
    });
  } else {
    service = await startDistributedService({
      engines: loadDistributedConfig(),
      roles,
      port: config.PORT,
      host: config.HOST,
      // The indexer seeds an empty POST_PUBLISH; copies that race append the same eventIds, which dedupe.
      seedDemo: config.SEED_DEMO,
      adminToken: config.ADMIN_TOKEN,
      logger,
      tagCache: { ttlMs: config.TAG_CACHE_TTL_MS, maxEntries: config.TAG_CACHE_MAX_ENTRIES },
      counter: {
        flushEvents: config.COUNTER_FLUSH_EVENTS,
        flushIntervalMs: config.COUNTER_FLUSH_INTERVAL_MS,
      },
      trending: {
        flushEvents: config.TRENDING_FLUSH_EVENTS,
        flushIntervalMs: config.TRENDING_FLUSH_INTERVAL_MS,
      },
      snapshotIntervalMs: config.SNAPSHOT_INTERVAL_MS,
    });
  }
  if (service.url) {
    console.log(`picsearch is listening on ${service.url}`);
    if (!config.ADMIN_TOKEN) console.log('admin routes are off: set ADMIN_TOKEN to enable POST /v1/events');
  } else {
    console.log(`picsearch ${roles.join(', ')} started (${config.MODE})`);
  }
  service
    .ready()
    .then(() => logger.info('caught up with the log'))
    .catch((err: unknown) => logger.error({ err }, 'readiness check failed'));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    service.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ValidationError) {
    console.error(`${err.message}:`);
    for (const i of err.issues) console.error(`  ${i.field}: ${i.reason}`);
  } else if (err instanceof AppError) console.error(`${err.code}: ${err.message}`);
  else console.error(err);
  process.exit(1);
});
