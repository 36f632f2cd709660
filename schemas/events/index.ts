export { EVENT_FIELD_LIMITS } from './event-field-limits';
export { externalIdSchema } from './external-id-schema';
export { dateTimeSchema } from './date-time-schema';
export { eventIdSchema } from './envelope';
export {
  postPublishedEventSchema,
  postUpdatedEventSchema,
  postDeletedEventSchema,
  type PostPublishedEvent,
  type PostUpdatedEvent,
  type PostDeletedEvent,
} from './post-events';
export { userUpsertedEventSchema, type UserUpsertedEvent } from './user-events';
export {
  followAddedEventSchema,
  followRemovedEventSchema,
  type FollowAddedEvent,
  type FollowRemovedEvent,
} from './follow-events';
export { locationUpsertedEventSchema, type LocationUpsertedEvent } from './location-events';
export {
  uploadEventSchema,
  eventSchemaByType,
  EVENT_TYPES,
  type UploadEvent,
  type EventType,
} from './upload-event';
export { parseEvent, parseEvents, safeParseEvent, type SafeParseEventResult } from './parse-event';
export { encodeEvent, decodeEvent } from './event-codec';
export type { FieldIssue } from '../../platform/errors';
