import { performance } from 'node:perf_hooks';
import { deltaSeq } from '../../../indexer/hashtag-delta';
import { decodeHashtagDelta, hashtagDeltaRecord } from '../../../indexer/hashtag-delta-codec';
import { extractHashtags } from '../../../indexer/hashtags/extract-hashtags';
import { defaultPartitions, TOPICS } from '../../../indexer/topics';
import type { EventLog } from '../../../platform/ports/event-log';
import { decodeEvent } from '../../../schemas/events';
import { consumeAll } from './consume-all';

/** Its own topic, so the floor reads back its own deltas and none of the pipeline's. */
const FLOOR_TOPIC = 'BENCH_FLOOR_POST_HASHTAG';

export interface LogFloor {
  /** Read and validate the uploads, extract hashtags, produce one delta per tag. */
  repartitionSeconds: number;
  /** Read and decode every delta, once per consumer group that reads POST_HASHTAG. */
  deltaReadSeconds: number[];
  deltas: number;
}

/**
 * The log traffic the pipeline's topology implies, with no state at all: no
 * documents, postings, counts or trends. Its CPU time bounds the pipeline
 * from below, whatever the state layout, so posts / (seconds / 2) is a
 * ceiling for two cores even if the work split between them perfectly.
 * Batch sizes are the consumers' defaults (index 5000, counters 1000).
 */
export async function measureLogFloor(
  log: EventLog,
  uploads: number,
  deltaReaders: string[],
): Promise<LogFloor> {
  await log.ensureTopic(FLOOR_TOPIC, { partitions: defaultPartitions.postHashtag });
  let deltas = 0;
  let started = performance.now();
  await consumeAll(log, {
    groupId: 'bench-floor-repartition',
    topic: TOPICS.postPublish,
    total: uploads,
    maxBatchSize: 5000,
    eachRecord: (r) => {
      const event = decodeEvent(r.value);
      if (event.type !== 'post.published') return;
      const at = Date.parse(event.occurredAt);
      return extractHashtags(event.post.caption).map((t, i) =>
        hashtagDeltaRecord({
          tag: t.key,
          postId: event.post.id,
          delta: 1,
          source: r.partition,
          seq: deltaSeq(r.offset, i),
          at,
          display: t.display,
        }),
      );
    },
    afterBatch: async (out) => {
      deltas += out.length;
      if (out.length > 0) await log.produce(FLOOR_TOPIC, out);
    },
  });
  const repartitionSeconds = (performance.now() - started) / 1000;
  const deltaReadSeconds: number[] = [];
  for (const reader of deltaReaders) {
    started = performance.now();
    await consumeAll(log, {
      groupId: `bench-floor-${reader}`,
      topic: FLOOR_TOPIC,
      total: deltas,
      maxBatchSize: 1000,
      eachRecord: (r) => void decodeHashtagDelta(r),
    });
    deltaReadSeconds.push((performance.now() - started) / 1000);
  }
  return { repartitionSeconds, deltaReadSeconds, deltas };
}
