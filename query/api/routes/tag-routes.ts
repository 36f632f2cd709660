import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import { encodeCuratedTopMessage } from '../../../indexer/top-posts/curated-top-message';
import { TOPICS } from '../../../indexer/topics';
import { NotFoundError } from '../../../platform/errors';
import type { EventLog } from '../../../platform/ports/event-log';
import { HashtagPageReader } from '../../hashtag-page/hashtag-page-reader';
import type { ReadThroughCache } from '../read-through-cache';
import { parseRequest, topPostsBodySchema } from '../request-schemas';
import { timed } from '../request-timing';

/** A page as sent: serialized once, with its strong validator. */
export interface CachedPage {
  body: Buffer | undefined;
  etag: string;
}

export const TAG_PAGE_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=300';
/** The route pattern, also the latency histogram's label for pages served outside Express. */
export const TAG_PAGE_ROUTE = '/v1/tags/:name';

export function cachedPageOf(doc: unknown): CachedPage {
  if (doc === undefined) return { body: undefined, etag: '' };
  const body = Buffer.from(JSON.stringify(doc));
  return { body, etag: `"${createHash('sha1').update(body).digest('base64url')}"` };
}

/** `If-None-Match` holds the tag (or `*`), as a list, possibly weak-prefixed. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

export function tagRoutes(deps: {
  pages: ReadThroughCache<CachedPage>;
  log: EventLog;
  admin: RequestHandler;
}): Router {
  const router = Router();

  router.get(TAG_PAGE_ROUTE, async (req, res) => {
    const tag = HashtagPageReader.keyOf(String(req.params.name));
    const page = await timed(res.locals, 'page', () => deps.pages.get(tag));
    if (page.body === undefined) throw new NotFoundError('tag', tag);
    res.set('Cache-Control', TAG_PAGE_CACHE_CONTROL);
    res.set('ETag', page.etag);
    if (matchesEtag(req.get('if-none-match'), page.etag)) {
      res.status(304).end();
      return;
    }
    res.type('application/json').send(page.body);
  });

  // The ranking team's list goes through HASHTAG_TOP like any other producer's, so it is hydrated and ordered once.
  router.put('/v1/tags/:name/top', deps.admin, async (req, res) => {
    const tag = HashtagPageReader.keyOf(String(req.params.name));
    const { postIds } = parseRequest(topPostsBodySchema, req.body ?? {}, 'body');
    await deps.log.produce(TOPICS.hashtagTop, [
      { key: tag, value: encodeCuratedTopMessage({ tag, postIds }) },
    ]);
    res.status(202).json({ tag, accepted: postIds.length });
  });
  return router;
}
