import fc from 'fast-check';
import { ConfigResourceTypes, Kafka, Partitioners, logLevel } from 'kafkajs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { KafkaEventLog, type KafkaEventLogOptions } from '../../platform/adapters/kafka-log';
import type { LogConsumer, LogRecord, ProducedRecord, TopicPartition } from '../../platform/ports/event-log';
import { eventLogContract } from '../contracts/event-log-contract';
import { testEndpoints, uniqueName } from './support/test-endpoints';
import { expectRejectsWithCode } from '../support/expect-rejects-with-code';
import { pollUntil } from '../support/poll';

const brokers = testEndpoints().kafkaBrokers;
/** A plain kafkajs admin, independent of the adapter: it cleans up and checks what is on the broker. */
const rawKafka = new Kafka({ brokers, clientId: 'kafka-event-log-test', logLevel: logLevel.NOTHING });
const rawAdmin = rawKafka.admin();
let rawAdminConnected: Promise<void> | undefined;

async function admin() {
  rawAdminConnected ??= rawAdmin.connect();
  await rawAdminConnected;
  return rawAdmin;
}

/** Deletes the topics and consumer groups a run created under its prefix. */
async function deleteByPrefix(prefix: string): Promise<void> {
  const a = await admin();
  const topics = (await a.listTopics()).filter((t) => t.startsWith(prefix));
  if (topics.length > 0) await a.deleteTopics({ topics });
  const groups = (await a.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix));
  if (groups.length > 0) await a.deleteGroups(groups).catch(() => undefined);
}

afterAll(async () => {
  if (rawAdminConnected) await rawAdmin.disconnect();
});

const waitFor = (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 60000) =>
  pollUntil(condition, what, timeoutMs);

function sample(prefix: string, count: number): ProducedRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `${prefix}-${i % 13}`,
    value: Buffer.from(`${prefix}-${i}`),
  }));
}

const key = (o: { partition: number; offset: number }) => `${o.partition}:${o.offset}`;
const TOPIC_CONFIG = ['message.timestamp.type', 'retention.ms'] as const;

eventLogContract('KafkaEventLog (real broker)', async () => {
  const prefix = `${uniqueName('contract')}.`;
  const log = await KafkaEventLog.connect({ brokers, topicPrefix: prefix });
  return {
    log,
    cleanup: async () => {
      await log.close();
      await deleteByPrefix(prefix);
    },
  };
});

