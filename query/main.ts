/**
 * `npm start`: the whole service in one process (MODE=embedded, the
 * default), configured from the environment; see the README for every
 * variable. Prints the URL once it listens.
 */
import { createLogger } from '../platform/logger';
import { ValidationError } from '../platform/errors';
import { loadServiceConfig } from './service/service-config';
import { startEmbeddedService } from './service/embedded-service';

async function main(): Promise<void> {
  const config = loadServiceConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  if (config.MODE !== 'embedded') {
    throw new ValidationError('MODE=distributed is not available yet', [
      { field: 'MODE', reason: 'only embedded is built so far; see the README Status section' },
    ]);
  }
  const service = await startEmbeddedService({
    dataDir: config.DATA_DIR,
    port: config.PORT,
    host: config.HOST,
    seedDemo: config.SEED_DEMO,
    adminToken: config.ADMIN_TOKEN,
    logger,
    logFsync: config.LOG_FSYNC,
    tagCache: { ttlMs: config.TAG_CACHE_TTL_MS, maxEntries: config.TAG_CACHE_MAX_ENTRIES },
    counter: { flushEvents: config.COUNTER_FLUSH_EVENTS, flushIntervalMs: config.COUNTER_FLUSH_INTERVAL_MS },
    snapshotIntervalMs: config.SNAPSHOT_INTERVAL_MS,
  });
  console.log(`picsearch is listening on ${service.url}`);
  if (!config.ADMIN_TOKEN) console.log('admin routes are off: set ADMIN_TOKEN to enable POST /v1/events');
  service
    .ready()
    .then(() => logger.info('index caught up with the log'))
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
  } else console.error(err);
  process.exit(1);
});
