import { z } from 'zod';
import { ValidationError } from '../../platform/errors';
import { eventErrorMap, toFieldIssues } from '../../schemas/events/field-issues';
import { externalIdSchema } from '../../schemas/events/external-id-schema';

/** Query strings arrive as strings (or arrays when repeated); these take one string each. */
const one = z.string({
  error: (issue) => (issue.input === undefined ? 'is required' : 'must be given once, as a single value'),
});
const limit = (max: number, fallback: number) =>
  one
    .regex(/^[0-9]{1,4}$/, `must be an integer from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(1, `must be an integer from 1 to ${max}`).max(max, `must be at most ${max}`))
    .optional()
    .transform((v) => v ?? fallback);

export const searchQuerySchema = z.object({
  q: one.min(1, 'is required').max(200, 'must be at most 200 characters'),
  viewer: externalIdSchema.optional(),
  limit: limit(50, 5),
});

export const mediaQuerySchema = z.object({
  q: one.min(1, 'is required').max(4096, 'must be at most 4096 characters'),
  viewer: externalIdSchema.optional(),
  limit: limit(100, 30),
  cursor: one.max(512).optional(),
});

export const mediaAstBodySchema = z
  .object({
    query: z.unknown().refine((v) => v !== undefined, 'is required'),
    viewer: externalIdSchema.optional(),
    limit: z.number().int().min(1).max(100).optional().default(30),
    cursor: z.string().max(512).optional(),
  })
  .strict();

export const trendingQuerySchema = z.object({ limit: limit(100, 20) });

export const topPostsBodySchema = z
  .object({ postIds: z.array(externalIdSchema).max(100, 'at most 100 posts') })
  .strict();

export const viewerQuerySchema = z.object({ viewer: externalIdSchema.optional() });

export const idParamSchema = z.object({ id: externalIdSchema });

/** Parses with zod and throws the project's ValidationError naming each field under `where`. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input, { error: eventErrorMap });
  if (!result.success) {
    throw new ValidationError(`invalid ${where}`, toFieldIssues(result.error.issues, where));
  }
  return result.data;
}
