import type { ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
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

interface Tracked {
  started: number;
  /** Fixed label of a response sent outside Express; otherwise read from the matched route. */
  route: string | undefined;
  timings: Timings | undefined;
  warned: boolean;
}

/**
 * Latency histograms per route, and Dogslow-style slow-request logs: a
 * warning while a request is still running past the threshold, and the
 * phase timings once it finishes. One sweep timer watches every request in
 * flight, and one shared `close` listener finishes them; a timer or a
 * closure per request would cost more than the fast routes themselves.
 */
export class RequestTiming {
  private readonly inFlight = new Map<ServerResponse, Tracked>();
  private readonly onClose: (this: ServerResponse) => void;

  constructor(
    private readonly metrics: ApiMetrics,
    private readonly logger: Logger,
    private readonly slowMs = 1000,
  ) {
    const sweep = setInterval(() => this.sweep(), Math.max(50, Math.min(1000, slowMs / 4)));
    sweep.unref();
    const finish = (res: ServerResponse) => this.finish(res);
    // Emitters call listeners with the emitter as `this`: one function serves every response.
    this.onClose = function onClose(this: ServerResponse) {
      finish(this);
    };
  }

  /**
   * Times `res` from `started` until it closes. Express responses are
   * labelled by the route pattern they matched; `route` labels one sent
   * outside Express.
   */
  track(res: ServerResponse, started: number, route?: string, timings?: Timings): void {
    this.inFlight.set(res, { started, route, timings, warned: false });
    res.on('close', this.onClose);
  }

  private finish(res: ServerResponse): void {
    const tracked = this.inFlight.get(res);
    if (tracked === undefined) return;
    this.inFlight.delete(res);
    const ms = performance.now() - tracked.started;
    const req = res.req as Request;
    // Matched route pattern, not the raw path, so label cardinality stays bounded.
    const route =
      tracked.route ?? (req.route?.path ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched');
    this.metrics.requestSeconds.observe(
      { method: req.method, route, status: String(res.statusCode) },
      ms / 1000,
    );
    if (ms >= this.slowMs) {
      this.logger.warn(
        {
          method: req.method,
          url: req.originalUrl ?? req.url,
          route,
          status: res.statusCode,
          totalMs: Math.round(ms),
          timings: tracked.timings ?? (res as Response).locals?.timings,
        },
        'slow request',
      );
    }
  }

  private sweep(): void {
    const now = performance.now();
    for (const [res, tracked] of this.inFlight) {
      // Once per request is enough while it runs; the finish line carries the timings.
      if (tracked.warned || now - tracked.started < this.slowMs) continue;
      const req = res.req as Request;
      this.logger.warn(
        { method: req.method, url: req.originalUrl ?? req.url, elapsedMs: Math.round(now - tracked.started) },
        'request still running',
      );
      tracked.warned = true;
    }
  }
}
