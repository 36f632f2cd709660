import { Router } from 'express';
import type { MediaSearch } from '../../search/media-search';
import type { Typeahead } from '../../search/typeahead';
import { mediaAstBodySchema, mediaQuerySchema, parseRequest, searchQuerySchema } from '../request-schemas';
import { timed } from '../request-timing';

/** The search box (`/v1/search`) and set-operation search over media (`/v1/media`). */
export function searchRoutes(deps: { typeahead: Typeahead; media: MediaSearch }): Router {
  const router = Router();

  router.get('/v1/search', async (req, res) => {
    const query = parseRequest(searchQuerySchema, req.query, 'query');
    res.json(await timed(res.locals, 'suggest', () => deps.typeahead.suggest(query)));
  });

  router.get('/v1/media', async (req, res) => {
    const query = parseRequest(mediaQuerySchema, req.query, 'query');
    res.json(await timed(res.locals, 'search', () => deps.media.search(query)));
  });

  router.post('/v1/media/query', async (req, res) => {
    const body = parseRequest(mediaAstBodySchema, req.body ?? {}, 'body');
    const { query: ast, ...rest } = body;
    res.json(await timed(res.locals, 'search', () => deps.media.search({ ...rest, ast })));
  });
  return router;
}