describe('KafkaEventLog on a real broker', () => {
  let prefix: string;
  const logs: KafkaEventLog[] = [];
  const consumers: LogConsumer[] = [];

  beforeEach(() => {
    prefix = `${uniqueName('kel')}.`;
  });

  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.stop().catch(() => undefined);
    for (const log of logs.splice(0)) await log.close();
    await deleteByPrefix(prefix);
  });

  async function connect(options: Partial<KafkaEventLogOptions> = {}): Promise<KafkaEventLog> {
    const log = await KafkaEventLog.connect({ brokers, topicPrefix: prefix, ...options });
    logs.push(log);
    return log;
  }

  /** Reads every record of `topic` from offset 0 with a throwaway group. */
  async function readAll(log: KafkaEventLog, topic: string, count: number): Promise<LogRecord[]> {
    const received: LogRecord[] = [];
    const consumer = log.consumer({ groupId: uniqueName('reader'), topics: [topic] });
    consumers.push(consumer);
    await consumer.run({
      startOffset: async () => 0,
      eachBatch: async (b) => void received.push(...b.records),
    });
    await waitFor(() => received.length >= count, `${count} records`);
    await consumer.stop();
    return received;
  }

  it('puts each key on the partition the embedded log and the Java-compatible partitioner pick', async () => {
    const keys = [
      '',
      'a',
      'post:42',
      'é',
      '😀',
      'x'.repeat(300),
      ...fc.sample(fc.string({ unit: 'grapheme', maxLength: 24 }), { numRuns: 200, seed: 7 }),
    ];
    const records = keys.map((k, i) => ({ key: k, value: Buffer.from(String(i)) }));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'kafka-partitioning-'));
    const embedded = await EmbeddedEventLog.open({ dir, fsync: 'never' });
    const javaCompatible = Partitioners.DefaultPartitioner();
    const log = await connect();
    try {
      for (const partitions of [7, 16]) {
        const topic = `keys-${partitions}`;
        await log.ensureTopic(topic, { partitions });
        await embedded.ensureTopic(topic, { partitions });
        const onKafka = await log.produce(topic, records);
        const onDisk = await embedded.produce(topic, records);
        const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
          partitionId,
          leader: 1,
          partitionErrorCode: 0,
          replicas: [1],
          isr: [1],
        }));
        expect(onKafka.map((o) => o.partition)).toEqual(onDisk.map((o) => o.partition));
        expect(onKafka.map((o) => o.partition)).toEqual(
          keys.map((k) =>
            javaCompatible({ topic, partitionMetadata, message: { key: Buffer.from(k), value: null } }),
          ),
        );
        // And the broker holds them there: per-partition counts match.
        const counts = new Array<number>(partitions).fill(0);
        for (const o of onDisk) counts[o.partition]++;
        expect((await log.endOffsets(topic)).map((e) => e.offset)).toEqual(counts);
      }
    } finally {
      await embedded.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('calls onRevoke before a rebalance moves partitions, so commits there hand over every record once', async () => {
    const log = await connect();
    const topic = 'rebalanced';
    await log.ensureTopic(topic, { partitions: 6 });
    const groupId = 'members';
    const brokerGroup = `${prefix}${groupId}`;
    const produced = await log.produce(topic, sample('first', 300));
    const events: string[] = [];
    const processed = new Map<string, number>();
    const statesAtRevoke: string[] = [];

    /** A member that buffers its progress and commits it only in onRevoke. */
    async function member(name: string) {
      const consumer = log.consumer({ groupId, topics: [topic], maxBatchSize: 20 });
      consumers.push(consumer);
      const next = new Map<number, number>();
      const owned = new Set<number>();
      await consumer.run({
        onAssign: async (tps: TopicPartition[]) => {
          events.push(`${name} assign ${tps.map((tp) => tp.partition).join(',')}`);
          for (const tp of tps) owned.add(tp.partition);
        },
        eachBatch: async (batch) => {
          for (const r of batch.records) processed.set(key(r), (processed.get(key(r)) ?? 0) + 1);
          next.set(batch.partition, batch.records[batch.records.length - 1].offset + 1);
        },
        onRevoke: async (tps) => {
          // The group cannot finish rebalancing while this member's JoinGroup is held.
          const { groups } = await (await admin()).describeGroups([brokerGroup]);
          statesAtRevoke.push(groups[0].state);
          const offsets = tps.filter((tp) => next.has(tp.partition));
          await consumer.commit(offsets.map((tp) => ({ ...tp, offset: next.get(tp.partition)! })));
          for (const tp of tps) {
            owned.delete(tp.partition);
            next.delete(tp.partition);
          }
          events.push(`${name} revoked ${tps.map((tp) => tp.partition).join(',')}`);
        },
      });
      return { consumer, owned };
    }

    const a = await member('a');
    await waitFor(() => processed.size >= 100, 'a to process some records');
    const b = await member('b');
    await waitFor(() => a.owned.size > 0 && b.owned.size > 0 && a.owned.size + b.owned.size === 6, 'a split');
    produced.push(...(await log.produce(topic, sample('second', 300))));
    await waitFor(() => processed.size >= produced.length, 'every record');
    await a.consumer.stop();
    await b.consumer.stop();

    expect([...processed.keys()].sort()).toEqual(produced.map(key).sort());
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
    // a gave everything up before b got anything, and while the group was still rebalancing.
    const firstAssignOfB = events.findIndex((e) => e.startsWith('b assign'));
    expect(events.findIndex((e) => e.startsWith('a revoked'))).toBeLessThan(firstAssignOfB);
    expect(statesAtRevoke[0]).toBe('PreparingRebalance');
    const committed = await log.consumer({ groupId, topics: [topic] }).committed(topic);
    expect(committed).toEqual(await log.endOffsets(topic));
  });

  it('does not duplicate records when the producer retries a send whose response was lost', async () => {
    const proxy = await FaultProxy.start(brokers[0]);
    try {
      const log = await connect({
        connectSocket: proxy.connect,
        retry: { retries: 5, initialRetryTimeMs: 50 },
      });
      await log.ensureTopic('retried', { partitions: 2 });
      proxy.dropNextProduceResponse = true;
      const first = await log.produce('retried', sample('a', 40));
      expect(proxy.droppedResponses).toBe(1);
      expect(proxy.produceRequests).toBe(2);
      const second = await log.produce('retried', sample('b', 10));
      const all = [...first, ...second];
      for (const partition of [0, 1]) {
        const offsets = all.filter((o) => o.partition === partition).map((o) => o.offset);
        expect(offsets).toEqual(offsets.map((_, i) => i));
      }
      expect((await log.endOffsets('retried')).reduce((sum, e) => sum + e.offset, 0)).toBe(50);
      const values = (await readAll(log, 'retried', 50)).map((r) => r.value.toString());
      expect(values.sort()).toEqual(
        [...sample('a', 40), ...sample('b', 10)].map((r) => r.value.toString()).sort(),
      );
    } finally {
      await proxy.close();
    }
  });

  it('namespaces topics and groups with the prefix and reports misuse with codes', async () => {
    await expect(KafkaEventLog.connect({ brokers: ['no-port'], retentionMs: 0 })).rejects.toMatchObject({
      issues: [{ field: 'brokers[0]' }, { field: 'retentionMs' }],
    });
    const log = await connect();
    await log.ensureTopic('t', { partitions: 2 });
    expect((await (await admin()).listTopics()).filter((t) => t.startsWith(prefix))).toEqual([`${prefix}t`]);
    const { resources } = await (
      await admin()
    ).describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: `${prefix}t`, configNames: [...TOPIC_CONFIG] }],
      includeSynonyms: false,
    });
    const config = Object.fromEntries(resources[0].configEntries.map((e) => [e.configName, e.configValue]));
    expect(config).toEqual({ 'message.timestamp.type': 'CreateTime', 'retention.ms': '-1' });
    await expectRejectsWithCode(log.ensureTopic('t', { partitions: 3 }), 'PARTITION_COUNT_MISMATCH');
    await expectRejectsWithCode(log.produce('missing', sample('m', 1)), 'UNKNOWN_TOPIC');
    await expectRejectsWithCode(log.endOffsets('missing'), 'UNKNOWN_TOPIC');
    const badKey = log.produce('t', [sample('k', 1)[0], { key: 7, value: Buffer.from('') } as never]);
    await expect(badKey).rejects.toMatchObject({ issues: [{ field: '[1].key' }] });
    await expect(log.ensureTopic('__internal', { partitions: 1 })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });

    const running = log.consumer({ groupId: 'busy', topics: ['t'] });
    consumers.push(running);
    await running.run({ eachBatch: async () => undefined });
    const groups = (await (await admin()).listGroups()).groups.map((g) => g.groupId);
    expect(groups).toContain(`${prefix}busy`);
    await expectRejectsWithCode(
      log.consumer({ groupId: 'busy', topics: ['t'] }).commit([{ topic: 't', partition: 0, offset: 0 }]),
      'GROUP_BUSY',
    );
    await expectRejectsWithCode(
      log
        .consumer({ groupId: 'other', topics: ['t'] })
        .run({ eachBatch: async () => undefined, startOffset: async () => 5 }),
      'OFFSET_OUT_OF_RANGE',
    );
    await log.close();
    await expectRejectsWithCode(log.produce('t', sample('c', 1)), 'LOG_CLOSED');
  });
});

