import { z } from 'zod';
import { dateTimeSchema } from './date-time-schema';
import { EVENT_FIELD_LIMITS } from './event-field-limits';

/**
 * Dedupe key chosen by the producer. Visible ASCII only: a trailing space or
 * a control character would make two ids that look identical in logs differ.
 */
export const eventIdSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(EVENT_FIELD_LIMITS.eventIdMaxChars, `must be at most ${EVENT_FIELD_LIMITS.eventIdMaxChars} characters`)
  .regex(/^[\x21-\x7e]*$/, 'must contain only printable ASCII characters, without spaces')
  .describe('Producer-chosen id used to drop duplicate deliveries.');

/** The fields every event carries next to its payload; events are flat objects. */
export function envelopeShape<T extends string>(type: T) {
  return {
    type: z.literal(type),
    eventId: eventIdSchema,
    occurredAt: dateTimeSchema.describe('When the change happened at the source.'),
  };
}
