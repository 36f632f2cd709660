import { z } from 'zod';
import { describeValue } from './describe-value';
import { followAddedEventSchema, followRemovedEventSchema } from './follow-events';
import { locationUpsertedEventSchema } from './location-events';
import { postDeletedEventSchema, postPublishedEventSchema, postUpdatedEventSchema } from './post-events';
import { userUpsertedEventSchema } from './user-events';

const EVENT_SCHEMA_LIST = [
  postPublishedEventSchema,
  postUpdatedEventSchema,
  postDeletedEventSchema,
  userUpsertedEventSchema,
  followAddedEventSchema,
  followRemovedEventSchema,
  locationUpsertedEventSchema,
] as const;

const KNOWN_TYPES = EVENT_SCHEMA_LIST.map((schema) => schema.shape.type.value);

/** Echoes at most a short, escaped prefix of what the producer sent. */
function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

function unknownTypeReason(input: unknown): string {
  const expected = `expected one of ${KNOWN_TYPES.join(', ')}`;
  const type = (input as { type?: unknown }).type;
  if (type === undefined) return `is required; ${expected}`;
  if (typeof type !== 'string') return `must be a string, got ${describeValue(type)}; ${expected}`;
  return `unknown event type ${quote(type)}; ${expected}`;
}

/** Every upload event, told apart by `type`. */
export const uploadEventSchema = z
  .discriminatedUnion('type', EVENT_SCHEMA_LIST, {
    error: (iss) => (iss.code === 'invalid_union' ? unknownTypeReason(iss.input) : undefined),
  })
  .meta({
    title: 'UploadEvent',
    description: 'An event on the upload topic: a flat object of type, eventId, occurredAt and the payload.',
  });

export type UploadEvent = z.infer<typeof uploadEventSchema>;
export type EventType = UploadEvent['type'];

export const EVENT_TYPES: readonly EventType[] = Object.freeze([...KNOWN_TYPES]);

type EventSchemaByType = {
  [T in EventType]: Extract<(typeof EVENT_SCHEMA_LIST)[number], { shape: { type: z.ZodLiteral<T> } }>;
};

/** The schema of one event type, e.g. for exporting it on its own. */
export const eventSchemaByType = Object.freeze(
  Object.fromEntries(EVENT_SCHEMA_LIST.map((schema) => [schema.shape.type.value, schema])),
) as Readonly<EventSchemaByType>;
