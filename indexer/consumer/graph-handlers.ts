import type {
  FollowAddedEvent,
  FollowRemovedEvent,
  LocationUpsertedEvent,
  UserUpsertedEvent,
} from '../../schemas/events';
import type { FollowRecord, LocationRecord, MediaRecord, UserRecord } from '../documents/records';
import { KV, usernameKey } from '../kv-tables';
import type { ApplyContext } from './apply-context';
import type { Outcome } from './post-handlers';

/** The follows-table key of an edge. */
export function followEdge(e: { followerId: string; followeeId: string }): string {
  return `${e.followerId}:${e.followeeId}`;
}

/** Live media records under `<ownerId>:` in an index table such as author_media. */
async function mediaOf(
  ctx: ApplyContext,
  table: string,
  ownerId: string,
): Promise<Extract<MediaRecord, { deleted: false }>[]> {
  const keys = await ctx.state.keysWithPrefix(table, `${ownerId}:`);
  const ids = keys.map((k) => k.slice(ownerId.length + 1));
  await ctx.state.prefetch(KV.media, ids);
  const out: Extract<MediaRecord, { deleted: false }>[] = [];
  for (const id of ids) {
    const rec = await ctx.state.get<MediaRecord>(KV.media, id);
    if (rec && !rec.deleted) out.push(rec);
  }
  return out;
}

export async function onUserUpserted(ctx: ApplyContext, e: UserUpsertedEvent): Promise<Outcome> {
  const before = ctx.user(e.user.id);
  if (before.at >= ctx.position.offset) return 'ignored';
  const after: UserRecord = { ...before, ...e.user, known: true, at: ctx.position.offset };
  const renamed = !before.known || before.username !== after.username;
  const privacyChanged = before.isPrivate !== after.isPrivate;
  if (before.known && !renamed && !privacyChanged && before.fullName === after.fullName) return 'ignored';
  ctx.state.put(KV.users, after.id, after);
  if (renamed) {
    // Only drop the old name if it still points here: another user may have taken it since.
    if (
      before.known &&
      (await ctx.state.get<string>(KV.usernames, usernameKey(before.username))) === after.id
    ) {
      ctx.state.delete(KV.usernames, usernameKey(before.username));
    }
    ctx.state.put(KV.usernames, usernameKey(after.username), after.id);
  }
  if (!before.known) ctx.add({ kind: 'users' }, ctx.ids.assign('user', after.id));
  // mediaCount counts the author's live posts, so a user without any has nothing to rewrite.
  if ((renamed || privacyChanged) && before.mediaCount > 0) {
    for (const rec of await mediaOf(ctx, KV.authorMedia, after.id)) {
      if (renamed)
        ctx.state.put(KV.media, rec.id, { ...rec, doc: { ...rec.doc, authorUsername: after.username } });
      if (privacyChanged) {
        if (after.isPrivate) ctx.remove({ kind: 'public' }, rec.dense);
        else ctx.add({ kind: 'public' }, rec.dense);
      }
    }
  }
  return 'applied';
}

export function onFollowAdded(ctx: ApplyContext, e: FollowAddedEvent): Outcome {
  const edge = followEdge(e);
  const rec = ctx.state.peek<FollowRecord>(KV.follows, edge);
  if (rec && (rec.on || rec.at >= ctx.position.offset)) return 'ignored';
  ctx.state.put(KV.follows, edge, { on: true, at: ctx.position.offset } satisfies FollowRecord);
  changeEdge(ctx, e.followerId, e.followeeId, 1);
  return 'applied';
}

export function onFollowRemoved(ctx: ApplyContext, e: FollowRemovedEvent): Outcome {
  const edge = followEdge(e);
  const rec = ctx.state.peek<FollowRecord>(KV.follows, edge);
  if (rec && rec.at >= ctx.position.offset) return 'ignored';
  // Kept as "off" so that an older add, replayed, cannot bring the edge back.
  ctx.state.put(KV.follows, edge, { on: false, at: ctx.position.offset } satisfies FollowRecord);
  if (rec?.on) changeEdge(ctx, e.followerId, e.followeeId, -1);
  return 'applied';
}

/** An edge appeared (+1) or went (−1): both users' counters and the two posting lists. */
function changeEdge(ctx: ApplyContext, followerId: string, followeeId: string, change: 1 | -1): void {
  const follower = ctx.user(followerId);
  ctx.state.put(KV.users, follower.id, {
    ...follower,
    followingCount: Math.max(0, follower.followingCount + change),
  });
  const followee = ctx.user(followeeId);
  ctx.state.put(KV.users, followee.id, {
    ...followee,
    followerCount: Math.max(0, followee.followerCount + change),
  });
  const a = ctx.ids.assign('user', followerId);
  const b = ctx.ids.assign('user', followeeId);
  const op = change > 0 ? 'add' : 'remove';
  ctx[op]({ kind: 'follows', id: a }, b);
  ctx[op]({ kind: 'followers', id: b }, a);
}

export async function onLocationUpserted(ctx: ApplyContext, e: LocationUpsertedEvent): Promise<Outcome> {
  const before = ctx.location(e.location.id);
  if (before.at >= ctx.position.offset) return 'ignored';
  const after: LocationRecord = {
    ...before,
    at: ctx.position.offset,
    id: e.location.id,
    name: e.location.name,
    lat: e.location.lat ?? null,
    lon: e.location.lon ?? null,
    known: true,
  };
  if (before.known && before.name === after.name && before.lat === after.lat && before.lon === after.lon)
    return 'ignored';
  ctx.state.put(KV.locations, after.id, after);
  if ((!before.known || before.name !== after.name) && before.mediaCount > 0) {
    for (const rec of await mediaOf(ctx, KV.locationMedia, after.id)) {
      ctx.state.put(KV.media, rec.id, { ...rec, doc: { ...rec.doc, locationName: after.name } });
    }
  }
  return 'applied';
}
