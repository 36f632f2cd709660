import type { RequestListener } from 'node:http';
import express, { type Express } from 'express';
import { type Clock, systemClock } from '../../platform/clock';
import { silentLogger, type Logger } from '../../platform/logger';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvStore } from '../../platform/ports/kv-store';
import type { SearchIndex } from '../../platform/ports/search-index';
import type { TrendRanker } from '../../indexer/trending/trend-ranker';
import { demoImageRouter } from '../demo/demo-image-router';
import type { PostingIndex } from '../engine/posting-index';
import { QueryEngine } from '../engine/query-engine';
import type { QueryLimits } from '../engine/query-limits';
import { HashtagPageReader } from '../hashtag-page/hashtag-page-reader';
import { MediaSearch } from '../search/media-search';
import { Typeahead } from '../search/typeahead';
import { createWebRouter } from '../web/web-router';
import { requireAdmin } from './admin-auth';
import { ApiMetrics, type MetricSources } from './api-metrics';
import { errorHandler, notFoundHandler } from './error-handler';
import { openApiDocument } from './openapi';
import { ReadThroughCache } from './read-through-cache';
import { RequestTiming } from './request-timing';
import { deadLetterRoutes } from './routes/dead-letter-routes';
import { documentRoutes } from './routes/document-routes';
import { eventsRoutes } from './routes/events-routes';
import { healthRoutes } from './routes/health-routes';
import { searchRoutes } from './routes/search-routes';
import { cachedPageOf, tagRoutes, type CachedPage } from './routes/tag-routes';
import { tagPageFastPath } from './tag-page-fast-path';

export interface ApiAppOptions {
  log: EventLog;
  kv: KvStore;
  search: SearchIndex;
  /** The current bitmap replica. */
  index: () => PostingIndex;
  trending: TrendRanker;
  /** True once the index has caught up with the log. */
  ready: () => Promise<boolean>;
  adminToken?: string;
  logger?: Logger;
  clock?: Clock;
  /** The in-process hashtag-page cache; ttlMs 0 turns it off. */
  tagCache?: { maxEntries?: number; ttlMs?: number };
  queryLimits?: Partial<QueryLimits>;
  /** Lag and flush figures for /metrics. */
  metricSources?: Partial<Pick<MetricSources, 'lag' | 'flushes'>>;
  /** Serve the web page and the demo images (default true). */
  web?: boolean;
  slowRequestMs?: number;
}

export interface ApiApp {
  /** Every route. Serve it with `listenApi` (listen-api.ts) rather than `app.listen`, which is slower. */
  app: Express;
  /** The node:http listener `listenApi` serves: cached hashtag pages directly, everything else through `app`. */
  handler: RequestListener;
  metrics: ApiMetrics;
  tagPages: ReadThroughCache<CachedPage>;
}

/** Wires the v1 API, the web page and the operational routes; every collaborator comes in through `options`. */
export function createApiApp(options: ApiAppOptions): ApiApp {
  const logger = (options.logger ?? silentLogger).child({ component: 'api' });
  const clock = options.clock ?? systemClock;
  const { log, kv, search, index } = options;
  const reader = new HashtagPageReader({ kv, index });
  const tagPages = new ReadThroughCache<CachedPage>({
    maxEntries: options.tagCache?.maxEntries ?? 10_000,
    ttlMs: options.tagCache?.ttlMs ?? 5_000,
    clock,
    load: async (tag) => cachedPageOf(await reader.read(tag)),
  });
  const metrics = new ApiMetrics({
    lag: options.metricSources?.lag ?? (async () => ({})),
    flushes: options.metricSources?.flushes ?? (() => ({})),
    cache: () => tagPages.stats,
  });
  const engine = () => new QueryEngine(index(), { limits: options.queryLimits });
  const admin = requireAdmin(options.adminToken);

  const app = express();
  app.disable('x-powered-by');
  // Routes that need validators set their own strong ETags.
  app.set('etag', false);
  app.set('query parser', 'simple');
  const timing = new RequestTiming(metrics, logger, options.slowRequestMs);
  // Small bodies by default; POST /v1/events parses its large ones itself, after the admin check.
  const parseJson = express.json({
    limit: '64kb',
    type: (req) =>
      !(req.method === 'POST' && req.url === '/v1/events') &&
      /json/.test(String(req.headers['content-type'])),
  });
  // One layer for both: every router layer a request passes costs allocations and a dispatch.
  app.use((req, res, next) => {
    timing.track(res, performance.now());
    // The parser's own first test: a request with neither header has no body, so it would only pass it on.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) next();
    else parseJson(req, res, next);
  });
  // A router none of whose routes match hands the request on through setImmediate, an event-loop
  // turn per router, so the hot routes go first. No two of these routers share a path except
  // search and documents (/v1/media/query), whose order is kept.
  app.use(
    searchRoutes({ typeahead: new Typeahead({ search, index }), media: new MediaSearch({ kv, engine }) }),
  );
  app.use(tagRoutes({ pages: tagPages, log, admin }));
  app.use(healthRoutes({ ready: options.ready, metrics }));
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
  app.use(eventsRoutes({ log, admin }));
  app.use(deadLetterRoutes({ log, admin }));
  app.use(documentRoutes({ kv, trending: options.trending }));
  if (options.web ?? true) {
    app.use(demoImageRouter());
    app.use(createWebRouter());
  }
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  const handler = tagPageFastPath({ pages: tagPages, timing }, app);
  return { app, handler, metrics, tagPages };
}
