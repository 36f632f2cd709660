import type { EventLog } from '../../platform/ports/event-log';
import { TOPICS } from '../topics';
import type { DeadLetter } from './dead-letter';

export interface ListedDeadLetter extends DeadLetter {
  /** Offset of the dead letter itself in the dead-letter topic. */
  deadLetterOffset: number;
}

/** Reads every dead letter from `fromOffset` up to the topic's end as it is now. */
export async function listDeadLetters(log: EventLog, fromOffset = 0): Promise<ListedDeadLetter[]> {
  const [end] = await log.endOffsets(TOPICS.deadLetters);
  const target = end?.offset ?? 0;
  if (target <= fromOffset) return [];
  const out: ListedDeadLetter[] = [];
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const consumer = log.consumer({
    groupId: `dead-letter-reader-${process.pid}-${Date.now()}`,
    topics: [TOPICS.deadLetters],
  });
  await consumer.run({
    startOffset: async () => fromOffset,
    eachBatch: async (batch) => {
      for (const r of batch.records) {
        if (r.offset >= target) continue;
        out.push({ ...(JSON.parse(r.value.toString('utf8')) as DeadLetter), deadLetterOffset: r.offset });
        if (r.offset === target - 1) done();
      }
    },
  });
  await finished;
  await consumer.stop();
  return out;
}

/** Puts dead letters back on the topic they came from, with their original key and bytes. */
export async function replayDeadLetters(log: EventLog, letters: DeadLetter[]): Promise<number> {
  const byTopic = new Map<string, DeadLetter[]>();
  for (const d of letters) byTopic.set(d.topic, [...(byTopic.get(d.topic) ?? []), d]);
  for (const [topic, list] of byTopic) {
    await log.produce(
      topic,
      list.map((d) => ({ key: d.key, value: Buffer.from(d.value, 'base64') })),
    );
  }
  return letters.length;
}
