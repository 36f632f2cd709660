import { Router } from 'express';
import { AppError } from '../../../platform/errors';
import type { ApiMetrics } from '../api-metrics';

/** Liveness, readiness (the index has caught up with the log, once) and Prometheus metrics. */
export function healthRoutes(deps: { ready: () => Promise<boolean>; metrics: ApiMetrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (!(await deps.ready())) {
      throw new AppError('NOT_READY', 'the index has not caught up with the log yet', { retriable: true });
    }
    res.json({ status: 'ready' });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
