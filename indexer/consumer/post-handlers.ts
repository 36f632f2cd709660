import type { PostDeletedEvent, PostPublishedEvent, PostUpdatedEvent } from '../../schemas/events';
import type { MediaDoc } from '../documents/document-types';
import type { HashtagNameRecord, MediaRecord } from '../documents/records';
import { KV } from '../kv-tables';
import type { ApplyContext } from './apply-context';

export type Outcome = 'applied' | 'ignored';

/** Records the first-seen spelling of each new hashtag. */
function rememberNames(ctx: ApplyContext, tags: { key: string; display: string }[]): void {
  for (const t of tags) {
    if (!ctx.state.peek<HashtagNameRecord>(KV.hashtagNames, t.key)) {
      ctx.state.put(KV.hashtagNames, t.key, {
        tag: t.key,
        displayName: t.display,
      } satisfies HashtagNameRecord);
    }
  }
}

export function onPostPublished(ctx: ApplyContext, e: PostPublishedEvent): Outcome {
  const { post } = e;
  // Already indexed, or deleted first: a delete that arrived before its publish wins.
  if (ctx.media(post.id)) return 'ignored';
  const author = ctx.user(post.authorId);
  const location = post.locationId === undefined ? undefined : ctx.location(post.locationId);
  const tags = ctx.hashtags(post.caption);
  rememberNames(ctx, tags);

  const dense = ctx.ids.assign('media', post.id);
  const authorDense = ctx.ids.assign('user', post.authorId);
  const doc: MediaDoc = {
    id: post.id,
    authorId: post.authorId,
    authorUsername: author.known ? author.username : null,
    caption: post.caption,
    imageUrl: post.imageUrl,
    tags: tags.map((t) => t.key),
    locationId: post.locationId ?? null,
    locationName: location?.known ? location.name : null,
    createdAt: post.createdAt,
  };
  ctx.state.put(KV.media, post.id, {
    id: post.id,
    deleted: false,
    dense,
    at: ctx.position.offset,
    doc,
  } satisfies MediaRecord);
  ctx.state.put(KV.authorMedia, `${post.authorId}:${post.id}`, 1);
  ctx.state.put(KV.users, author.id, { ...author, mediaCount: author.mediaCount + 1 });

  for (const t of tags) {
    ctx.add({ kind: 'tag', tag: t.key }, dense);
    ctx.delta(t.key, post.id, 1, t.display);
  }
  ctx.add({ kind: 'author', id: authorDense }, dense);
  if (location) {
    ctx.add({ kind: 'loc', id: ctx.ids.assign('location', location.id) }, dense);
    ctx.state.put(KV.locationMedia, `${location.id}:${post.id}`, 1);
    ctx.state.put(KV.locations, location.id, { ...location, mediaCount: location.mediaCount + 1 });
  }
  ctx.add({ kind: 'live' }, dense);
  if (!author.isPrivate) ctx.add({ kind: 'public' }, dense);
  return 'applied';
}

export function onPostUpdated(ctx: ApplyContext, e: PostUpdatedEvent): Outcome {
  const rec = ctx.media(e.post.id);
  // An edit of a post we never saw (or already deleted) has nothing to change.
  if (!rec || rec.deleted || rec.at >= ctx.position.offset) return 'ignored';
  const tags = ctx.hashtags(e.post.caption);
  const next = tags.map((t) => t.key);
  if (rec.doc.caption === e.post.caption) return 'ignored';
  rememberNames(ctx, tags);
  const removed = rec.doc.tags.filter((t) => !next.includes(t));
  const added = next.filter((t) => !rec.doc.tags.includes(t));
  for (const tag of removed) {
    ctx.remove({ kind: 'tag', tag }, rec.dense);
    ctx.delta(tag, rec.id, -1);
  }
  for (const tag of added) {
    ctx.add({ kind: 'tag', tag }, rec.dense);
    ctx.delta(tag, rec.id, 1, tags.find((t) => t.key === tag)?.display);
  }
  ctx.state.put(KV.media, rec.id, {
    ...rec,
    doc: { ...rec.doc, caption: e.post.caption, tags: next },
  } satisfies MediaRecord);
  return 'applied';
}

export function onPostDeleted(ctx: ApplyContext, e: PostDeletedEvent): Outcome {
  const rec = ctx.media(e.postId);
  if (rec?.deleted) return 'ignored';
  const tombstone: MediaRecord = { id: e.postId, deleted: true, deletedAt: e.occurredAt };
  if (!rec) {
    // Deleted before published: a tombstone, so the late publish is ignored,
    // and a dense id, so it is read (see ApplyContext.mayHaveMedia).
    ctx.ids.assign('media', e.postId);
    ctx.state.put(KV.media, e.postId, tombstone);
    return 'applied';
  }
  const { doc, dense } = rec;
  for (const tag of doc.tags) {
    ctx.remove({ kind: 'tag', tag }, dense);
    ctx.delta(tag, doc.id, -1);
  }
  const author = ctx.user(doc.authorId);
  ctx.remove({ kind: 'author', id: ctx.ids.assign('user', doc.authorId) }, dense);
  ctx.state.put(KV.users, author.id, { ...author, mediaCount: Math.max(0, author.mediaCount - 1) });
  ctx.state.delete(KV.authorMedia, `${doc.authorId}:${doc.id}`);
  if (doc.locationId !== null) {
    const location = ctx.location(doc.locationId);
    ctx.remove({ kind: 'loc', id: ctx.ids.assign('location', doc.locationId) }, dense);
    ctx.state.put(KV.locations, location.id, {
      ...location,
      mediaCount: Math.max(0, location.mediaCount - 1),
    });
    ctx.state.delete(KV.locationMedia, `${doc.locationId}:${doc.id}`);
  }
  ctx.remove({ kind: 'live' }, dense);
  ctx.remove({ kind: 'public' }, dense);
  ctx.state.put(KV.media, doc.id, tombstone);
  return 'applied';
}
