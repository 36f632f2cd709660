import type { UploadEvent } from '../schemas/events';

/** The partition key of an upload event: the id of the entity it is about. */
export function eventKey(event: UploadEvent): string {
  switch (event.type) {
    case 'post.published':
    case 'post.updated':
      return event.post.id;
    case 'post.deleted':
      return event.postId;
    case 'user.upserted':
      return event.user.id;
    case 'follow.added':
    case 'follow.removed':
      return event.followerId;
    case 'location.upserted':
      return event.location.id;
  }
}
