import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { normalizeHashtag } from '../../indexer/hashtags/normalize-hashtag';
import type { ReadThroughCache } from './read-through-cache';
import type { RequestTiming } from './request-timing';
import { matchesEtag, TAG_PAGE_CACHE_CONTROL, TAG_PAGE_ROUTE, type CachedPage } from './routes/tag-routes';

export interface TagPageFastPathDeps {
  pages: ReadThroughCache<CachedPage>;
  timing: RequestTiming;
}

const PREFIX = '/v1/tags/';
/**
 * One path segment of plain URL characters. Anything else (a trailing slash,
 * other casing of the prefix, spaces, `#`) is left to Express, whose router
 * and URL parser decide what it means.
 */
const SEGMENT = /^[A-Za-z0-9\-._~!$&'()*+,;=:@%]+$/;
const JSON_TYPE = 'application/json; charset=utf-8';
/** A cached 404 has no body; Express answers it. */
const isPage = (page: CachedPage) => page.body !== undefined;

/**
 * The hashtag page on a cache hit, answered by node:http in front of
 * Express: the router, the body parser and `res.send` cost several times
 * what sending a pre-serialized page does. It answers only a plain
 * `GET /v1/tags/:name` without a body whose page is cached and fresh,
 * 304 when `If-None-Match` matches and 200 otherwise; the bytes,
 * headers, cache statistics and latency histogram are those of the Express
 * route. Everything else (other routes, misses, bad names, 404s, HEAD,
 * unusual URLs) goes to `next`, the Express app.
 */
export function tagPageFastPath(deps: TagPageFastPathDeps, next: RequestListener): RequestListener {
  const { pages, timing } = deps;
  return (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    const tag = req.method === 'GET' ? plainTagRequest(req) : undefined;
    if (tag === undefined) return next(req, res);
    const page = pages.cached(tag, isPage);
    if (page === undefined) return next(req, res);
    timing.track(res, started, TAG_PAGE_ROUTE, { page: performance.now() - started });
    // Express's own freshness check in `res.send` never adds a 304 to the route's: without
    // Last-Modified, If-Modified-Since cannot match, and its If-None-Match test is stricter.
    if (matchesEtag(req.headers['if-none-match'], page.etag)) {
      res.writeHead(304, ['Cache-Control', TAG_PAGE_CACHE_CONTROL, 'ETag', page.etag]);
      res.end();
      return;
    }
    const body = page.body!;
    res.writeHead(200, [
      'Cache-Control',
      TAG_PAGE_CACHE_CONTROL,
      'ETag',
      page.etag,
      'Content-Type',
      JSON_TYPE,
      'Content-Length',
      String(body.length),
    ]);
    res.end(body);
  };
}

/** The canonical tag of a request the fast path may answer, or undefined to leave it to Express. */
function plainTagRequest(req: IncomingMessage): string | undefined {
  const url = req.url ?? '';
  if (!url.startsWith(PREFIX)) return undefined;
  // A body (even an empty one) goes through Express's JSON parser, which may refuse it.
  const { headers } = req;
  if (headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined) return undefined;
  const q = url.indexOf('?', PREFIX.length);
  const segment = url.slice(PREFIX.length, q < 0 ? url.length : q);
  if (!SEGMENT.test(segment)) return undefined;
  let name = segment;
  if (segment.includes('%')) {
    try {
      name = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  const tag = normalizeHashtag(name);
  return tag === '' ? undefined : tag;
}
