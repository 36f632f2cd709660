/**
 * `npm run reindex -- [--kind users,hashtags,locations,media] [--keep-old] ...`:
 * rebuilds the search indices from the KV store into new versions and swaps
 * the aliases, with no downtime. See scripts/ops/README.md.
 */
import { z } from 'zod';
import { INDEX_KINDS } from '../platform/ports/search-index';
import { intFlag, type CommandSpec } from './ops/cli-flags';
import { COMMON_FLAGS, commonFlagsShape } from './ops/common-flags';
import { kindListFlag } from './ops/kind-flag';
import { reindex, type ReindexCheckpoint } from './ops/reindex/reindex';
import { runCli } from './ops/run-cli';
import { runOperation } from './ops/run-operation';

export const reindexSpec = {
  name: 'reindex',
  summary:
    'Rebuilds the search indices from the source of truth (Cassandra, or the embedded KV store) into new ' +
    'versioned indices, catches up the updates that arrived meanwhile from the event log, and swaps the aliases.',
  notes: [
    "Embedded mode: the typeahead index lives in the service's memory and is rebuilt at every start; the " +
      'command runs the same rebuild in its own process (checks every document, measures throughput).',
  ],
  flags: {
    kind: {
      type: 'string',
      placeholder: 'kinds',
      description: `comma-separated, among ${INDEX_KINDS.join(', ')} (default: every kind the mode indexes)`,
    },
    'keep-old': { type: 'boolean', description: 'keep the versions the aliases left (default: delete them)' },
    'batch-size': {
      type: 'string',
      placeholder: 'n',
      description: 'documents per bulk write, and between two checkpoints at most (default 1000)',
    },
    ...COMMON_FLAGS,
  },
  schema: z.object({
    kind: kindListFlag().optional(),
    keepOld: z.boolean().default(false),
    batchSize: intFlag(1, 10_000).optional(),
    ...commonFlagsShape,
  }),
} satisfies CommandSpec<z.ZodObject>;

export function main(argv: string[]): Promise<number> {
  return runCli(reindexSpec, argv, (flags, io) =>
    runOperation<ReindexCheckpoint>(
      { command: 'reindex', flags, io, identity: { kind: flags.kind ?? 'all' }, mustExist: true },
      async (stores, ctx) => {
        const kinds = flags.kind ?? stores.versions.kinds;
        const result = await reindex(
          {
            kv: stores.kv,
            log: stores.log,
            versions: stores.versions,
            kinds,
            keepOld: flags.keepOld,
            chunkSize: flags.batchSize,
          },
          ctx,
        );
        const details = Object.entries(result.kinds).map(([kind, r]) =>
          result.dryRun
            ? `${kind}: ${r.documents?.toLocaleString('en')} documents would be written`
            : `${kind}: alias → ${r.version}; previous ${r.previous.join(', ') || 'none'} ${flags.keepOld ? 'kept' : 'deleted'}`,
        );
        if (result.abandoned.length > 0) {
          details.push(`deleted what the abandoned run had loaded: ${result.abandoned.join(', ')}`);
        }
        return { details };
      },
    ),
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
