import { z } from 'zod';

/** Counts code points, stopping once the count passes `stopAfter`. */
export function codePointLength(text: string, stopAfter = Infinity): number {
  let count = 0;
  for (let i = 0; i < text.length && count <= stopAfter; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single character.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * Free text limited in Unicode code points rather than UTF-16 units, so an
 * emoji counts once, matching JSON Schema's minLength and maxLength.
 */
export function boundedText(limits: { min?: number; max: number }): z.ZodString {
  const min = limits.min ?? 0;
  return z
    .string()
    .superRefine((text, ctx) => {
      const length = codePointLength(text, limits.max);
      if (length < min) {
        ctx.addIssue({
          code: 'custom',
          message: min === 1 ? 'must not be empty' : `must be at least ${min} characters`,
        });
      } else if (length > limits.max) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${limits.max} characters` });
      }
    })
    .meta(min > 0 ? { minLength: min, maxLength: limits.max } : { maxLength: limits.max });
}
