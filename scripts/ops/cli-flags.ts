import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ValidationError, type FieldIssue } from '../../platform/errors';

export interface FlagSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Shown in --help as `--name <placeholder>`. */
  placeholder?: string;
}

export interface CommandSpec<S extends z.ZodObject> {
  /** `npm run <name> -- ...`. */
  name: string;
  summary: string;
  /** Paragraphs after the flag list. */
  notes?: string[];
  flags: Record<string, FlagSpec>;
  /** Validates the parsed flags, keyed by camelCase flag name. */
  schema: S;
}

export type ParsedCommandLine<T> = { help: true; text: string } | { help: false; flags: T };

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/**
 * Parses argv against the command's flags and validates them with zod. Every
 * problem is reported at once, named by its flag (`--rate: must be > 0`).
 */
export function parseCommandLine<S extends z.ZodObject>(
  spec: CommandSpec<S>,
  argv: readonly string[],
): ParsedCommandLine<z.output<S>> {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true, text: helpText(spec) };
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(
      Object.entries(spec.flags).map(([name, f]) => [name, { type: f.type }]),
    );
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (err) {
    const message = (err as Error).message;
    const flag = /'(-{1,2}[^'\s]+)/.exec(message)?.[1] ?? '(arguments)';
    throw new ValidationError(`invalid arguments to ${spec.name}`, [
      { field: flag, reason: message.replace(/\. To specify.*$/s, '') },
    ]);
  }
  const input = Object.fromEntries(Object.entries(values).map(([k, v]) => [camel(k), v]));
  const result = spec.schema.safeParse(input);
  if (!result.success) {
    const issues: FieldIssue[] = result.error.issues.map((i) => ({
      field: i.path.length > 0 ? `--${kebab(String(i.path[0]))}` : '(flags)',
      reason: i.message,
    }));
    throw new ValidationError(`invalid arguments to ${spec.name}`, issues);
  }
  return { help: false, flags: result.data };
}

export function helpText<S extends z.ZodObject>(spec: CommandSpec<S>): string {
  const rows = Object.entries(spec.flags).map(([name, f]) => [
    `--${name}${f.type === 'string' ? ` <${f.placeholder ?? 'value'}>` : ''}`,
    f.description,
  ]);
  const width = Math.max(...rows.map(([l]) => l!.length));
  const lines = [
    `usage: npm run ${spec.name} -- [flags]`,
    '',
    spec.summary,
    '',
    'flags:',
    ...rows.map(([l, d]) => `  ${l!.padEnd(width)}  ${d}`),
    `  ${'--help'.padEnd(width)}  this text`,
  ];
  for (const note of spec.notes ?? []) lines.push('', note);
  return `${lines.join('\n')}\n`;
}

/** A whole number flag given as a string, within bounds. */
export const intFlag = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .regex(/^[0-9]+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** A positive number flag given as a string (fractions allowed). */
export const positiveFlag = () =>
  z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)?$/, 'must be a positive number')
    .transform(Number)
    .pipe(z.number().positive('must be greater than 0'));
