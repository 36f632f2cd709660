/**
 * Readiness that turns true once and stays true. After the first catch-up,
 * lag is reported in /metrics instead: a probe that failed whenever new
 * writes were not yet flushed would take a busy process out of rotation.
 */
export function latchReady(caughtUp: () => Promise<boolean>): () => Promise<boolean> {
  let ready = false;
  return async () => (ready ||= await caughtUp());
}
