import { partitionForKey } from '../../platform/partition-for-key';
import type {
  ConsumerHandlers,
  EventLog,
  LogConsumer,
  LogRecord,
  ProducedRecord,
  RecordBatch,
  TopicPartition,
  TopicPartitionOffset,
} from '../../platform/ports/event-log';
import { pollUntil } from '../support/poll';

export interface EventLogFixture {
  log: EventLog;
  cleanup(): Promise<void>;
}

const PARTITIONS = 3;

function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Polls until `condition` holds; fails after `timeoutMs` instead of hanging. */
function records(prefix: string, count: number, from = 0): ProducedRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}-key-${(from + i) % 7}`,
    value: Buffer.from(`${prefix}-value-${from + i}`),
  }));
}

function byTp(a: TopicPartition, b: TopicPartition): number {
  return a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1;
}

function allPartitions(topic: string): TopicPartition[] {
  return Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }));
}

/** Brute force: first offset per partition with timestamp >= `timestamp`, else the end offset. */
function expectedOffsetsForTimestamp(
  produced: { at: TopicPartitionOffset; timestamp: number }[],
  ends: TopicPartitionOffset[],
  timestamp: number,
): number[] {
  return ends.map(({ partition, offset: end }) => {
    const candidates = produced
      .filter((p) => p.at.partition === partition && p.timestamp >= timestamp)
      .map((p) => p.at.offset);
    return candidates.length === 0 ? end : Math.min(...candidates);
  });
}

/**
 * Behaviour every EventLog must have, exercised through the port only, so
 * the same suite can run against the embedded log and against Kafka.
 */
export function eventLogContract(name: string, factory: () => Promise<EventLogFixture>): void {
  describe(`EventLog contract: ${name}`, () => {
    let fixture: EventLogFixture;
    let log: EventLog;
    let topic: string;
    let consumers: LogConsumer[];

    beforeEach(async () => {
      fixture = await factory();
      log = fixture.log;
      topic = uniqueName('t');
      consumers = [];
      await log.ensureTopic(topic, { partitions: PARTITIONS });
    });

    afterEach(async () => {
      for (const consumer of consumers) await consumer.stop();
      await fixture.cleanup();
    });

    /** Starts a consumer that records every batch; stop it with `consumer.stop()`. */
    async function startCollecting(
      groupId: string,
      overrides: Partial<ConsumerHandlers> = {},
      maxBatchSize?: number,
    ): Promise<{
      consumer: LogConsumer;
      received: LogRecord[];
      batches: RecordBatch[];
      maxInFlight: () => number;
    }> {
      const consumer = log.consumer({ groupId, topics: [topic], maxBatchSize });
      consumers.push(consumer);
      const received: LogRecord[] = [];
      const batches: RecordBatch[] = [];
      let inFlight = 0;
      let maxInFlight = 0;
      await consumer.run({
        ...overrides,
        eachBatch: async (batch) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          try {
            if (overrides.eachBatch) await overrides.eachBatch(batch);
            batches.push(batch);
            received.push(...batch.records);
          } finally {
            inFlight--;
          }
        },
      });
      return { consumer, received, batches, maxInFlight: () => maxInFlight };
    }

    it('ensureTopic is idempotent and partitionCount reports the count', async () => {
      await log.ensureTopic(topic, { partitions: PARTITIONS });
      await Promise.all([
        log.ensureTopic(topic, { partitions: PARTITIONS }),
        log.ensureTopic(topic, { partitions: PARTITIONS }),
      ]);
      expect(await log.partitionCount(topic)).toBe(PARTITIONS);
      expect(await log.endOffsets(topic)).toEqual(allPartitions(topic).map((tp) => ({ ...tp, offset: 0 })));
    });

    it('puts a key on its murmur2 partition with consecutive, increasing offsets', async () => {
      const offsets: TopicPartitionOffset[] = [];
      for (let i = 0; i < 4; i++) {
        const result = await log.produce(topic, [
          { key: 'same-key', value: Buffer.from(`a${i}`) },
          { key: 'same-key', value: Buffer.from(`b${i}`) },
        ]);
        offsets.push(...result);
      }
      const partition = partitionForKey('same-key', PARTITIONS);
      expect(offsets.every((o) => o.topic === topic && o.partition === partition)).toBe(true);
      expect(offsets.map((o) => o.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    });

    it('keeps per-partition order and reports end offsets', async () => {
      const produced: ProducedRecord[] = [];
      const at: TopicPartitionOffset[] = [];
      for (let call = 0; call < 3; call++) {
        const batch = records('order', 20, call * 20);
        produced.push(...batch);
        at.push(...(await log.produce(topic, batch)));
      }
      const counts = [0, 0, 0];
      at.forEach((o, i) => {
        expect(o.partition).toBe(partitionForKey(produced[i].key, PARTITIONS));
        expect(o.offset).toBe(counts[o.partition]++);
      });
      expect(await log.endOffsets(topic)).toEqual(
        counts.map((offset, partition) => ({ topic, partition, offset })),
      );

      const { consumer, received, maxInFlight } = await startCollecting(uniqueName('g'), {}, 7);
      await pollUntil(() => received.length >= produced.length, 'all records');
      await consumer.stop();
      expect(maxInFlight()).toBe(1);
      for (let partition = 0; partition < PARTITIONS; partition++) {
        const got = received.filter((r) => r.partition === partition);
        const want = produced.filter((_, i) => at[i].partition === partition);
        expect(got.map((r) => r.offset)).toEqual(want.map((_, i) => i));
        expect(got.map((r) => [r.key, r.value.toString()])).toEqual(
          want.map((r) => [r.key, r.value.toString()]),
        );
      }
    });

    it('finds offsets by timestamp', async () => {
      const base = 1_700_000_000_000;
      const batch = records('ts', 30).map((r, i) => ({ ...r, timestamp: base + 10 * Math.floor(i / 2) }));
      const at = [
        ...(await log.produce(topic, batch.slice(0, 12))),
        ...(await log.produce(topic, batch.slice(12))),
      ];
      const produced = at.map((o, i) => ({ at: o, timestamp: batch[i].timestamp }));
      const ends = await log.endOffsets(topic);
      for (const target of [
        base - 1,
        base,
        base + 5,
        base + 60,
        base + 61,
        base + 140,
        base + 141,
        base + 10_000,
      ]) {
        const got = await log.offsetsForTimestamp(topic, target);
        expect(got.map((o) => o.offset)).toEqual(expectedOffsetsForTimestamp(produced, ends, target));
        expect(got.map((o) => o.partition)).toEqual([0, 1, 2]);
      }
    });

    it('delivers records produced before and after the consumer starts, with their data', async () => {
      const before = Date.now();
      const first = records('live', 10);
      const firstAt = await log.produce(topic, first);
      const { received } = await startCollecting(uniqueName('g'));
      const second = records('live', 10, 10).map((r) => ({ ...r, timestamp: 1_600_000_000_000 }));
      const secondAt = await log.produce(topic, second);
      const after = Date.now();
      await pollUntil(() => received.length >= 20, 'twenty records');
      expect(received).toHaveLength(20);
      const seen = new Map(received.map((r) => [`${r.partition}:${r.offset}`, r]));
      [...first, ...second].forEach((p, i) => {
        const o = i < 10 ? firstAt[i] : secondAt[i - 10];
        const r = seen.get(`${o.partition}:${o.offset}`)!;
        expect(r).toBeDefined();
        expect(r.topic).toBe(topic);
        expect(r.key).toBe(p.key);
        expect(r.value.equals(p.value)).toBe(true);
        if (i < 10) {
          // Stamped by the log at append time; allow clock skew between client and log.
          expect(r.timestamp).toBeGreaterThanOrEqual(before - 300_000);
          expect(r.timestamp).toBeLessThanOrEqual(after + 300_000);
        } else {
          expect(r.timestamp).toBe(1_600_000_000_000);
        }
      });
    });

    it('round-trips commit and committed', async () => {
      await log.produce(topic, records('commit', 30));
      const ends = await log.endOffsets(topic);
      const consumer = log.consumer({ groupId: uniqueName('g'), topics: [topic] });
      expect(await consumer.committed(topic)).toEqual(
        allPartitions(topic).map((tp) => ({ ...tp, offset: 0 })),
      );
      const wanted = [
        { topic, partition: 0, offset: Math.min(2, ends[0].offset) },
        { topic, partition: 2, offset: ends[2].offset },
      ];
      await consumer.commit(wanted);
      expect(await consumer.committed(topic)).toEqual([
        wanted[0],
        { topic, partition: 1, offset: 0 },
        wanted[1],
      ]);
      await consumer.commit([{ topic, partition: 0, offset: 0 }]);
      expect((await consumer.committed(topic))[0].offset).toBe(0);
    });

    it('lets the next consumer of a group resume from the committed offsets', async () => {
      const groupId = uniqueName('g');
      await log.produce(topic, records('resume', 20));
      const a = await startCollecting(groupId, {
        eachBatch: async (batch) => {
          const last = batch.records[batch.records.length - 1];
          await a.consumer.commit([{ topic, partition: batch.partition, offset: last.offset + 1 }]);
        },
      });
      await pollUntil(() => a.received.length >= 20, 'first consumer to read everything');
      await a.consumer.stop();

      const later = records('resume', 9, 20);
      const laterAt = await log.produce(topic, later);
      const b = await startCollecting(groupId);
      await pollUntil(() => b.received.length >= 9, 'second consumer to read the new records');
      const key = (o: { partition: number; offset: number }) => `${o.partition}:${o.offset}`;
      expect(b.received.map(key).sort()).toEqual(laterAt.map(key).sort());
    });

    it('starts where startOffset says, over the committed offset', async () => {
      const groupId = uniqueName('g');
      await log.produce(topic, records('start', 30));
      const ends = await log.endOffsets(topic);
      const committer = log.consumer({ groupId, topics: [topic] });
      await committer.commit(ends);
      const starts = ends.map((e) => Math.min(3, e.offset));
      const expected = ends.reduce((sum, e, p) => sum + e.offset - starts[p], 0);
      const { received } = await startCollecting(groupId, {
        startOffset: async (tp) => (tp.topic === topic ? starts[tp.partition] : undefined),
      });
      await pollUntil(() => received.length >= expected, 'records from the start offsets');
      for (let p = 0; p < PARTITIONS; p++) {
        const offsets = received.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual(Array.from({ length: ends[p].offset - starts[p] }, (_, i) => starts[p] + i));
      }
    });

    it('redelivers a batch whose handler threw, without skipping records', async () => {
      const at = await log.produce(topic, records('retry', 15));
      let failures = 0;
      let failedBatch: { partition: number; offsets: number[] } | undefined;
      const { received, batches } = await startCollecting(uniqueName('g'), {
        eachBatch: async (batch) => {
          if (failures === 0) {
            failures++;
            failedBatch = { partition: batch.partition, offsets: batch.records.map((r) => r.offset) };
            throw new Error('handler failed on purpose');
          }
        },
      });
      await pollUntil(() => received.length >= at.length, 'all records after the redelivery');
      expect(failures).toBe(1);
      const firstGood = batches.find((b) => b.partition === failedBatch!.partition)!;
      expect(firstGood.records.map((r) => r.offset).slice(0, failedBatch!.offsets.length)).toEqual(
        failedBatch!.offsets,
      );
      const key = (o: { partition: number; offset: number }) => `${o.partition}:${o.offset}`;
      expect(received.map(key).sort()).toEqual(at.map(key).sort());
    });

    it('calls onAssign with every partition at start and onRevoke with them on stop', async () => {
      const assigned: TopicPartition[][] = [];
      const revoked: TopicPartition[][] = [];
      const { consumer } = await startCollecting(uniqueName('g'), {
        onAssign: async (partitions) => {
          assigned.push(partitions);
        },
        onRevoke: async (partitions) => {
          revoked.push(partitions);
        },
      });
      await pollUntil(() => assigned.length > 0, 'onAssign');
      expect(assigned).toHaveLength(1);
      expect([...assigned[0]].sort(byTp)).toEqual(allPartitions(topic));
      expect(revoked).toHaveLength(0);
      await consumer.stop();
      expect(revoked).toHaveLength(1);
      expect([...revoked[0]].sort(byTp)).toEqual(allPartitions(topic));
    });
  });
}
