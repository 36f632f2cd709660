import type { EventLog, LogRecord, ProducedRecord } from '../../../platform/ports/event-log';

export interface ConsumeAllOptions {
  groupId: string;
  topic: string;
  /** Records to see before it stops: the topic's whole content. */
  total: number;
  maxBatchSize: number;
  /** Work on one record; whatever it returns is collected for `afterBatch`. */
  eachRecord(record: LogRecord): readonly ProducedRecord[] | void;
  /** Called once per batch with the records collected from it, before the next batch. */
  afterBatch?(out: ProducedRecord[]): Promise<unknown>;
}

/**
 * Reads a topic from offset 0 in one consumer group until `total` records
 * were seen. The first failure ends it: the log would redeliver the batch
 * for ever, and a bench must not hang.
 */
export async function consumeAll(log: EventLog, options: ConsumeAllOptions): Promise<void> {
  let seen = 0;
  let done!: (err?: unknown) => void;
  const finished = new Promise<void>((resolve, reject) => (done = (err) => (err ? reject(err) : resolve())));
  const consumer = log.consumer({
    groupId: options.groupId,
    topics: [options.topic],
    maxBatchSize: options.maxBatchSize,
  });
  await consumer.run({
    startOffset: async () => 0,
    eachBatch: async (batch) => {
      try {
        const out: ProducedRecord[] = [];
        for (const r of batch.records) {
          const produced = options.eachRecord(r);
          if (produced) for (const p of produced) out.push(p);
        }
        if (options.afterBatch) await options.afterBatch(out);
      } catch (err) {
        done(err);
        throw err;
      }
      seen += batch.records.length;
      if (seen >= options.total) done();
    },
  });
  try {
    await finished;
  } finally {
    await consumer.stop();
  }
}
