import { engineLayout } from './engine-layout';
import { ENGINE_NAMES, type EngineName } from './engine-name';
import { ENGINES } from './engine-registry';
import { readEngineSettings, type EngineSettings } from './engine-settings';
import { processGroupRssBytes, readRunningPid } from './process-supervisor';

export type EngineState = 'running+ready' | 'running-not-ready' | 'stopped';

export interface EngineStatus {
  name: EngineName;
  state: EngineState;
  endpoint: string;
  logFile: string;
  pid?: number;
  /** Resident memory of the engine's whole process group. */
  rssBytes?: number;
  /** Why the readiness probe failed, for running-not-ready. */
  probeError?: string;
}

const PROBE_TIMEOUT_MS = 10_000;

/** One probe per engine, no waiting: a snapshot of what runs and what answers. */
export async function engineStatus(
  names: readonly EngineName[] = ENGINE_NAMES,
  options: { settings?: EngineSettings } = {},
): Promise<EngineStatus[]> {
  const settings = options.settings ?? readEngineSettings();
  return Promise.all(
    names.map(async (name): Promise<EngineStatus> => {
      const layout = engineLayout(settings, name);
      const engine = ENGINES[name];
      const base = { name, endpoint: engine.endpoint(settings), logFile: layout.logFile };
      const pid = await readRunningPid(layout);
      if (pid === undefined) return { ...base, state: 'stopped' };
      const rssBytes = await processGroupRssBytes(pid);
      try {
        await withTimeout(engine.probe(settings), PROBE_TIMEOUT_MS);
        return { ...base, state: 'running+ready', pid, rssBytes };
      } catch (err) {
        const probeError = err instanceof Error ? err.message : String(err);
        return { ...base, state: 'running-not-ready', pid, rssBytes, probeError };
      }
    }),
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
