import { checkpointKey, KV } from '../../indexer/kv-tables';
import { TOPICS } from '../../indexer/topics';
import type { Clock } from '../../platform/clock';
import type { Logger } from '../../platform/logger';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvStore } from '../../platform/ports/kv-store';
import { endOffsets, type Offsets } from './topic-tail';

/** Positions in the three topics a catch-up reads. */
export interface Positions {
  publish: Offsets;
  hashtag: Offsets;
  postings: Offsets;
}

export async function storedCheckpoints(
  kv: KvStore,
  consumer: string,
  topic: string,
  partitions: readonly number[],
): Promise<Offsets> {
  const values = await kv.getMany<number>(
    KV.checkpoints,
    partitions.map((p) => checkpointKey(consumer, topic, p)),
  );
  return Object.fromEntries(partitions.map((p, i) => [p, values[i] ?? 0]));
}

const covers = (have: Offsets, want: Offsets) =>
  Object.entries(want).every(([p, o]) => (have[Number(p)] ?? 0) >= o);
const lower = (a: Offsets, b: Offsets): Offsets =>
  Object.fromEntries(Object.entries(a).map(([p, o]) => [p, Math.min(o, b[Number(p)] ?? 0)]));

export interface CoveredOptions {
  clock: Clock;
  signal?: AbortSignal;
  logger?: Logger;
  /** Stop waiting when the live consumers make no progress for this long; default 30 s. */
  stallMs?: number;
}

/**
 * A position whose effects are all in the KV store: the topics' ends, read
 * now, once the live indexer and counter have stored checkpoints covering
 * them. POSTINGS is read first, so every index batch that is not covered
 * yet publishes its posting changes after that position. If the live
 * consumers stall (stopped, or stuck), the position is cut back to what they
 * stored: they will apply the rest through the alias when they resume.
 */
export async function coveredPositions(
  log: EventLog,
  kv: KvStore,
  options: CoveredOptions,
): Promise<{ positions: Positions; stalled: boolean }> {
  const postings = await endOffsets(log, TOPICS.postings);
  const publish = await endOffsets(log, TOPICS.postPublish);
  const hashtag = await endOffsets(log, TOPICS.postHashtag);
  const read = async () => ({
    publish: await storedCheckpoints(kv, 'indexer', TOPICS.postPublish, Object.keys(publish).map(Number)),
    hashtag: await storedCheckpoints(kv, 'counter', TOPICS.postHashtag, Object.keys(hashtag).map(Number)),
  });
  const stallMs = options.stallMs ?? 30_000;
  let seen = await read();
  let lastProgress = options.clock.now();
  while (!(covers(seen.publish, publish) && covers(seen.hashtag, hashtag))) {
    if (options.signal?.aborted || options.clock.now() - lastProgress > stallMs) {
      options.logger?.warn(
        { publish, hashtag, stored: seen },
        'live consumers made no progress; not waiting for them',
      );
      return {
        positions: { publish: lower(publish, seen.publish), hashtag: lower(hashtag, seen.hashtag), postings },
        stalled: true,
      };
    }
    await options.clock.sleep(25);
    const now = await read();
    if (JSON.stringify(now) !== JSON.stringify(seen)) lastProgress = options.clock.now();
    seen = now;
  }
  return { positions: { publish, hashtag, postings }, stalled: false };
}
