import { CountingWorker, readHashtagCount, type FlushStats } from '../../indexer/counting';
import { deltaSeq, type HashtagDelta } from '../../indexer/hashtag-delta';
import { hashtagDeltaRecord } from '../../indexer/hashtag-delta-codec';
import { KV, checkpointKey } from '../../indexer/kv-tables';
import { TOPICS } from '../../indexer/topics';
import { CassandraKvStore } from '../../platform/adapters/cassandra-kv';
import { KafkaEventLog } from '../../platform/adapters/kafka-log';
import { partitionForKey } from '../../platform/partition-for-key';
import { seededRandom } from '../../platform/seeded-random';
import { interceptConsumers } from '../support/intercept-consumers';
import { testEndpoints, uniqueName } from './support/test-endpoints';
import { pollUntil } from '../support/poll';

/*
 * Counting workers scale out through the consumer group: members split the
 * POST_HASHTAG partitions, each flush covers one partition its member owns,
 * and partitions move on joins and leaves with a flush on revoke. The counts
 * in Cassandra must equal a plain per-tag sum of the stream.
 */
const endpoints = testEndpoints();
const PARTITIONS = 4;
const TOPIC = TOPICS.postHashtag;
const TAGS = Array.from({ length: 24 }, (_, i) => `tag${i}`);

const waitFor = (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 90000) =>
  pollUntil(condition, what, timeoutMs);

interface Member {
  worker: CountingWorker;
  log: KafkaEventLog;
  owned: Set<number>;
  /** Flushes whose partition this member did not own at the time. */
  foreignFlushes: FlushStats[];
  flushes: FlushStats[];
}

/** `count` deltas over TAGS from 4 source partitions, 20% removals, a re-sent tail now and then. */
function stream(
  random: () => number,
  count: number,
  from: number,
): { produced: HashtagDelta[]; unique: HashtagDelta[] } {
  const produced: HashtagDelta[] = [];
  const unique: HashtagDelta[] = [];
  for (let i = from; i < from + count; i++) {
    const d: HashtagDelta = {
      tag: TAGS[Math.floor(random() * TAGS.length)]!,
      postId: `p${i}`,
      delta: random() < 0.2 ? -1 : 1,
      source: i % 4,
      seq: deltaSeq(i, 0),
      at: 1_700_000_000_000 + i,
    };
    unique.push(d);
    produced.push(d);
    if (random() < 0.05) produced.push(...unique.slice(-3));
  }
  return { produced, unique };
}

describe('counting workers sharing a consumer group on Kafka and Cassandra', () => {
  const prefix = `${uniqueName('scale')}.`;
  let admin: KafkaEventLog;
  let kv: CassandraKvStore;
  const members: Member[] = [];

  const connectLog = () =>
    KafkaEventLog.connect({
      brokers: endpoints.kafkaBrokers,
      topicPrefix: prefix,
      // Short sessions, so a rebalance settles quickly.
      consumer: { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, rebalanceTimeoutMs: 10_000 },
    });

  beforeAll(async () => {
    admin = await connectLog();
    await admin.ensureTopic(TOPIC, { partitions: PARTITIONS });
    kv = await CassandraKvStore.connect({
      contactPoints: endpoints.cassandraContactPoints,
      localDataCenter: endpoints.cassandraLocalDc,
      keyspace: uniqueName('scale'),
      createSchema: true,
    });
  });

  afterAll(async () => {
    for (const m of members) {
      await m.worker.stop().catch(() => undefined);
      await m.log.close().catch(() => undefined);
    }
    await admin?.close();
    await kv?.close();
  });

  /** A worker in its own Kafka connection, as in its own process; records what it owns. */
  async function join(): Promise<Member> {
    const log = await connectLog();
    const member: Member = { worker: undefined!, log, owned: new Set(), foreignFlushes: [], flushes: [] };
    const observed = interceptConsumers(log, (handlers) => ({
      ...handlers,
      onAssign: async (tps) => {
        for (const tp of tps) member.owned.add(tp.partition);
        await handlers.onAssign?.(tps);
      },
      onRevoke: async (tps) => {
        await handlers.onRevoke?.(tps);
        for (const tp of tps) member.owned.delete(tp.partition);
      },
    }));
    member.worker = new CountingWorker({
      log: observed,
      kv,
      flushEvents: 40,
      flushIntervalMs: 300,
      onFlush: (stats) => {
        member.flushes.push(stats);
        if (!member.owned.has(stats.partition)) member.foreignFlushes.push(stats);
      },
    });
    await member.worker.start();
    members.push(member);
    return member;
  }

  async function produce(deltas: HashtagDelta[]): Promise<void> {
    for (let i = 0; i < deltas.length; i += 100) {
      await admin.produce(TOPIC, deltas.slice(i, i + 100).map(hashtagDeltaRecord));
    }
  }

  async function checkpointed(): Promise<boolean> {
    for (const { partition, offset } of await admin.endOffsets(TOPIC)) {
      const done = (await kv.get<number>(KV.checkpoints, checkpointKey('counter', TOPIC, partition))) ?? 0;
      if (done < offset) return false;
    }
    return true;
  }

  it('split the partitions, move them on join and leave, and count every delta once', async () => {
    const random = seededRandom(5);
    const lots = [
      stream(random, 600, 0),
      stream(random, 1500, 600),
      stream(random, 600, 2100),
      stream(random, 1500, 2700),
    ];

    const first = await join();
    await produce(lots[0]!.produced);
    await waitFor(checkpointed, 'the first member to count the first lot');
    expect([...first.owned].sort()).toEqual([0, 1, 2, 3]);

    // Members join while records arrive, so partitions move with buffers in flight.
    const producing = produce(lots[1]!.produced);
    const second = await join();
    const third = await join();
    await producing;
    const split = () => {
      const owned = members.map((m) => [...m.owned]);
      const all = owned.flat();
      return (
        owned.every((o) => o.length > 0) && all.length === PARTITIONS && new Set(all).size === PARTITIONS
      );
    };
    await waitFor(split, 'the three members to split the partitions');
    await waitFor(checkpointed, 'the members to count the second lot');
    // With the partitions split, each member counts its share.
    const before = members.map((m) => m.flushes.length);
    await produce(lots[2]!.produced);
    await waitFor(checkpointed, 'the members to count the third lot');
    // A flush is reported a round trip after its checkpoint lands, so the reports are waited for too.
    await waitFor(
      () => members.every((m, i) => m.flushes.length > before[i]!),
      'each member to report a flush of its share',
    );

    // Leaving mid-stream hands the first member's partitions on, after a flush on revoke.
    await Promise.all([produce(lots[3]!.produced), first.worker.stop()]);
    await waitFor(() => second.owned.size + third.owned.size === PARTITIONS, 'the others to take over');
    await waitFor(checkpointed, 'the remaining members to count the last lot');

    const expected = new Map<string, number>();
    for (const d of lots.flatMap((l) => l.unique)) {
      expected.set(d.tag, Math.max(0, (expected.get(d.tag) ?? 0) + d.delta));
    }
    const actual = new Map<string, number>();
    for (const tag of TAGS) actual.set(tag, await readHashtagCount(kv, tag));
    expect(actual).toEqual(new Map(TAGS.map((tag) => [tag, expected.get(tag) ?? 0])));

    for (const m of members) expect(m.foreignFlushes).toEqual([]);
    // Every tag was counted by the owners of its partition alone.
    const flushedPartitions = new Set(members.flatMap((m) => m.flushes.map((f) => f.partition)));
    expect(flushedPartitions).toEqual(new Set(TAGS.map((t) => partitionForKey(t, PARTITIONS))));
  });
});
