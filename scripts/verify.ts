/**
 * `npm run verify -- [--repair] [--sample N|all] ...`: compares derived
 * state with its source (hashtag counts with the bitmaps, search documents
 * with the KV store) and prints what differs. See scripts/ops/README.md.
 */
import { z } from 'zod';
import { ValidationError } from '../platform/errors';
import { intFlag, type CommandSpec } from './ops/cli-flags';
import { caughtUpBitmaps } from './ops/caught-up-bitmaps';
import { COMMON_FLAGS, commonFlagsShape } from './ops/common-flags';
import { EXIT, runCli } from './ops/run-cli';
import { kindListFlag } from './ops/kind-flag';
import { runOperation } from './ops/run-operation';
import { DEFAULT_VERIFY_KINDS, verify, type Difference, type VerifyCheckpoint } from './ops/verify/verify';

export const verifySpec = {
  name: 'verify',
  summary:
    'Compares derived state with the source of truth: hashtag counts with the bitmap cardinalities, search ' +
    'document counts with the KV store (Cassandra), and a sample of documents; prints every difference. ' +
    'Exits 3 when something differs and was not repaired.',
  notes: [
    'Embedded mode has no search checks: the typeahead index lives in the service and is rebuilt from the ' +
      'KV store at every start. On a live cluster, differences can be lag: run again before repairing.',
  ],
  flags: {
    repair: { type: 'boolean', description: 'write the expected value wherever they differ' },
    kind: {
      type: 'string',
      placeholder: 'kinds',
      description: `search indices to compare (default ${DEFAULT_VERIFY_KINDS.join(',')}; media too on request)`,
    },
    sample: {
      type: 'string',
      placeholder: 'n|all',
      description: 'documents compared per kind (default 1000; all when the counts differ)',
    },
    ...COMMON_FLAGS,
  },
  schema: z.object({
    repair: z.boolean().default(false),
    kind: kindListFlag().optional(),
    sample: z.union([z.literal('all'), intFlag(1)]).default(1000),
    ...commonFlagsShape,
  }),
} satisfies CommandSpec<z.ZodObject>;

const describe = (d: Difference) =>
  `${d.check} ${d.kind}${d.id === undefined ? '' : ` ${d.id}`}: ` +
  (d.check === 'document-extra'
    ? 'indexed, but the source has no such document'
    : `expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual ?? null)}`) +
  (d.repaired ? ' (repaired)' : '');

export function main(argv: string[]): Promise<number> {
  return runCli(verifySpec, argv, (flags, io) =>
    runOperation<VerifyCheckpoint>(
      {
        command: 'verify',
        flags,
        io,
        identity: { repair: flags.repair, sample: flags.sample, kind: flags.kind ?? 'default' },
        mustExist: true,
      },
      async (stores, ctx) => {
        // Embedded, the typeahead index is the service's memory: nothing here to compare.
        const documents = stores.mode === 'distributed' ? stores.versions : undefined;
        if (!documents && flags.kind) {
          throw new ValidationError('embedded mode has no search indices to verify', [
            { field: '--kind', reason: 'only in distributed mode' },
          ]);
        }
        const { index } = await caughtUpBitmaps(stores.log, stores.snapshots, ctx);
        const { differences, earlier } = await verify(
          {
            kv: stores.kv,
            index,
            documents,
            kinds: flags.kind,
            repair: flags.repair,
            sample: flags.sample,
            onDifference: (d) => io.out.write(`${describe(d)}\n`),
          },
          ctx,
        );
        const found = earlier.differences + differences.length;
        const open = earlier.unrepaired + differences.filter((d) => !d.repaired).length;
        return {
          details: [
            `${found} differences, ${found - open} repaired` +
              (earlier.differences > 0 ? ` (${earlier.differences} found before the interruption)` : ''),
          ],
          exitCode: open > 0 ? EXIT.differences : EXIT.ok,
        };
      },
    ),
  );
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
