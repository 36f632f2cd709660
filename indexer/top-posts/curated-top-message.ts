import { z } from 'zod';
import { ValidationError } from '../../platform/errors';
import { externalIdSchema } from '../../schemas/events/external-id-schema';
import { eventErrorMap, toFieldIssues } from '../../schemas/events/field-issues';
import { normalizeHashtag } from '../hashtags/normalize-hashtag';
import { MAX_TOP_POSTS } from '../documents/document-types';

/**
 * A HASHTAG_TOP record from the ranking team: the tag's top posts, best
 * first. An empty list withdraws the curated list, so the page falls back to
 * the default ranker (newest first).
 */
export const curatedTopMessageSchema = z
  .object({
    tag: z
      .string()
      .min(1)
      .max(200)
      .refine((t) => normalizeHashtag(t) !== '', 'must be a hashtag name (letters, marks, numbers, _)'),
    postIds: z
      .array(externalIdSchema)
      .max(MAX_TOP_POSTS, `at most ${MAX_TOP_POSTS} posts`)
      .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a post id'),
  })
  .strict();

export type CuratedTopMessage = z.infer<typeof curatedTopMessageSchema>;

export function parseCuratedTopMessage(input: unknown): CuratedTopMessage {
  const result = curatedTopMessageSchema.safeParse(input, { error: eventErrorMap });
  if (!result.success) {
    throw new ValidationError('invalid curated top list', toFieldIssues(result.error.issues));
  }
  return { tag: normalizeHashtag(result.data.tag), postIds: result.data.postIds };
}

export function encodeCuratedTopMessage(message: CuratedTopMessage): Buffer {
  return Buffer.from(JSON.stringify(message));
}

export function decodeCuratedTopMessage(value: Buffer): CuratedTopMessage {
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch (err) {
    throw new ValidationError('curated top list is not JSON', [{ field: '', reason: String(err) }]);
  }
  return parseCuratedTopMessage(json);
}
