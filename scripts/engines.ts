/**
 * `npx tsx scripts/engines.ts <up|down|status|logs> [kafka|cassandra|elasticsearch ...]`
 * runs the real Kafka, Cassandra and Elasticsearch on loopback, fetched from
 * Maven Central into .engines/. See scripts/engines/README.md.
 */
import { AppError, ValidationError } from '../platform/errors';
import {
  ENGINE_NAMES,
  engineLayout,
  engineStatus,
  enginesDown,
  enginesUp,
  parseEngineNames,
  readEngineSettings,
  tailFile,
  type EngineStatus,
} from './engines/index';

const USAGE = `usage: npx tsx scripts/engines.ts <command> [engine ...]

commands:
  up       start the engines that are stopped and wait until all are ready
  down     stop the engines (SIGTERM, then SIGKILL after a grace period)
  status   print each engine's state: running+ready, running-not-ready or stopped
  logs     print the tail of each engine's log (--lines N, default 100)

engines: ${ENGINE_NAMES.join(', ')} (default: all)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const { names, lines } = parseArgs(rest);
  const settings = readEngineSettings();
  const log = (message: string): void => console.log(message);
  switch (command) {
    case 'up': {
      const started = Date.now();
      const endpoints = await enginesUp(names, { settings, log });
      console.log(`all ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      console.log(JSON.stringify(endpoints, null, 2));
      return 0;
    }
    case 'down':
      await enginesDown(names, { settings, log });
      return 0;
    case 'status':
      for (const status of await engineStatus(names, { settings })) console.log(statusLine(status));
      return 0;
    case 'logs':
      for (const name of names) {
        const layout = engineLayout(settings, name);
        console.log(`==> ${layout.logFile} <==`);
        console.log((await tailFile(layout.logFile, lines)) || '(no log yet)');
      }
      return 0;
    default:
      throw new ValidationError(`unknown command "${command}"`, [
        { field: 'command', reason: 'expected one of up, down, status, logs' },
      ]);
  }
}

function parseArgs(args: string[]): { names: ReturnType<typeof parseEngineNames>; lines: number } {
  let lines = 100;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--lines' || args[i] === '-n') {
      lines = Number(args[++i]);
      if (!Number.isInteger(lines) || lines <= 0) {
        throw new ValidationError('bad --lines', [
          { field: '--lines', reason: 'must be a positive integer' },
        ]);
      }
    } else {
      positional.push(args[i]);
    }
  }
  return { names: parseEngineNames(positional), lines };
}

function statusLine(status: EngineStatus): string {
  const columns = [status.name.padEnd(14), status.state.padEnd(18), status.endpoint.padEnd(24)];
  if (status.pid !== undefined) columns.push(`pid ${status.pid}`.padEnd(11));
  if (status.rssBytes !== undefined) columns.push(`rss ${Math.round(status.rssBytes / 2 ** 20)} MiB`);
  if (status.probeError) columns.push(`(${status.probeError.split('\n')[0]})`);
  return columns.join(' ').trimEnd();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ValidationError) {
      console.error(`${err.message}: ${err.issues.map((i) => `${i.field}: ${i.reason}`).join('; ')}`);
      if (!err.issues.every((i) => i.field.startsWith('PICSEARCH_'))) console.error(USAGE);
      process.exit(2);
    }
    console.error(err instanceof AppError ? `[${err.code}] ${err.message}` : err);
    process.exit(1);
  },
);
