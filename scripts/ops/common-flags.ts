import { z } from 'zod';
import { intFlag, positiveFlag, type FlagSpec } from './cli-flags';

/** Flags every operator command takes. */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  mode: {
    type: 'string',
    placeholder: 'embedded|distributed',
    description: 'where the stores are (default: MODE, else embedded)',
  },
  'data-dir': {
    type: 'string',
    placeholder: 'dir',
    description: 'embedded data directory (default: DATA_DIR, else ./data)',
  },
  'state-dir': {
    type: 'string',
    placeholder: 'dir',
    description: 'checkpoints and rejects (default: <data-dir>/ops embedded, ./.ops-state distributed)',
  },
  restart: { type: 'boolean', description: 'ignore the checkpoint of an earlier run and start fresh' },
  rate: { type: 'string', placeholder: 'docs/s', description: 'throttle to this many documents per second' },
  'dry-run': { type: 'boolean', description: 'read and check everything, write nothing' },
  'max-errors': {
    type: 'string',
    placeholder: 'n',
    description: 'stop once more than n documents failed (default: never)',
  },
  progress: {
    type: 'string',
    placeholder: 'auto|bar|lines|off',
    description: 'progress display (default auto: a bar on a terminal, log lines otherwise)',
  },
};

export const commonFlagsShape = {
  mode: z.enum(['embedded', 'distributed'], { error: 'must be embedded or distributed' }).optional(),
  dataDir: z.string().min(1).optional(),
  stateDir: z.string().min(1).optional(),
  restart: z.boolean().default(false),
  rate: positiveFlag().optional(),
  dryRun: z.boolean().default(false),
  maxErrors: intFlag(0).optional(),
  progress: z
    .enum(['auto', 'bar', 'lines', 'off'], { error: 'must be auto, bar, lines or off' })
    .default('auto'),
};

export type CommonFlags = z.output<z.ZodObject<typeof commonFlagsShape>>;

/** The mode and data dir with their environment fallbacks applied. */
export function resolveMode(
  flags: Pick<CommonFlags, 'mode' | 'dataDir'>,
  env: NodeJS.ProcessEnv,
): { mode: 'embedded' | 'distributed'; dataDir: string } {
  const fromEnv = env.MODE === 'distributed' ? 'distributed' : 'embedded';
  return { mode: flags.mode ?? fromEnv, dataDir: flags.dataDir ?? (env.DATA_DIR || './data') };
}
