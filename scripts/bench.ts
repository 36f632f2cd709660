/**
 * `npm run bench -- <name> [flags]` runs scripts/bench/<name>-bench.ts.
 * Each benchmark prints its figures and its ratios against a baseline
 * measured in the same run.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const available = readdirSync(path.join(__dirname, 'bench'))
    .filter((f) => f.endsWith('-bench.ts'))
    .map((f) => f.replace(/-bench\.ts$/, ''));
  if (!name || name === '--help' || !available.includes(name)) {
    console.error(`usage: npm run bench -- <${available.join('|')}> [flags]`);
    process.exit(name && name !== '--help' ? 2 : 0);
  }
  const mod = (await import(path.join(__dirname, 'bench', `${name}-bench.ts`))) as {
    run(argv: string[]): Promise<void>;
  };
  await mod.run(rest);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
