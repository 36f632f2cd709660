import type { Request, RequestHandler } from 'express';
import type { Logger } from '../../platform/logger';
import type { ApiMetrics } from './api-metrics';

/** Phases a handler times, reported with slow requests. */
export type Timings = Record<string, number>;

/** Adds the elapsed milliseconds of `fn` to `res.locals.timings[name]`. */
export async function timed<T>(
  locals: Record<string, unknown>,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    const timings = (locals.timings ??= {}) as Timings;
    timings[name] = (timings[name] ?? 0) + performance.now() - started;
  }
}

/**
 * Latency histograms per route, and Dogslow-style slow-request logs: a
 * warning while a request is still running past the threshold, and the
 * phase timings once it finishes. One sweep timer watches every request in
 * flight; a timer per request would cost more than the fast routes themselves.
 */
export function requestTiming(metrics: ApiMetrics, logger: Logger, slowMs = 1000): RequestHandler {
  const inFlight = new Map<Request, number>();
  const sweep = setInterval(
    () => {
      const now = performance.now();
      for (const [req, started] of inFlight) {
        if (now - started < slowMs) continue;
        logger.warn(
          { method: req.method, url: req.originalUrl, elapsedMs: Math.round(now - started) },
          'request still running',
        );
        // Once per request is enough while it runs; the finish line carries the timings.
        inFlight.set(req, Infinity);
      }
    },
    Math.max(50, Math.min(1000, slowMs / 4)),
  );
  sweep.unref();
  return (req, res, next) => {
    const started = performance.now();
    inFlight.set(req, started);
    res.on('close', () => {
      inFlight.delete(req);
      const ms = performance.now() - started;
      // Matched route pattern, not the raw path, so label cardinality stays bounded.
      const route = req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      metrics.requestSeconds.observe(
        { method: req.method, route, status: String(res.statusCode) },
        ms / 1000,
      );
      if (ms >= slowMs) {
        logger.warn(
          {
            method: req.method,
            url: req.originalUrl,
            route,
            status: res.statusCode,
            totalMs: Math.round(ms),
            timings: res.locals.timings,
          },
          'slow request',
        );
      }
    });
    next();
  };
}
