import type { EventLog } from '../platform/ports/event-log';
import type { KvStore } from '../platform/ports/kv-store';
import { checkpointKey, KV } from './kv-tables';

/** True when the consumer's stored checkpoints cover every record now in the topic. */
export async function checkpointsReached(
  log: EventLog,
  kv: KvStore,
  consumer: string,
  topic: string,
): Promise<boolean> {
  const ends = await log.endOffsets(topic);
  const stored = await kv.getMany<number>(
    KV.checkpoints,
    ends.map((e) => checkpointKey(consumer, topic, e.partition)),
  );
  return ends.every((e, i) => (stored[i] ?? 0) >= e.offset);
}
