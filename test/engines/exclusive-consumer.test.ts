import { KafkaEventLog } from '../../platform/adapters/kafka-log';
import type { LogConsumer, TopicPartition } from '../../platform/ports/event-log';
import { testEndpoints, uniqueName } from './support/test-endpoints';
import { pollUntil } from '../support/poll';

/*
 * `exclusive: true` consumers (the index consumer, the snapshot writer):
 * one member owns every partition, the others stand by, and ownership moves
 * only when the owner leaves.
 */
const brokers = testEndpoints().kafkaBrokers;
const PARTITIONS = 3;

const waitFor = (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 90000) =>
  pollUntil(condition, what, timeoutMs);

interface Member {
  consumer: LogConsumer;
  owned: Set<number>;
  seen: Set<string>;
}

describe('exclusive consumer groups on a real broker', () => {
  let log: KafkaEventLog;
  const members: Member[] = [];

  beforeAll(async () => {
    log = await KafkaEventLog.connect({
      brokers,
      topicPrefix: `${uniqueName('excl')}.`,
      // Short sessions so a departed owner is noticed quickly.
      consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 },
    });
    await log.ensureTopic('T', { partitions: PARTITIONS });
  });

  afterAll(async () => {
    for (const m of members) await m.consumer.stop().catch(() => undefined);
    await log?.close();
  });

  async function join(): Promise<Member> {
    const m: Member = {
      consumer: log.consumer({ groupId: 'g', topics: ['T'], exclusive: true }),
      owned: new Set(),
      seen: new Set(),
    };
    await m.consumer.run({
      onAssign: async (tps: TopicPartition[]) => {
        for (const tp of tps) m.owned.add(tp.partition);
      },
      onRevoke: async (tps: TopicPartition[]) => {
        for (const tp of tps) m.owned.delete(tp.partition);
      },
      eachBatch: async (batch) => {
        for (const r of batch.records) m.seen.add(r.value.toString());
        await m.consumer.commit([
          { topic: batch.topic, partition: batch.partition, offset: batch.records.at(-1)!.offset + 1 },
        ]);
      },
    });
    members.push(m);
    return m;
  }

  const produce = (from: number, to: number) =>
    log.produce(
      'T',
      Array.from({ length: to - from }, (_, i) => ({
        key: `k${from + i}`,
        value: Buffer.from(`v${from + i}`),
      })),
    );

  it('gives every partition to one member, keeps it there when others join, and fails over when it leaves', async () => {
    const first = await join();
    await produce(0, 60);
    await waitFor(() => first.seen.size === 60, 'the first member to read everything');
    expect([...first.owned].sort()).toEqual([0, 1, 2]);

    const second = await join();
    const third = await join();
    await produce(60, 120);
    await waitFor(() => first.seen.size === 120, 'the owner to read the second lot');
    // Joining did not move the work: the standbys own nothing and read nothing.
    expect([...first.owned].sort()).toEqual([0, 1, 2]);
    expect(second.owned.size + third.owned.size).toBe(0);
    expect(second.seen.size + third.seen.size).toBe(0);

    await first.consumer.stop();
    await produce(120, 180);
    await waitFor(
      () => second.owned.size + third.owned.size === PARTITIONS && second.seen.size + third.seen.size >= 60,
      'a standby to take over',
    );
    const owner = second.owned.size > 0 ? second : third;
    const standby = owner === second ? third : second;
    expect([...owner.owned].sort()).toEqual([0, 1, 2]);
    expect(standby.owned.size).toBe(0);
    // It resumed from the committed offsets: exactly the records after the handover.
    expect([...owner.seen].sort()).toEqual(Array.from({ length: 60 }, (_, i) => `v${120 + i}`).sort());
  });
});
