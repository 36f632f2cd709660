import { z } from 'zod';
import { isExternalId } from '../../query/engine/external-id';
import { describeValue } from './describe-value';

const REASON = 'must be a 64-bit unsigned decimal id';
const MAX_U64 = '18446744073709551615';

/** Says which rule a non-canonical id breaks, so producers can fix it without reading the spec. */
function explain(value: string): string {
  if (value === '') return `${REASON} (got an empty string)`;
  if (/^[+-]/.test(value)) return `${REASON} (no sign allowed)`;
  if (/[^0-9]/.test(value)) return `${REASON} (digits 0-9 only)`;
  if (/^0[0-9]/.test(value)) return `${REASON} (no leading zeros)`;
  return `${REASON} (at most ${MAX_U64})`;
}

/**
 * Ids are carried as canonical decimal strings because JSON numbers lose
 * precision above 2^53. The range check cannot be a JSON Schema pattern, so
 * the pattern in the exported schema is the shape only.
 */
export const externalIdSchema = z
  .string({
    // Missing fields fall through to the shared "is required" wording.
    error: (iss) =>
      iss.input === undefined ? undefined : `${REASON} string, got ${describeValue(iss.input)}`,
  })
  .superRefine((value, ctx) => {
    if (!isExternalId(value)) ctx.addIssue({ code: 'custom', message: explain(value) });
  })
  .meta({
    pattern: '^(0|[1-9][0-9]{0,19})$',
    description: `Unsigned 64-bit integer as a canonical decimal string, at most ${MAX_U64}.`,
  });
