import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { COUNTER_WATERMARKS, CountingWorker, readHashtagCount, type FlushStats } from '../indexer/counting';
import { deltaSeq, type HashtagDelta } from '../indexer/hashtag-delta';
import { KV, checkpointKey } from '../indexer/kv-tables';
import type { EventLog } from '../platform/ports/event-log';
import type { KvOp, KvStore } from '../platform/ports/kv-store';
import { partitionForKey } from '../platform/partition-for-key';
import { seededRandom } from '../platform/seeded-random';
import type { CounterDirs } from './support/counting-worker-fixtures';
import {
  PARTITIONS,
  TOPIC,
  drain,
  expectCounts,
  generateStream,
  oracle,
  produce,
  useCounterDirs,
} from './support/counting-worker-fixtures';
import { ManualClock } from './support/manual-clock';
import { pollUntil } from './support/poll';

describe('CountingWorker', () => {
  let dirs: CounterDirs;
  useCounterDirs((d) => (dirs = d));

  it('counts a random stream of +1/−1 deltas exactly, re-sent duplicates dropped, clamped at 0', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.integer({ min: 1, max: 60 }),
        fc.boolean(),
        async (seed, flushEvents, cacheCounts) => {
          await dirs.remove();
          const stream = generateStream(seededRandom(seed), 150);
          const { log, store } = await dirs.open();
          try {
            await produce(log, stream.produced);
            await drain(log, store, flushEvents, undefined, cacheCounts);
            await expectCounts(store, oracle(stream.unique));
          } finally {
            await log.close();
            await store.close();
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('drops duplicates by (partition, source) seq, across restarts too, and clamps with a warning', async () => {
    const lines: { tag?: string; msg: string }[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(JSON.parse(chunk.toString()) as { tag?: string; msg: string });
        done();
      },
    });
    const d = (tag: string, source: number, offset: number, delta: 1 | -1 = 1): HashtagDelta => ({
      tag,
      postId: `p${offset}`,
      delta,
      source,
      seq: deltaSeq(offset, 0),
      at: 0,
    });
    const first = [d('cat', 0, 1), d('cat', 0, 2), d('cat', 1, 1), d('ghost', 2, 7, -1)];
    const { log, store } = await dirs.open();
    try {
      await produce(log, [...first, ...first, d('cat', 0, 1)]);
      const clock = new ManualClock();
      const logger = pino({ level: 'warn' }, sink);
      const worker = new CountingWorker({ log, kv: store, clock, flushEvents: 2, logger });
      await worker.start();
      await pollUntil(
        () => worker.metrics().events + worker.metrics().bufferedEvents === 9,
        'all records read',
      );
      await worker.stop();
      expect(worker.metrics().duplicates).toBe(5);
      expect(await readHashtagCount(store, 'cat')).toBe(3);
      expect(await readHashtagCount(store, 'ghost')).toBe(0);
      expect(await readHashtagCount(store, 'never-seen')).toBe(0);
      expect(lines.some((l) => l.tag === 'ghost' && /clamped/.test(l.msg))).toBe(true);

      // A producer that crashed re-sends after our restart: the loaded watermarks still catch it.
      await produce(log, [d('cat', 1, 1), d('cat', 0, 2), d('cat', 0, 3)]);
      await drain(log, store, 2);
      expect(await readHashtagCount(store, 'cat')).toBe(4);
    } finally {
      await log.close();
      await store.close();
    }
  });

  it('flushes by size, then by time, one KV write per flush', async () => {
    const { log, store } = await dirs.open();
    const flushes: FlushStats[] = [];
    const clock = new ManualClock();
    const worker = new CountingWorker({
      log,
      kv: store,
      clock,
      flushEvents: 10,
      flushIntervalMs: 5000,
      onFlush: (s) => flushes.push(s),
    });
    try {
      const deltas = Array.from({ length: 25 }, (_, i) => ({
        tag: 'sunset',
        postId: `p${i}`,
        delta: 1 as const,
        source: 0,
        seq: deltaSeq(i, 0),
        at: 0,
      }));
      await produce(log, deltas);
      await worker.start();
      await pollUntil(
        () => worker.metrics().bufferedEvents === 5 && !worker.metrics().flushing,
        'two size flushes',
      );
      expect(await readHashtagCount(store, 'sunset')).toBe(20);
      expect(flushes.map((f) => [f.reason, f.events, f.kvWrites])).toEqual([
        ['size', 10, 1],
        ['size', 10, 1],
      ]);
      // count row + one watermark + one checkpoint
      expect(flushes[0].rowsWritten).toBe(3);

      await pollUntil(() => clock.sleeping > 0, 'the flush timer to wait');
      clock.advance(4999);
      await pollUntil(() => clock.sleeping > 0, 'the flush timer to wait again');
      expect(await readHashtagCount(store, 'sunset')).toBe(20);
      clock.advance(1);
      // The flush's report comes after its write lands, so wait for the report, then read the count.
      await pollUntil(() => flushes.length === 3, 'the timed flush');
      expect(await readHashtagCount(store, 'sunset')).toBe(25);
      expect(flushes[2]).toMatchObject({ reason: 'time', events: 5, kvWrites: 1 });

      const m = worker.metrics();
      expect(m).toMatchObject({ flushes: 3, events: 25, kvWrites: 3, bufferedEvents: 0 });
      expect(m.recentFlushDurationsMs).toHaveLength(3);
      expect(m.lastFlushAt).toBe(clock.now());
    } finally {
      await worker.stop();
      await log.close();
      await store.close();
    }
  });

  it('cuts each flush to one partition: its keys, its checkpoint, its writer', async () => {
    const { log, store } = await dirs.open();
    const batches: { ops: KvOp[]; writer: string | undefined }[] = [];
    const recovered: string[] = [];
    const kv: KvStore = {
      get: (table, key) => store.get(table, key),
      getMany: (table, keys) => store.getMany(table, keys),
      scan: (table, options) => store.scan(table, options),
      count: (table) => store.count(table),
      close: () => store.close(),
      recover: (writer) => {
        recovered.push(writer);
        return store.recover(writer);
      },
      batch: (ops, options) => {
        batches.push({ ops, writer: options?.writer });
        return store.batch(ops);
      },
    };
    const flushes: FlushStats[] = [];
    const stream = generateStream(seededRandom(11), 200);
    try {
      await produce(log, stream.produced);
      await drain(log, kv, 25, (f) => flushes.push(f));
      await expectCounts(store, oracle(stream.unique));

      const partitionOf = (tag: string) => partitionForKey(tag, PARTITIONS);
      const touched = new Set(stream.unique.map((d) => partitionOf(d.tag)));
      expect(touched.size).toBeGreaterThan(1);
      expect(new Set(flushes.map((f) => f.partition))).toEqual(touched);
      expect(batches).toHaveLength(flushes.length);
      for (const { ops, writer } of batches) {
        const p = Number(/^counter:(\d+)$/.exec(writer ?? '')?.[1]);
        expect(touched.has(p)).toBe(true);
        const counts = ops.filter((o) => o.table === KV.hashtagCounts);
        for (const op of counts) expect(partitionOf(op.key)).toBe(p);
        for (const op of ops.filter((o) => o.table === COUNTER_WATERMARKS)) {
          expect(op.key.startsWith(`counter:${p}:`)).toBe(true);
        }
        expect(ops.at(-1)).toMatchObject({ table: KV.checkpoints, key: checkpointKey('counter', TOPIC, p) });
      }
      // Each partition's writer is recovered before its state is read, and the old group-wide one too.
      expect(new Set(recovered)).toEqual(new Set(['counter', ...[...touched].map((p) => `counter:${p}`)]));
    } finally {
      await log.close();
      await store.close();
    }
  });

  it('rejects bad options with the field', () => {
    const bad = () =>
      new CountingWorker({ log: {} as EventLog, kv: {} as KvStore, flushEvents: 0, flushIntervalMs: -1 });
    expect(bad).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }) as Error);
    try {
      bad();
    } catch (err) {
      expect((err as { issues: { field: string }[] }).issues.map((i) => i.field)).toEqual([
        'flushEvents',
        'flushIntervalMs',
      ]);
    }
  });
});
