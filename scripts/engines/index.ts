export { enginesUp, type EnginesOptions } from './engines-up';
export { enginesDown } from './engines-down';
export { engineStatus, type EngineState, type EngineStatus } from './engine-status';
export { distributedEnv, engineEndpoints, type EngineEndpoints } from './engine-endpoints';
export { ENGINE_NAMES, parseEngineNames, type EngineName } from './engine-name';
export { readEngineSettings, type EngineSettings } from './engine-settings';
export { engineLayout, type EngineLayout } from './engine-layout';
export { tailFile } from './log-tail';
