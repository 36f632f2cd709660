import { z } from 'zod';
import { isExternalId } from '../../query/engine/external-id';
import { envelopeShape } from './envelope';
import { externalIdSchema } from './external-id-schema';

function followEventSchema<T extends string>(type: T, description: string) {
  return (
    z
      .strictObject({
        ...envelopeShape(type),
        followerId: externalIdSchema,
        followeeId: externalIdSchema,
      })
      // Not expressible in JSON Schema; only the validator enforces it. Bad ids are reported once, above.
      .refine((event) => event.followerId !== event.followeeId || !isExternalId(event.followerId), {
        path: ['followeeId'],
        message: 'must differ from followerId (a user cannot follow themselves)',
      })
      .meta({ title: type, description })
  );
}

export const followAddedEventSchema = followEventSchema(
  'follow.added',
  'followerId started following followeeId.',
);
export const followRemovedEventSchema = followEventSchema(
  'follow.removed',
  'followerId stopped following followeeId.',
);

export type FollowAddedEvent = z.infer<typeof followAddedEventSchema>;
export type FollowRemovedEvent = z.infer<typeof followRemovedEventSchema>;