/**
 * A TCP proxy to one broker that can swallow the response to a Produce
 * request after the broker has handled it, as a network fault would.
 */
class FaultProxy {
  dropNextProduceResponse = false;
  produceRequests = 0;
  droppedResponses = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    private readonly upstream: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.relay(client));
  }

  static async start(broker: string): Promise<FaultProxy> {
    const [host, port] = broker.split(':');
    const proxy = new FaultProxy(net.createServer(), { host, port: Number(port) });
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  readonly connect = (): net.Socket => {
    const { port } = this.server.address() as net.AddressInfo;
    return net.connect({ host: '127.0.0.1', port });
  };

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: net.Socket): void {
    const upstream = net.connect(this.upstream);
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => {
        this.sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => undefined);
    }
    const produceIds = new Set<number>();
    // Request: size, apiKey (0 = Produce), apiVersion, correlationId. Response: size, correlationId.
    onFrames(client, (frame) => {
      if (frame.readInt16BE(4) === 0) {
        this.produceRequests++;
        produceIds.add(frame.readInt32BE(8));
      }
      upstream.write(frame);
    });
    onFrames(upstream, (frame) => {
      if (produceIds.has(frame.readInt32BE(4)) && this.dropNextProduceResponse) {
        this.dropNextProduceResponse = false;
        this.droppedResponses++;
        client.destroy();
        return;
      }
      client.write(frame);
    });
  }
}

function onFrames(socket: net.Socket, onFrame: (frame: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const end = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, end));
      pending = pending.subarray(end);
    }
  });
}
