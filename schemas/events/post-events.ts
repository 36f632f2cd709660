import { z } from 'zod';
import { boundedText } from './bounded-text';
import { dateTimeSchema } from './date-time-schema';
import { envelopeShape } from './envelope';
import { EVENT_FIELD_LIMITS } from './event-field-limits';
import { externalIdSchema } from './external-id-schema';
import { imageUrlSchema } from './image-url-schema';

const captionSchema = boundedText({ max: EVENT_FIELD_LIMITS.captionMaxChars }).describe(
  'Free text; the indexer extracts #hashtags from it. May be empty.',
);

export const postPublishedEventSchema = z
  .strictObject({
    ...envelopeShape('post.published'),
    post: z.strictObject({
      id: externalIdSchema,
      authorId: externalIdSchema,
      caption: captionSchema,
      imageUrl: imageUrlSchema,
      locationId: externalIdSchema.optional(),
      createdAt: dateTimeSchema.describe('When the post was created.'),
    }),
  })
  .meta({ title: 'post.published', description: 'A new post; its author, caption hashtags and location.' });

export const postUpdatedEventSchema = z
  .strictObject({
    ...envelopeShape('post.updated'),
    post: z.strictObject({
      id: externalIdSchema,
      caption: captionSchema,
    }),
  })
  .meta({ title: 'post.updated', description: 'A caption edit; the hashtags of the post are replaced.' });

export const postDeletedEventSchema = z
  .strictObject({
    ...envelopeShape('post.deleted'),
    postId: externalIdSchema,
  })
  .meta({ title: 'post.deleted', description: 'A post was removed from every index.' });

export type PostPublishedEvent = z.infer<typeof postPublishedEventSchema>;
export type PostUpdatedEvent = z.infer<typeof postUpdatedEventSchema>;
export type PostDeletedEvent = z.infer<typeof postDeletedEventSchema>;
