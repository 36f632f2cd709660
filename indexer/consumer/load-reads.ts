import type { UploadEvent } from '../../schemas/events';
import { KV } from '../kv-tables';
import type { ApplyContext } from './apply-context';
import { dedupedByRecord } from './deduped-by-record';
import { followEdge } from './graph-handlers';

/**
 * Loads what a batch's handlers will read, a few round trips per batch
 * instead of one per event: the handlers then read synchronously.
 */
export async function prefetchBatch(ctx: ApplyContext, events: readonly UploadEvent[]): Promise<void> {
  const { state } = ctx;
  const media: string[] = [];
  const tags: string[] = [];
  const users: string[] = [];
  const locations: string[] = [];
  const edges: string[] = [];
  for (const e of events) {
    if (e.type === 'post.published' || e.type === 'post.updated') {
      for (const t of ctx.hashtags(e.post.caption)) tags.push(t.key);
    }
    if (e.type === 'post.published') {
      if (ctx.mayHaveMedia(e.post.id)) media.push(e.post.id);
      users.push(e.post.authorId);
      if (e.post.locationId) locations.push(e.post.locationId);
    } else if (e.type === 'post.updated') {
      if (ctx.mayHaveMedia(e.post.id)) media.push(e.post.id);
    } else if (e.type === 'post.deleted') {
      if (ctx.mayHaveMedia(e.postId)) media.push(e.postId);
    } else if (e.type === 'user.upserted') users.push(e.user.id);
    else if (e.type === 'location.upserted') locations.push(e.location.id);
    else {
      users.push(e.followerId, e.followeeId);
      edges.push(followEdge(e));
    }
  }
  await Promise.all([
    state.prefetch(
      KV.eventIds,
      events.flatMap((e) => (dedupedByRecord(e) ? [] : [e.eventId])),
    ),
    state.prefetch(KV.media, media),
    state.prefetch(KV.users, users),
    state.prefetch(KV.locations, locations),
    state.prefetch(KV.hashtagNames, tags),
    state.prefetch(KV.follows, edges),
  ]);
}

/**
 * Loads the reads that depend on stored records, such as a deleted post's
 * author; undefined when everything is loaded already (the usual case).
 */
export function loadDependentReads(ctx: ApplyContext, e: UploadEvent): Promise<unknown> | undefined {
  if (e.type !== 'post.deleted') return undefined;
  const { state } = ctx;
  const rec = ctx.media(e.postId);
  if (!rec || rec.deleted) return undefined;
  const { authorId, locationId } = rec.doc;
  const loads: Promise<void>[] = [];
  if (!state.loaded(KV.users, authorId)) loads.push(state.prefetch(KV.users, [authorId]));
  if (locationId !== null && !state.loaded(KV.locations, locationId)) {
    loads.push(state.prefetch(KV.locations, [locationId]));
  }
  return loads.length === 0 ? undefined : Promise.all(loads);
}
