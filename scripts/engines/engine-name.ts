import { ValidationError } from '../../platform/errors';

export const ENGINE_NAMES = ['kafka', 'cassandra', 'elasticsearch'] as const;

export type EngineName = (typeof ENGINE_NAMES)[number];

export function isEngineName(value: string): value is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(value);
}

/** No names means every engine; duplicates collapse and the canonical order is kept. */
export function parseEngineNames(values: readonly string[], field = 'engines'): EngineName[] {
  if (values.length === 0) return [...ENGINE_NAMES];
  const issues = values
    .map((value, i) => ({ value, i }))
    .filter(({ value }) => !isEngineName(value))
    .map(({ value, i }) => ({
      field: `${field}[${i}]`,
      reason: `unknown engine "${value}"; expected one of ${ENGINE_NAMES.join(', ')}`,
    }));
  if (issues.length > 0) throw new ValidationError('unknown engine name', issues);
  return ENGINE_NAMES.filter((name) => values.includes(name));
}
