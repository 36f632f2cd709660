import type { EngineLayout } from './engine-layout';
import type { EngineName } from './engine-name';
import type { EngineSettings } from './engine-settings';
import type { NamedPort } from './port-check';
import type { LaunchSpec } from './process-supervisor';

export interface EngineContext {
  settings: EngineSettings;
  layout: EngineLayout;
  log: (message: string) => void;
}

/** What the supervisor needs to know about one engine. */
export interface EngineDefinition {
  name: EngineName;
  /** Shown by `status`, e.g. `127.0.0.1:19092`. */
  endpoint(settings: EngineSettings): string;
  /** Every port it binds; checked free before a start. */
  ports(settings: EngineSettings): NamedPort[];
  /** How long a clean shutdown may take before SIGKILL. */
  stopGraceMs: number;
  /** Downloads the engine into the cache unless already there; true when it downloaded. */
  install(context: EngineContext): Promise<boolean>;
  /** Writes the configuration (and formats storage) and says how to launch. */
  prepare(context: EngineContext): Promise<LaunchSpec>;
  /** Resolves when the engine serves a real client request. */
  probe(settings: EngineSettings): Promise<void>;
}
