import express, { Router } from 'express';
import { eventKey } from '../../../indexer/event-key';
import { TOPICS } from '../../../indexer/topics';
import { ValidationError } from '../../../platform/errors';
import type { EventLog } from '../../../platform/ports/event-log';
import { parseEvents } from '../../../schemas/events';
import type { RequestHandler } from 'express';

export const MAX_EVENTS_PER_REQUEST = 1000;

/**
 * `POST /v1/events`: the post service's publisher. One event or an array of
 * up to 1000, validated all or nothing: a 400 names every failing index and
 * field, and nothing is appended.
 */
export function eventsRoutes(deps: { log: EventLog; admin: RequestHandler }): Router {
  const router = Router();
  router.post('/v1/events', deps.admin, express.json({ limit: '8mb' }), async (req, res) => {
    const body: unknown = req.body;
    if (body === undefined || body === null || typeof body !== 'object') {
      throw new ValidationError('invalid events', [
        {
          field: '',
          reason: 'the body must be a JSON event or an array of events (Content-Type: application/json)',
        },
      ]);
    }
    const batch = Array.isArray(body) ? body : [body];
    if (batch.length === 0 || batch.length > MAX_EVENTS_PER_REQUEST) {
      throw new ValidationError('invalid events', [
        { field: '', reason: `must hold 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${batch.length}` },
      ]);
    }
    const events = parseEvents(batch);
    await deps.log.produce(
      TOPICS.postPublish,
      events.map((e) => ({ key: eventKey(e), value: Buffer.from(JSON.stringify(e)) })),
    );
    res.status(202).json({ accepted: events.length });
  });
  return router;
}
