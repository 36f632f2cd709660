/**
 * Writes the JSON Schema of the upload events to schemas/json from the zod
 * schemas. `--check` writes nothing and exits 1 when the files are stale.
 *
 *   npx tsx scripts/export-json-schemas.ts [--check] [--dir <path>]
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform/fs/write-file-atomic';
import { jsonSchemaFiles } from '../schemas/events/json-schema-files';

export const DEFAULT_JSON_SCHEMA_DIR = path.resolve(__dirname, '..', 'schemas', 'json');

const GENERATED = /\.schema\.json$/;

export interface JsonSchemaDrift {
  /** On disk with different content. */
  stale: string[];
  /** Generated but not on disk. */
  missing: string[];
  /** `*.schema.json` on disk that nothing generates any more (e.g. a removed event type). */
  extra: string[];
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function listGenerated(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((name) => GENERATED.test(name)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Compares the files in `dir` with a fresh generation. */
export async function checkJsonSchemas(dir = DEFAULT_JSON_SCHEMA_DIR): Promise<JsonSchemaDrift> {
  const drift: JsonSchemaDrift = { stale: [], missing: [], extra: [] };
  const files = jsonSchemaFiles();
  for (const { fileName, content } of files) {
    const onDisk = await readIfExists(path.join(dir, fileName));
    if (onDisk === undefined) drift.missing.push(fileName);
    else if (onDisk !== content) drift.stale.push(fileName);
  }
  const expected = new Set(files.map((f) => f.fileName));
  drift.extra = (await listGenerated(dir)).filter((name) => !expected.has(name));
  return drift;
}

/** Brings `dir` up to date: rewrites changed files only and removes schemas of removed types. */
export async function writeJsonSchemas(
  dir = DEFAULT_JSON_SCHEMA_DIR,
): Promise<{ written: string[]; removed: string[] }> {
  const drift = await checkJsonSchemas(dir);
  const changed = new Set([...drift.stale, ...drift.missing]);
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const { fileName, content } of jsonSchemaFiles()) {
    if (!changed.has(fileName)) continue;
    await writeFileAtomic(path.join(dir, fileName), content);
    written.push(fileName);
  }
  for (const name of drift.extra) await fs.unlink(path.join(dir, name));
  return { written, removed: drift.extra };
}

function parseArgs(argv: string[]): { check: boolean; dir: string } {
  let check = false;
  let dir = DEFAULT_JSON_SCHEMA_DIR;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') check = true;
    else if (arg === '--dir' && argv[i + 1] !== undefined) dir = path.resolve(argv[++i]!);
    else throw new Error(`unknown argument ${JSON.stringify(arg)}; usage: [--check] [--dir <path>]`);
  }
  return { check, dir };
}

async function main(argv: string[]): Promise<number> {
  const { check, dir } = parseArgs(argv);
  const shown = path.relative(process.cwd(), dir) || '.';
  if (check) {
    const drift = await checkJsonSchemas(dir);
    const problems = [
      ...drift.stale.map((f) => `stale:   ${f}`),
      ...drift.missing.map((f) => `missing: ${f}`),
      ...drift.extra.map((f) => `extra:   ${f}`),
    ];
    if (problems.length === 0) {
      console.log(`JSON Schema files in ${shown} are up to date`);
      return 0;
    }
    console.error(`JSON Schema files in ${shown} are out of date:\n  ${problems.join('\n  ')}`);
    console.error('run: npx tsx scripts/export-json-schemas.ts');
    return 1;
  }
  const { written, removed } = await writeJsonSchemas(dir);
  for (const f of written) console.log(`wrote   ${path.join(shown, f)}`);
  for (const f of removed) console.log(`removed ${path.join(shown, f)}`);
  if (written.length + removed.length === 0) console.log(`JSON Schema files in ${shown} are up to date`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 2;
    },
  );
}
