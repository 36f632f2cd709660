import type { UploadEvent } from '../../schemas/events';
import type { ApplyContext } from './apply-context';
import { onFollowAdded, onFollowRemoved, onLocationUpserted, onUserUpserted } from './graph-handlers';
import { onPostDeleted, onPostPublished, onPostUpdated, type Outcome } from './post-handlers';

/**
 * Applies one validated upload event to the batch's state and effects. Its
 * reads must be loaded first (see load-reads.ts); only upserts, whose renames
 * scan the store, return a promise.
 */
export function applyEvent(ctx: ApplyContext, event: UploadEvent): Outcome | Promise<Outcome> {
  switch (event.type) {
    case 'post.published':
      return onPostPublished(ctx, event);
    case 'post.updated':
      return onPostUpdated(ctx, event);
    case 'post.deleted':
      return onPostDeleted(ctx, event);
    case 'user.upserted':
      return onUserUpserted(ctx, event);
    case 'follow.added':
      return onFollowAdded(ctx, event);
    case 'follow.removed':
      return onFollowRemoved(ctx, event);
    case 'location.upserted':
      return onLocationUpserted(ctx, event);
  }
}
