import type { IndexerPipeline } from '../../indexer/indexer-pipeline';
import type { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import type { MetricSources } from '../api/api-metrics';

/** /metrics figures for whatever parts of the write path run in this process. */
export function pipelineMetricSources(
  pipeline: IndexerPipeline | undefined,
  follower: BitmapFollower | undefined,
): Pick<MetricSources, 'lag' | 'flushes'> {
  return {
    lag: async () => {
      const out: Record<string, number> = {};
      if (pipeline?.index) {
        out.indexer = [...pipeline.index.lagByPartition().values()].reduce((a, b) => a + b, 0);
      }
      if (follower) out.bitmaps = follower.lag;
      return out;
    },
    flushes: () => {
      const out: Record<
        string,
        { flushes: number; events: number; kvWrites: number; lastDurationMs: number }
      > = {};
      for (const [name, c] of [
        ['counter', pipeline?.counter],
        ['trending', pipeline?.trending],
      ] as const) {
        if (!c) continue;
        const m = c.metrics();
        out[name] = {
          flushes: m.flushes,
          events: m.events,
          kvWrites: m.kvWrites,
          lastDurationMs: m.lastFlush?.durationMs ?? 0,
        };
      }
      return out;
    },
  };
}
