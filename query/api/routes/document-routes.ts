import { Router } from 'express';
import type { LocationDoc, MediaDoc, UserDoc } from '../../../indexer/documents/document-types';
import type {
  FollowRecord,
  HashtagNameRecord,
  LocationRecord,
  MediaRecord,
  UserRecord,
} from '../../../indexer/documents/records';
import { KV } from '../../../indexer/kv-tables';
import type { TrendRanker } from '../../../indexer/trending/trend-ranker';
import { NotFoundError } from '../../../platform/errors';
import type { KvStore } from '../../../platform/ports/kv-store';
import { idParamSchema, parseRequest, trendingQuerySchema, viewerQuerySchema } from '../request-schemas';

/** The denormalized documents by id, and the trending list. */
export function documentRoutes(deps: { kv: KvStore; trending: TrendRanker }): Router {
  const router = Router();
  const { kv } = deps;

  router.get('/v1/users/:id', async (req, res) => {
    const { id } = parseRequest(idParamSchema, req.params, 'path');
    const rec = await kv.get<UserRecord>(KV.users, id);
    // A placeholder (referenced, never upserted) has no profile to show.
    if (!rec?.known) throw new NotFoundError('user', id);
    const { known: _known, at: _at, ...doc } = rec;
    res.json(doc satisfies UserDoc);
  });

  router.get('/v1/locations/:id', async (req, res) => {
    const { id } = parseRequest(idParamSchema, req.params, 'path');
    const rec = await kv.get<LocationRecord>(KV.locations, id);
    if (!rec?.known) throw new NotFoundError('location', id);
    const { known: _known, at: _at, ...doc } = rec;
    res.json(doc satisfies LocationDoc);
  });

  router.get('/v1/media/:id', async (req, res) => {
    const { id } = parseRequest(idParamSchema, req.params, 'path');
    const { viewer } = parseRequest(viewerQuerySchema, req.query, 'query');
    const rec = await kv.get<MediaRecord>(KV.media, id);
    if (!rec || rec.deleted || !(await mayView(kv, rec.doc.authorId, viewer))) {
      // Private posts 404 rather than 403, so their existence does not leak.
      throw new NotFoundError('media', id);
    }
    res.json(rec.doc satisfies MediaDoc);
  });

  router.get('/v1/trending', async (req, res) => {
    const { limit } = parseRequest(trendingQuerySchema, req.query, 'query');
    const ranked = await deps.trending.rank(limit);
    const names = await kv.getMany<HashtagNameRecord>(
      KV.hashtagNames,
      ranked.map((t) => t.tag),
    );
    res.json({
      tags: ranked.map((t, i) => ({
        tag: t.tag,
        displayName: names[i]?.displayName ?? t.tag,
        score: t.score,
        count: t.current,
        expected: t.expected,
      })),
    });
  });
  return router;
}

/** A private account's posts are for the author and the author's followers. */
async function mayView(kv: KvStore, authorId: string, viewer: string | undefined): Promise<boolean> {
  const author = await kv.get<UserRecord>(KV.users, authorId);
  if (!author?.isPrivate || viewer === authorId) return true;
  if (viewer === undefined) return false;
  return (await kv.get<FollowRecord>(KV.follows, `${viewer}:${authorId}`))?.on === true;
}
