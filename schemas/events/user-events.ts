import { z } from 'zod';
import { boundedText } from './bounded-text';
import { envelopeShape } from './envelope';
import { EVENT_FIELD_LIMITS } from './event-field-limits';
import { externalIdSchema } from './external-id-schema';

const { usernameMaxChars, fullNameMaxChars } = EVENT_FIELD_LIMITS;

const usernameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(usernameMaxChars, `must be at most ${usernameMaxChars} characters`)
  .regex(/^[A-Za-z0-9._]*$/, 'may contain only letters A-Z and a-z, digits, "." and "_"')
  .describe('Handle as typed by the user; typeahead matches it case-insensitively.');

export const userUpsertedEventSchema = z
  .strictObject({
    ...envelopeShape('user.upserted'),
    user: z.strictObject({
      id: externalIdSchema,
      username: usernameSchema,
      fullName: boundedText({ max: fullNameMaxChars }).describe('Display name; may be empty.'),
      isPrivate: z.boolean(),
    }),
  })
  .meta({ title: 'user.upserted', description: 'A user was created or their profile changed.' });

export type UserUpsertedEvent = z.infer<typeof userUpsertedEventSchema>;
