import path from 'node:path';
import type { EngineName } from './engine-name';
import type { EngineSettings } from './engine-settings';

/** Where one engine keeps everything: `.engines/<engine>/`. */
export interface EngineLayout {
  name: EngineName;
  dir: string;
  pidFile: string;
  logFile: string;
  lockFile: string;
  confDir: string;
  dataDir: string;
}

export function engineLayout(settings: EngineSettings, name: EngineName): EngineLayout {
  const dir = path.join(settings.enginesDir, name);
  return {
    name,
    dir,
    pidFile: path.join(dir, `${name}.pid`),
    logFile: path.join(dir, `${name}.log`),
    lockFile: path.join(dir, `${name}.lock`),
    confDir: path.join(dir, 'conf'),
    dataDir: path.join(dir, 'data'),
  };
}
