import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import pino from 'pino';
import { COUNTER_WATERMARKS, CountingWorker, readHashtagCount, type FlushStats } from '../indexer/counting';
import { GroupOffsetCommitter } from '../indexer/counting/group-offset-committer';
import { deltaSeq, encodeHashtagDelta, type HashtagDelta } from '../indexer/hashtag-delta';
import { KV, checkpointKey } from '../indexer/kv-tables';
import { TOPICS } from '../indexer/topics';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import type { EventLog } from '../platform/ports/event-log';
import type { KvOp, KvStore } from '../platform/ports/kv-store';
import { partitionForKey } from '../platform/partition-for-key';
import { seededRandom } from '../platform/seeded-random';
import { ControlledKv } from './support/controlled-kv-store';
import { interceptConsumers } from './support/intercept-consumers';
import { ManualClock } from './support/manual-clock';
import { pollUntil } from './support/poll';

const TOPIC = TOPICS.postHashtag;
const PARTITIONS = 4;
const TAGS = ['sunset', 'cat', 'dog', 'beach', 'food', 'café', 'travel', 'art', 'nyc', 'tokyo'];

interface Stream {
  /** What the producer wrote, re-sends after "producer crashes" included. */
  produced: HashtagDelta[];
  /** Each delta once, in production order. */
  unique: HashtagDelta[];
}

/** Upload events of 1–4 tags from 4 source partitions; now and then a source re-sends its last records. */
function generateStream(random: () => number, events: number, removalRate = 0.35): Stream {
  const produced: HashtagDelta[] = [];
  const unique: HashtagDelta[] = [];
  const offsets = [0, 0, 0, 0];
  const history: HashtagDelta[][] = [[], [], [], []];
  for (let e = 0; e < events; e++) {
    const source = Math.floor(random() * 4);
    const offset = offsets[source]++;
    const tags = [...TAGS].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 4));
    tags.forEach((tag, i) => {
      const d: HashtagDelta = {
        tag,
        postId: `p${source}-${offset}`,
        delta: random() < removalRate ? -1 : 1,
        source,
        seq: deltaSeq(offset, i),
        at: 1_700_000_000_000 + e * 1000,
      };
      unique.push(d);
      produced.push(d);
      history[source].push(d);
    });
    if (random() < 0.08) {
      const s = Math.floor(random() * 4);
      produced.push(...history[s].slice(-1 - Math.floor(random() * 12)));
    }
  }
  return { produced, unique };
}

/** The spec, written plainly: deltas summed per tag in order, never below 0. */
function oracle(unique: HashtagDelta[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of unique) counts.set(d.tag, Math.max(0, (counts.get(d.tag) ?? 0) + d.delta));
  return counts;
}

async function produce(log: EventLog, deltas: HashtagDelta[]): Promise<void> {
  for (let i = 0; i < deltas.length; i += 500) {
    await log.produce(
      TOPIC,
      deltas.slice(i, i + 500).map((d) => ({ key: d.tag, value: encodeHashtagDelta(d) })),
    );
  }
}

async function checkpointsCoverLog(log: EventLog, kv: KvStore): Promise<boolean> {
  for (const { partition, offset } of await log.endOffsets(TOPIC)) {
    const done = (await kv.get<number>(KV.checkpoints, checkpointKey('counter', TOPIC, partition))) ?? 0;
    if (done < offset) return false;
  }
  return true;
}

async function durableOffset(kv: KvStore, partition: number): Promise<number> {
  return (await kv.get<number>(KV.checkpoints, checkpointKey('counter', TOPIC, partition))) ?? 0;
}

async function durableOffsets(kv: KvStore): Promise<number> {
  let sum = 0;
  for (let p = 0; p < PARTITIONS; p++) sum += await durableOffset(kv, p);
  return sum;
}

