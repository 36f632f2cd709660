import { isExternalId } from '../../query/engine/external-id';
import { codePointLength } from './bounded-text';
import { dateTimeSchema } from './date-time-schema';
import { EVENT_FIELD_LIMITS } from './event-field-limits';
import { isImageUrl } from './image-url-schema';
import type { UploadEvent } from './upload-event';

/**
 * The schemas' rules written out for events that pass them, because the
 * index consumer validates every event and zod took most of its decode
 * time. It returns what the schema would return (same fields, same order)
 * when the input is certainly valid, and undefined otherwise: the caller
 * then asks zod, which also words the errors. So it may give up on a valid
 * event, but must never accept an invalid one (see event-fast-path.test.ts).
 */
export function fastParseEvent(input: unknown): UploadEvent | undefined {
  if (!isRecord(input)) return undefined;
  const { type, eventId, occurredAt } = input;
  if (!isEventId(eventId) || !isDateTime(occurredAt)) return undefined;
  const keys = Object.keys(input).length;
  switch (type) {
    case 'post.published': {
      const post = input['post'];
      if (keys !== 4 || !isRecord(post)) return undefined;
      const { id, authorId, caption, imageUrl, locationId, createdAt } = post;
      const fields = locationId === undefined ? 5 : 6;
      if (
        Object.keys(post).length !== fields ||
        !isId(id) ||
        !isId(authorId) ||
        !isText(caption, 0, LIMITS.captionMaxChars) ||
        typeof imageUrl !== 'string' ||
        !isImageUrl(imageUrl) ||
        (locationId !== undefined && !isId(locationId)) ||
        !isDateTime(createdAt)
      ) {
        return undefined;
      }
      return {
        type,
        eventId,
        occurredAt,
        post:
          locationId === undefined
            ? { id, authorId, caption, imageUrl, createdAt }
            : { id, authorId, caption, imageUrl, locationId, createdAt },
      };
    }
    case 'post.updated': {
      const post = input['post'];
      if (keys !== 4 || !isRecord(post) || Object.keys(post).length !== 2) return undefined;
      const { id, caption } = post;
      if (!isId(id) || !isText(caption, 0, LIMITS.captionMaxChars)) return undefined;
      return { type, eventId, occurredAt, post: { id, caption } };
    }
    case 'post.deleted': {
      const { postId } = input;
      if (keys !== 4 || !isId(postId)) return undefined;
      return { type, eventId, occurredAt, postId };
    }
    case 'user.upserted': {
      const user = input['user'];
      if (keys !== 4 || !isRecord(user) || Object.keys(user).length !== 4) return undefined;
      const { id, username, fullName, isPrivate } = user;
      if (
        !isId(id) ||
        typeof username !== 'string' ||
        username.length === 0 ||
        username.length > LIMITS.usernameMaxChars ||
        !USERNAME.test(username) ||
        !isText(fullName, 0, LIMITS.fullNameMaxChars) ||
        typeof isPrivate !== 'boolean'
      ) {
        return undefined;
      }
      return { type, eventId, occurredAt, user: { id, username, fullName, isPrivate } };
    }
    case 'follow.added':
    case 'follow.removed': {
      const { followerId, followeeId } = input;
      if (keys !== 5 || !isId(followerId) || !isId(followeeId) || followerId === followeeId) return undefined;
      return { type, eventId, occurredAt, followerId, followeeId };
    }
    case 'location.upserted': {
      const location = input['location'];
      if (keys !== 4 || !isRecord(location)) return undefined;
      const { id, name, lat, lon } = location;
      const hasCoordinates = lat !== undefined;
      if (
        Object.keys(location).length !== (hasCoordinates ? 4 : 2) ||
        !isId(id) ||
        !isText(name, 1, LIMITS.locationNameMaxChars) ||
        (hasCoordinates && !(isInRange(lat, 90) && isInRange(lon, 180)))
      ) {
        return undefined;
      }
      return {
        type,
        eventId,
        occurredAt,
        location: hasCoordinates ? { id, name, lat, lon: lon as number } : { id, name },
      };
    }
    default:
      return undefined;
  }
}

const LIMITS = EVENT_FIELD_LIMITS;
const USERNAME = /^[A-Za-z0-9._]*$/;
const EVENT_ID = /^[\x21-\x7e]+$/;
/** The schema's own pattern, so both always agree; without one, every date goes to zod. */
const DATE_TIME: RegExp | undefined = (() => {
  const pattern = (dateTimeSchema as unknown as { _zod?: { def?: { pattern?: unknown } } })._zod?.def
    ?.pattern;
  return pattern instanceof RegExp ? pattern : undefined;
})();

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && isExternalId(value);
}

function isEventId(value: unknown): value is string {
  return typeof value === 'string' && value.length <= LIMITS.eventIdMaxChars && EVENT_ID.test(value);
}

function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && DATE_TIME !== undefined && DATE_TIME.test(value);
}

/** Code points in [min, max]; a string of at most `max` UTF-16 units has at most that many. */
function isText(value: unknown, min: number, max: number): value is string {
  if (typeof value !== 'string' || value.length < min) return false;
  return value.length <= max || codePointLength(value, max) <= max;
}

function isInRange(value: unknown, bound: number): value is number {
  return typeof value === 'number' && value >= -bound && value <= bound;
}
