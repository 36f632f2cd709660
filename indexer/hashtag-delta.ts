import { z } from 'zod';

/**
 * A POST_HASHTAG record: one post gained (+1) or lost (−1) one hashtag.
 * `source` and `seq` identify the upload event it came from: `seq` grows
 * strictly within a source partition, so a consumer that remembers the
 * highest seq it applied per source can drop the duplicates a producer
 * re-sends after a crash. The tag is the record's key (see
 * hashtag-delta-codec.ts for the bytes).
 */
export const hashtagDeltaSchema = z
  .object({
    tag: z.string().min(1),
    postId: z.string().min(1),
    delta: z.union([z.literal(1), z.literal(-1)]),
    /** Source partition of POST_PUBLISH. */
    source: z.number().int().nonnegative(),
    /** sourceOffset × 128 + index of the delta within its event. */
    seq: z.number().int().nonnegative(),
    /** When the upload event occurred, ms since the epoch (trending windows use it). */
    at: z.number().int().nonnegative(),
    /** The spelling in the caption, on +1 deltas: the counter's fallback while the name is not yet stored. */
    display: z.string().min(1).optional(),
  })
  .strict();

export type HashtagDelta = z.infer<typeof hashtagDeltaSchema>;

export const MAX_DELTAS_PER_EVENT = 128;

export function deltaSeq(sourceOffset: number, index: number): number {
  if (index >= MAX_DELTAS_PER_EVENT) throw new RangeError(`at most ${MAX_DELTAS_PER_EVENT} deltas per event`);
  return sourceOffset * MAX_DELTAS_PER_EVENT + index;
}
