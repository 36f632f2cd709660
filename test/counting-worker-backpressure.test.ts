import { CountingWorker } from '../indexer/counting';
import type { EventLog } from '../platform/ports/event-log';
import { seededRandom } from '../platform/seeded-random';
import { ControlledKv } from './support/controlled-kv-store';
import type { CounterDirs } from './support/counting-worker-fixtures';
import {
  PARTITIONS,
  checkpointsCoverLog,
  durableOffset,
  expectCounts,
  generateStream,
  oracle,
  produce,
  useCounterDirs,
} from './support/counting-worker-fixtures';
import { interceptConsumers } from './support/intercept-consumers';
import { ManualClock } from './support/manual-clock';
import { pollUntil } from './support/poll';

/** Counts what the log hands to eachBatch, per partition, independently of the worker. */
function observedLog(log: EventLog): {
  log: EventLog;
  delivered: (partition?: number) => number;
  inFlight: () => number;
} {
  const delivered = new Array<number>(PARTITIONS).fill(0);
  let inFlight = 0;
  return {
    log: interceptConsumers(log, (handlers) => ({
      ...handlers,
      eachBatch: async (batch) => {
        delivered[batch.partition] += batch.records.length;
        inFlight++;
        try {
          await handlers.eachBatch(batch);
        } finally {
          inFlight--;
        }
      },
    })),
    delivered: (partition) =>
      partition === undefined ? delivered.reduce((a, b) => a + b, 0) : delivered[partition],
    inFlight: () => inFlight,
  };
}

describe('CountingWorker', () => {
  let dirs: CounterDirs;
  useCounterDirs((d) => (dirs = d));

  it('applies backpressure: a slow flush stalls consumption at two buffers per partition', async () => {
    const flushEvents = 20;
    const { log: realLog, store } = await dirs.open();
    const observed = observedLog(realLog);
    const kv = new ControlledKv(store);
    kv.hold = true;
    const clock = new ManualClock();
    const stream = generateStream(seededRandom(7), 150, 0);
    const worker = new CountingWorker({ log: observed.log, kv, clock, flushEvents, flushIntervalMs: 1000 });
    let samples = 0;
    let mostAhead = 0;
    try {
      await produce(realLog, stream.unique);
      await worker.start();
      for (;;) {
        let done = false;
        await pollUntil(async () => {
          done = await checkpointsCoverLog(realLog, store);
          if (kv.heldBatches === 0) clock.advance(1000);
          const stalled = observed.inFlight() > 0 || observed.delivered() === stream.unique.length;
          return done || (kv.heldBatches > 0 && stalled);
        }, 'the worker to block on the held flush');
        if (done) break;
        for (let p = 0; p < PARTITIONS; p++) {
          const ahead = observed.delivered(p) - (await durableOffset(store, p));
          mostAhead = Math.max(mostAhead, ahead);
          // Two buffers of flushEvents plus the batch being handed over.
          expect(ahead).toBeLessThanOrEqual(3 * flushEvents);
        }
        expect(worker.metrics().bufferedEvents).toBeLessThanOrEqual(2 * flushEvents * PARTITIONS);
        samples++;
        kv.releaseOne();
      }
      expect(samples).toBeGreaterThanOrEqual(10);
      // Consumption went on into the new buffer while the old one was being written.
      expect(mostAhead).toBeGreaterThanOrEqual(2 * flushEvents);
      expect(worker.metrics().maxBufferedEvents).toBeLessThanOrEqual(2 * flushEvents * PARTITIONS);
      await expectCounts(store, oracle(stream.unique));
    } finally {
      kv.hold = false;
      while (kv.heldBatches > 0) kv.releaseOne();
      await worker.stop();
      await realLog.close();
      await store.close();
    }
  });
});
