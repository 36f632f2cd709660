import { AppError } from '../../platform/errors';
import type { EventLog, LogConsumer, LogRecord } from '../../platform/ports/event-log';

/** Offsets by partition. JSON-friendly, for checkpoints. */
export type Offsets = Record<number, number>;

export const toOffsets = (tps: readonly { partition: number; offset: number }[]): Offsets =>
  Object.fromEntries(tps.map((tp) => [tp.partition, tp.offset]));

export async function endOffsets(log: EventLog, topic: string): Promise<Offsets> {
  return toOffsets(await log.endOffsets(topic));
}

/**
 * A private reader of one topic from given offsets: it buffers what it reads,
 * and `take(to)` hands over, in offset order per partition, every record
 * below `to` once the reader has got that far. One consumer serves many
 * windows, because joining a Kafka group costs seconds.
 */
export class TopicTail {
  private readonly buffered = new Map<number, LogRecord[]>();
  private readonly next = new Map<number, number>();
  private failure: unknown;

  private constructor(
    readonly topic: string,
    private readonly consumer: LogConsumer,
  ) {}

  static async start(log: EventLog, topic: string, groupId: string, from: Offsets): Promise<TopicTail> {
    const consumer = log.consumer({ groupId, topics: [topic], maxBatchSize: 1000 });
    const tail = new TopicTail(topic, consumer);
    for (const [p, o] of Object.entries(from)) tail.next.set(Number(p), o);
    await consumer.run({
      startOffset: async (tp) => tail.next.get(tp.partition) ?? 0,
      eachBatch: async (batch) => {
        const list = tail.buffered.get(batch.partition) ?? [];
        let next = tail.next.get(batch.partition) ?? 0;
        for (const r of batch.records) {
          if (r.offset < next) continue;
          list.push(r);
          next = r.offset + 1;
        }
        tail.buffered.set(batch.partition, list);
        tail.next.set(batch.partition, next);
      },
    });
    return tail;
  }

  /** Records below `to` (per partition) not taken yet; waits until the reader reaches `to`. */
  async take(
    to: Offsets,
    options: { signal?: AbortSignal; timeoutMs?: number; sleep: (ms: number) => Promise<void> },
  ): Promise<LogRecord[]> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const reached = () => Object.entries(to).every(([p, o]) => (this.next.get(Number(p)) ?? 0) >= o);
    while (!reached()) {
      if (this.failure) throw this.failure;
      if (options.signal?.aborted) {
        throw new AppError('INTERRUPTED', 'interrupted; run the same command again to resume');
      }
      if (Date.now() > deadline) {
        throw new AppError(
          'TAIL_TIMEOUT',
          `reading ${this.topic} did not reach ${JSON.stringify(to)} in time`,
          {
            retriable: true,
          },
        );
      }
      await options.sleep(20);
    }
    const out: LogRecord[] = [];
    for (const [p, o] of Object.entries(to)) {
      const list = this.buffered.get(Number(p)) ?? [];
      let i = 0;
      while (i < list.length && list[i]!.offset < o) i++;
      // A loop, not push(...x): a window can hold millions of records.
      for (const r of list.splice(0, i)) out.push(r);
    }
    return out;
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }
}
