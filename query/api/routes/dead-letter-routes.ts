import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { listDeadLetters, replayDeadLetters } from '../../../indexer/dead-letters/dead-letter-queue';
import type { EventLog } from '../../../platform/ports/event-log';
import { parseRequest } from '../request-schemas';

const listQuerySchema = z.object({
  from: z
    .string()
    .regex(/^[0-9]{1,15}$/, 'must be a dead-letter offset')
    .transform(Number)
    .optional(),
});
const replayBodySchema = z
  .object({ offsets: z.array(z.number().int().nonnegative()).min(1).max(10_000) })
  .strict();

/**
 * Admin access to the dead letters: list them with their reasons, and replay
 * chosen ones (by dead-letter offset) onto the topic they came from once the
 * producer or the code is fixed.
 */
export function deadLetterRoutes(deps: { log: EventLog; admin: RequestHandler }): Router {
  const router = Router();
  router.get('/v1/admin/dead-letters', deps.admin, async (req, res) => {
    const { from } = parseRequest(listQuerySchema, req.query, 'query');
    res.json({ deadLetters: await listDeadLetters(deps.log, from ?? 0) });
  });
  router.post('/v1/admin/dead-letters/replay', deps.admin, async (req, res) => {
    const { offsets } = parseRequest(replayBodySchema, req.body ?? {}, 'body');
    const wanted = new Set(offsets);
    const letters = (await listDeadLetters(deps.log, Math.min(...offsets))).filter((d) =>
      wanted.has(d.deadLetterOffset),
    );
    const missing = offsets.filter((o) => !letters.some((d) => d.deadLetterOffset === o));
    res.status(202).json({ replayed: await replayDeadLetters(deps.log, letters), missing });
  });
  return router;
}
