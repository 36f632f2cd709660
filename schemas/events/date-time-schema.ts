import { z } from 'zod';

const REASON = 'must be an ISO-8601 date-time with seconds and an offset or Z, e.g. 2026-01-01T00:00:00Z';

/** Timestamps must carry a zone so that events from different producers order correctly. */
export const dateTimeSchema = z.iso.datetime({
  offset: true,
  error: (iss) => (iss.input === undefined ? undefined : REASON),
});