async function expectCounts(kv: KvStore, expected: Map<string, number>): Promise<void> {
  const actual: Record<string, number> = {};
  const wanted: Record<string, number> = {};
  for (const tag of TAGS) {
    actual[tag] = await readHashtagCount(kv, tag);
    wanted[tag] = expected.get(tag) ?? 0;
  }
  expect(actual).toEqual(wanted);
}

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
  let dir: string;
  let logDir: string;
  let kvDir: string;
  const open = async () => {
    const log = await EmbeddedEventLog.open({ dir: logDir, fsync: 'never' });
    await log.ensureTopic(TOPIC, { partitions: PARTITIONS });
    return { log, store: LmdbKvStore.open({ path: kvDir, noSync: true }) };
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-counter-'));
    logDir = path.join(dir, 'log');
    kvDir = path.join(dir, 'kv');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs a worker until its checkpoints cover the log, nudging time so the tail flushes too. */
  async function drain(
    log: EventLog,
    kv: KvStore,
    flushEvents: number,
    onFlush?: (stats: FlushStats) => void,
  ): Promise<void> {
    const clock = new ManualClock();
    const worker = new CountingWorker({ log, kv, clock, flushEvents, flushIntervalMs: 1000, onFlush });
    await worker.start();
    await pollUntil(async () => {
      clock.advance(1000);
      return checkpointsCoverLog(log, kv);
    }, 'the worker to checkpoint the whole log');
    await worker.stop();
  }

  it('counts a random stream of +1/−1 deltas exactly, re-sent duplicates dropped, clamped at 0', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 1, max: 60 }), async (seed, flushEvents) => {
        await rm(dir, { recursive: true, force: true });
        const stream = generateStream(seededRandom(seed), 150);
        const { log, store } = await open();
        try {
          await produce(log, stream.produced);
          await drain(log, store, flushEvents);
          await expectCounts(store, oracle(stream.unique));
        } finally {
          await log.close();
          await store.close();
        }
      }),
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
    const { log, store } = await open();
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
    const { log, store } = await open();
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
    const { log, store } = await open();
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

  it('applies backpressure: a slow flush stalls consumption at two buffers per partition', async () => {
    const flushEvents = 20;
    const { log: realLog, store } = await open();
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

  it('loses nothing and counts nothing twice when it crashes at random points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.array(
          fc.record({
            flushEvents: fc.integer({ min: 3, max: 40 }),
            batch: fc.integer({ min: 1, max: 6 }),
            applied: fc.boolean(),
          }),
          { minLength: 2, maxLength: 5 },
        ),
        async (seed, crashes) => {
          await rm(dir, { recursive: true, force: true });
          const stream = generateStream(seededRandom(seed), 120);
          const chunk = Math.ceil(stream.produced.length / crashes.length);
          for (let round = 0; round < crashes.length; round++) {
            const { log, store } = await open();
            const kv = new ControlledKv(store);
            const { flushEvents, batch, applied } = crashes[round];
            kv.dieOn = { n: batch, applied };
            const clock = new ManualClock();
            const worker = new CountingWorker({ log, kv, clock, flushEvents, flushIntervalMs: 1000 });
            try {
              await produce(log, stream.produced.slice(round * chunk, (round + 1) * chunk));
              await worker.start();
              await pollUntil(async () => {
                clock.advance(1000);
                return kv.dead || (await checkpointsCoverLog(log, store));
              }, 'the crash point');
              // The crash: whatever the worker still holds in memory never reaches the store.
              kv.dead = true;
              await worker.stop();
            } finally {
              await log.close();
              await store.close();
            }
          }
          const { log, store } = await open();
          try {
            await drain(log, store, 17);
            await expectCounts(store, oracle(stream.unique));
          } finally {
            await log.close();
            await store.close();
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('survives kill -9 of a worker process mid-stream', async () => {
    const stream = generateStream(seededRandom(99), 900);
    const total = stream.produced.length;
    {
      const { log, store } = await open();
      await produce(log, stream.produced);
      await log.close();
      await store.close();
    }
    const repo = path.resolve(__dirname, '..');
    const script = path.join(dir, 'worker.ts');
    await writeFile(
      script,
      [
        `import { EmbeddedEventLog } from ${JSON.stringify(path.join(repo, 'platform/adapters/embedded-log'))};`,
        `import { LmdbKvStore } from ${JSON.stringify(path.join(repo, 'platform/adapters/lmdb-kv'))};`,
        `import { CountingWorker } from ${JSON.stringify(path.join(repo, 'indexer/counting'))};`,
        `import type { KvOp } from ${JSON.stringify(path.join(repo, 'platform/ports/kv-store'))};`,
        `async function main() {`,
        `  const log = await EmbeddedEventLog.open({ dir: ${JSON.stringify(logDir)}, fsync: 'never' });`,
        `  const store = LmdbKvStore.open({ path: ${JSON.stringify(kvDir)}, noSync: true });`,
        // Slow writes stretch the run so the kill lands mid-stream.
        `  const batch = store.batch.bind(store);`,
        `  store.batch = async (ops: KvOp[]) => { await new Promise((r) => setTimeout(r, 4)); await batch(ops); };`,
        `  const worker = new CountingWorker({ log, kv: store, flushEvents: 15, flushIntervalMs: 60_000,`,
        `    onFlush: (s) => process.stdout.write('flush ' + s.events + '\\n') });`,
        `  await worker.start();`,
        `}`,
        `main().catch((err) => { console.error(err); process.exit(1); });`,
      ].join('\n'),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );
    const killAfter = 20 + Math.floor(Math.random() * 40);
    await new Promise<void>((resolve, reject) => {
      let flushes = 0;
      child.stdout.on('data', (d: Buffer) => {
        flushes += (d.toString().match(/flush/g) ?? []).length;
        if (flushes >= killAfter) resolve();
      });
      void exited.then(() => reject(new Error(`worker exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const { log, store } = await open();
    try {
      const durable = await durableOffsets(store);
      expect(durable).toBeGreaterThan(0);
      expect(durable).toBeLessThan(total);
      await drain(log, store, 50);
      await expectCounts(store, oracle(stream.unique));
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

describe('GroupOffsetCommitter', () => {
  it('commits in the background, one at a time, folding offers made meanwhile into the next', async () => {
    const calls: { partition: number; offset: number }[][] = [];
    const gates: (() => void)[] = [];
    const errors: unknown[] = [];
    const committer = new GroupOffsetCommitter(
      TOPIC,
      async (offsets) => {
        calls.push(offsets.map(({ partition, offset }) => ({ partition, offset })));
        await new Promise<void>((resolve) => gates.push(resolve));
        if (offsets.some((o) => o.offset === 13)) throw new Error('broker said no');
      },
      (err) => errors.push(err),
    );
    committer.offer(0, 10);
    committer.offer(1, 5);
    await pollUntil(() => calls.length === 1, 'the first commit');
    // Offered while the first commit runs: one more commit, with the newest offset per partition.
    committer.offer(0, 12);
    committer.offer(0, 13);
    committer.offer(2, 7);
    const settled = committer.settled();
    gates.shift()!();
    await pollUntil(() => calls.length === 2, 'the second commit');
    gates.shift()!();
    await settled;
    expect(calls).toEqual([
      [
        { partition: 0, offset: 10 },
        { partition: 1, offset: 5 },
      ],
      [
        { partition: 0, offset: 13 },
        { partition: 2, offset: 7 },
      ],
    ]);
    expect(errors).toHaveLength(1);
    // A failed commit does not stop later ones.
    committer.offer(0, 14);
    await pollUntil(() => calls.length === 3, 'a commit after the failure');
    gates.shift()!();
    await committer.settled();
    expect(calls[2]).toEqual([{ partition: 0, offset: 14 }]);
  });
});
