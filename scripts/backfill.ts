/**
 * `npm run backfill -- [--from-file <path|->] [--from-offset N | --from-timestamp ISO] ...`:
 * rebuilds the derived state (bitmap snapshot, hashtag counts, trending
 * windows) from the event log, after importing an NDJSON export if given.
 * See scripts/ops/README.md.
 */
import { z } from 'zod';
import { intFlag, type CommandSpec } from './ops/cli-flags';
import { backfill } from './ops/backfill/backfill';
import type { BackfillCheckpoint } from './ops/backfill/backfill-checkpoint';
import { COMMON_FLAGS, commonFlagsShape } from './ops/common-flags';
import { runCli } from './ops/run-cli';
import { runOperation } from './ops/run-operation';

export const backfillSpec = {
  name: 'backfill',
  summary:
    'Rebuilds the derived state from the event log: the bitmap snapshot, hashtag counts (the hashtag pages) ' +
    'and trending windows, exactly as a clean run of their consumers would; running it twice changes ' +
    'nothing the second time. With --from-file, first imports an NDJSON export of upload events (the first ' +
    'load of a new cluster).',
  notes: [
    'Counts are absolute, so the log is always replayed from its start; --from-offset/--from-timestamp ' +
      'limit which hashtags are rewritten to those touched in POST_HASHTAG from there on. Stop the counting ' +
      'worker and trending scorer first in distributed mode (embedded: the service holds the data dir lock).',
  ],
  flags: {
    'from-file': {
      type: 'string',
      placeholder: 'path|-',
      description: 'NDJSON export of upload events to import first',
    },
    'batch-size': {
      type: 'string',
      placeholder: 'n',
      description: 'events per append of the import, and between two checkpoints at most (default 1000)',
    },
    'from-offset': {
      type: 'string',
      placeholder: 'n',
      description: 'rewrite only hashtags touched in POST_HASHTAG from this offset (every partition)',
    },
    'from-timestamp': {
      type: 'string',
      placeholder: 'ISO 8601',
      description: 'rewrite only hashtags touched in POST_HASHTAG since this time',
    },
    ...COMMON_FLAGS,
  },
  schema: z
    .object({
      fromFile: z.string().min(1).optional(),
      batchSize: intFlag(1, 10_000).optional(),
      fromOffset: intFlag(0).optional(),
      fromTimestamp: z
        .string()
        .refine((s) => !Number.isNaN(Date.parse(s)), 'must be an ISO 8601 date-time')
        .transform((s) => Date.parse(s))
        .optional(),
      ...commonFlagsShape,
    })
    .refine((f) => f.fromOffset === undefined || f.fromTimestamp === undefined, {
      path: ['fromTimestamp'],
      message: 'give --from-offset or --from-timestamp, not both',
    }),
} satisfies CommandSpec<z.ZodObject>;

export function main(argv: string[]): Promise<number> {
  return runCli(backfillSpec, argv, (flags, io) =>
    runOperation<BackfillCheckpoint>(
      {
        command: 'backfill',
        flags,
        io,
        identity: {
          fromFile: flags.fromFile,
          fromOffset: flags.fromOffset,
          fromTimestamp: flags.fromTimestamp,
        },
        mustExist: flags.fromFile === undefined,
      },
      async (stores, ctx) => {
        const from =
          flags.fromOffset !== undefined
            ? { offset: flags.fromOffset }
            : flags.fromTimestamp !== undefined
              ? { timestamp: flags.fromTimestamp }
              : undefined;
        const r = await backfill(
          {
            mode: stores.mode,
            log: stores.log,
            kv: stores.kv,
            snapshots: stores.snapshots,
            search: stores.search,
            fromFile: flags.fromFile,
            importChunk: flags.batchSize,
            from,
          },
          ctx,
        );
        return {
          details: [
            `rows ${ctx.dryRun ? 'that would change' : 'changed'}: ${r.puts} put, ${r.deletes} deleted ` +
              `(scope: ${r.scope === 'all' ? 'every hashtag' : `${r.scope} hashtags`})`,
            `bitmap snapshot at POSTINGS ${r.bitmaps.position}${r.bitmaps.written ? ' written' : ' not written'}`,
          ],
        };
      },
    ),
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
