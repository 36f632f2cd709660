import { mkdir } from 'node:fs/promises';
import { AppError } from '../../platform/errors';
import { engineEndpoints, type EngineEndpoints } from './engine-endpoints';
import { engineLayout, type EngineLayout } from './engine-layout';
import { ENGINE_NAMES, type EngineName } from './engine-name';
import { ENGINES } from './engine-registry';
import { readEngineSettings, type EngineSettings } from './engine-settings';
import { assertPortsFree } from './port-check';
import { readRunningPid, removePidFile, startDetached } from './process-supervisor';
import { waitUntilReady } from './wait-until-ready';
import { withFileLock } from './file-lock';

export interface EnginesOptions {
  /** Progress lines; silent when omitted. */
  log?: (message: string) => void;
  settings?: EngineSettings;
}

// The slowest engine is launched first so the others start while it boots.
const LAUNCH_ORDER: readonly EngineName[] = ['elasticsearch', 'cassandra', 'kafka'];

// Long enough for a cold Maven download held by another `up`.
const LOCK_TIMEOUT_MS = 15 * 60_000;

/**
 * Starts the engines that are not running and waits until every requested
 * engine serves requests. Idempotent: engines already up are only probed.
 */
export async function enginesUp(
  names: readonly EngineName[] = ENGINE_NAMES,
  options: EnginesOptions = {},
): Promise<EngineEndpoints> {
  const settings = options.settings ?? readEngineSettings();
  const log = options.log ?? (() => undefined);
  const failures: Partial<Record<EngineName, Error>> = {};
  const launched: { name: EngineName; layout: EngineLayout; startedAt: number | undefined }[] = [];

  for (const name of LAUNCH_ORDER.filter((n) => names.includes(n))) {
    const layout = engineLayout(settings, name);
    try {
      const startedAt = await launchIfStopped(name, layout, settings, log);
      launched.push({ name, layout, startedAt });
    } catch (err) {
      failures[name] = err as Error;
    }
  }

  await Promise.all(
    launched.map(async ({ name, layout, startedAt }) => {
      try {
        await waitUntilReady({
          engine: name,
          probe: () => ENGINES[name].probe(settings),
          isAlive: async () => (await readRunningPid(layout)) !== undefined,
          timeoutMs: settings.readyTimeoutMs[name],
          logFile: layout.logFile,
        });
        const endpoint = ENGINES[name].endpoint(settings);
        log(
          startedAt === undefined
            ? `${name}: already running at ${endpoint}`
            : `${name}: ready at ${endpoint}, ${((Date.now() - startedAt) / 1000).toFixed(1)}s after its start`,
        );
      } catch (err) {
        failures[name] = err as Error;
      }
    }),
  );

  const failed = ENGINE_NAMES.filter((name) => failures[name]);
  if (failed.length > 0) {
    const text = failed
      .map((name) => {
        const message = (failures[name] as Error).message;
        return message.startsWith(name) ? message : `${name}: ${message}`;
      })
      .join('\n\n');
    throw new AppError('ENGINES_UP_FAILED', `engines failed to come up: ${failed.join(', ')}\n\n${text}`, {
      cause: failures[failed[0]],
      details: { failed, codes: failed.map((name) => (failures[name] as AppError).code) },
    });
  }
  return engineEndpoints(settings);
}

/** Returns when it started the engine, or undefined when it was already running. */
async function launchIfStopped(
  name: EngineName,
  layout: EngineLayout,
  settings: EngineSettings,
  log: (message: string) => void,
): Promise<number | undefined> {
  await mkdir(layout.dir, { recursive: true });
  return withFileLock(layout.lockFile, LOCK_TIMEOUT_MS, async () => {
    const running = await readRunningPid(layout);
    if (running !== undefined) return undefined;
    await removePidFile(layout);
    const engine = ENGINES[name];
    const context = { settings, layout, log };
    await engine.install(context);
    await assertPortsFree(name, engine.ports(settings));
    const spec = await engine.prepare(context);
    const startedAt = Date.now();
    const pid = await startDetached(spec, layout);
    log(`${name}: started (pid ${pid}, log ${layout.logFile}), waiting until ready`);
    return startedAt;
  });
}
