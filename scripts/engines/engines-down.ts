import { engineLayout } from './engine-layout';
import { ENGINE_NAMES, type EngineName } from './engine-name';
import { ENGINES } from './engine-registry';
import { readEngineSettings } from './engine-settings';
import type { EnginesOptions } from './engines-up';
import { waitForPortsFree } from './port-check';
import { readRunningPid, removePidFile, stopProcessGroup } from './process-supervisor';

/** How long a stopped engine's ports may stay bound before `down` fails. */
const PORT_RELEASE_MS = 15_000;

/**
 * Stops the engines (SIGTERM, then SIGKILL after each engine's grace period)
 * and waits until their ports are released. Safe when stopped.
 */
export async function enginesDown(
  names: readonly EngineName[] = ENGINE_NAMES,
  options: EnginesOptions = {},
): Promise<void> {
  const settings = options.settings ?? readEngineSettings();
  const log = options.log ?? (() => undefined);
  await Promise.all(
    names.map(async (name) => {
      const layout = engineLayout(settings, name);
      const pid = await readRunningPid(layout);
      if (pid === undefined) {
        await removePidFile(layout);
        log(`${name}: not running`);
        return;
      }
      const started = Date.now();
      const outcome = await stopProcessGroup(pid, ENGINES[name].stopGraceMs);
      await removePidFile(layout);
      // Stopped means restartable: an `up` right after must find the ports free.
      await waitForPortsFree(name, ENGINES[name].ports(settings), PORT_RELEASE_MS);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      log(
        outcome === 'terminated'
          ? `${name}: stopped (pid ${pid}) in ${seconds}s`
          : `${name}: did not stop within ${ENGINES[name].stopGraceMs / 1000}s, killed (pid ${pid})`,
      );
    }),
  );
}
