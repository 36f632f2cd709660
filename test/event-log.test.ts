import fc from 'fast-check';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Clock } from '../platform/clock';
import { EmbeddedEventLog, type EmbeddedEventLogOptions } from '../platform/adapters/embedded-log';
import { AppError, StorageError, ValidationError } from '../platform/errors';
import { partitionForKey } from '../platform/partition-for-key';
import type { LogConsumer, LogRecord, ProducedRecord } from '../platform/ports/event-log';
import { eventLogContract } from './contracts/event-log-contract';
import { pollUntil } from './support/poll';

async function tempDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), 'event-log-test-'));
}

for (const fsync of ['never', 'always'] as const) {
  eventLogContract(`EmbeddedEventLog (fsync ${fsync})`, async () => {
    const dir = await tempDir();
    const log = await EmbeddedEventLog.open({ dir, fsync });
    return {
      log,
      cleanup: async () => {
        await log.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
}

/** Bytes of one record on disk, from the documented format: 36-byte header, key, value. */
function recordBytes(key: string, value: Buffer): number {
  return 36 + Buffer.byteLength(key) + value.length;
}

function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

async function expectRejectsWithCode(promise: Promise<unknown>, code: string): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe('EmbeddedEventLog', () => {
  let dir: string;
  const opened: EmbeddedEventLog[] = [];
  const consumers: LogConsumer[] = [];

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    for (const consumer of consumers.splice(0)) await consumer.stop().catch(() => undefined);
    for (const log of opened.splice(0)) await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function openLog(options: Partial<EmbeddedEventLogOptions> = {}): Promise<EmbeddedEventLog> {
    const log = await EmbeddedEventLog.open({ dir, fsync: 'never', ...options });
    opened.push(log);
    return log;
  }

  async function closeLog(log: EmbeddedEventLog): Promise<void> {
    await log.close();
    opened.splice(opened.indexOf(log), 1);
  }

  /** Reads every record of `topic` with a fresh group, from offset 0. */
  async function readAll(log: EmbeddedEventLog, topic: string): Promise<LogRecord[]> {
    const ends = await log.endOffsets(topic);
    const total = ends.reduce((sum, e) => sum + e.offset, 0);
    const received: LogRecord[] = [];
    const consumer = log.consumer({
      groupId: `read-${Math.random().toString(36).slice(2)}`,
      topics: [topic],
    });
    consumers.push(consumer);
    await consumer.run({
      startOffset: async () => 0,
      eachBatch: async (batch) => {
        received.push(...batch.records);
      },
    });
    await pollUntil(() => received.length >= total, `${total} records of ${topic}`);
    await consumer.stop();
    return received.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  }

  const segmentFile = (topic: string, partition: number, base = 0) =>
    path.join(dir, topic, String(partition), `${String(base).padStart(20, '0')}.log`);

  const sample = (n: number, from = 0): ProducedRecord[] =>
    Array.from({ length: n }, (_, i) => ({
      key: `k${from + i}`,
      value: Buffer.from(`value number ${from + i}`),
    }));

  it('keeps records, topics and committed offsets across close and reopen', async () => {
    let log = await openLog();
    await log.ensureTopic('posts', { partitions: 4 });
    const produced = sample(50);
    const at = await log.produce('posts', produced);
    const consumer = log.consumer({ groupId: 'indexer', topics: ['posts'] });
    await consumer.commit([{ topic: 'posts', partition: at[0].partition, offset: at[0].offset + 1 }]);
    const ends = await log.endOffsets('posts');
    const before = await readAll(log, 'posts');
    await closeLog(log);

    log = await openLog();
    expect(await log.partitionCount('posts')).toBe(4);
    expect(await log.endOffsets('posts')).toEqual(ends);
    const after = await readAll(log, 'posts');
    expect(after.map((r) => [r.partition, r.offset, r.key, r.value.toString(), r.timestamp])).toEqual(
      before.map((r) => [r.partition, r.offset, r.key, r.value.toString(), r.timestamp]),
    );
    const committed = await log.consumer({ groupId: 'indexer', topics: ['posts'] }).committed('posts');
    expect(committed[at[0].partition].offset).toBe(at[0].offset + 1);
    await expectRejectsWithCode(log.ensureTopic('posts', { partitions: 5 }), 'PARTITION_COUNT_MISMATCH');
  });

  it('truncates garbage appended after the last record and keeps producing at the right offset', async () => {
    let log = await openLog();
    await log.ensureTopic('t', { partitions: 1 });
    await log.produce('t', sample(5));
    await closeLog(log);
    const file = segmentFile('t', 0);
    const goodSize = (await stat(file)).size;
    await appendFile(file, Buffer.from('a torn write leaves some of these bytes behind'));

    const { logger, lines } = captureLogger();
    log = await openLog({ logger });
    expect((await stat(file)).size).toBe(goodSize);
    expect(lines).toEqual([expect.objectContaining({ level: 40, file, position: goodSize })]);
    expect((await log.endOffsets('t'))[0].offset).toBe(5);
    expect((await log.produce('t', sample(1, 5)))[0].offset).toBe(5);
    const all = await readAll(log, 't');
    expect(all.map((r) => r.value.toString())).toEqual(sample(6).map((r) => r.value.toString()));
  });

  it('drops a partially written last record and reuses its offset', async () => {
    let log = await openLog();
    await log.ensureTopic('t', { partitions: 1 });
    const produced = sample(5);
    await log.produce('t', produced);
    await closeLog(log);
    const file = segmentFile('t', 0);
    const size = (await stat(file)).size;
    const lastStart = size - recordBytes(produced[4].key, produced[4].value);
    await truncate(file, size - 7);

    log = await openLog();
    expect((await stat(file)).size).toBe(lastStart);
    expect((await log.endOffsets('t'))[0].offset).toBe(4);
    const replacement = { key: 'again', value: Buffer.from('replacement') };
    expect((await log.produce('t', [replacement]))[0].offset).toBe(4);
    const all = await readAll(log, 't');
    expect(all.map((r) => r.value.toString())).toEqual([
      ...produced.slice(0, 4).map((r) => r.value.toString()),
      'replacement',
    ]);
  });

  it('truncates a zero-filled tail, as left when a crash extends the file before writing it', async () => {
    let log = await openLog();
    await log.ensureTopic('t', { partitions: 1 });
    await log.produce('t', sample(3));
    await closeLog(log);
    const file = segmentFile('t', 0);
    const goodSize = (await stat(file)).size;
    await appendFile(file, Buffer.alloc(8192));
    log = await openLog();
    expect((await stat(file)).size).toBe(goodSize);
    expect((await log.endOffsets('t'))[0].offset).toBe(3);
  });

  it('refuses to open a segment with a bad record in the middle and leaves the file alone', async () => {
    const log = await openLog();
    await log.ensureTopic('t', { partitions: 1 });
    const produced = sample(5);
    await log.produce('t', produced);
    await closeLog(log);
    const file = segmentFile('t', 0);
    const original = await readFile(file);
    const thirdStart =
      recordBytes(produced[0].key, produced[0].value) + recordBytes(produced[1].key, produced[1].value);
    const damaged = Buffer.from(original);
    damaged[thirdStart + 40] ^= 0xff; // a byte of the third record's value
    await writeFile(file, damaged);

    const err = await expectRejectsWithCode(EmbeddedEventLog.open({ dir, fsync: 'never' }), 'LOG_CORRUPT');
    expect(err).toBeInstanceOf(StorageError);
    expect(err.details).toEqual(expect.objectContaining({ file, position: thirdStart }));
    expect(err.message).toContain(file);
    expect(await readFile(file)).toEqual(damaged);

    // A damaged length field is corruption too when intact records follow.
    const badLength = Buffer.from(original);
    badLength.writeUInt32LE(0x00ffffff, thirdStart + 4);
    await writeFile(file, badLength);
    const err2 = await expectRejectsWithCode(EmbeddedEventLog.open({ dir, fsync: 'never' }), 'LOG_CORRUPT');
    expect(err2.details).toEqual(expect.objectContaining({ position: thirdStart }));
    expect((await stat(file)).size).toBe(original.length);
  });

  it('rolls segments past segmentBytes and reads across them, also after reopening', async () => {
    let log = await openLog({ segmentBytes: 1024 });
    await log.ensureTopic('t', { partitions: 2 });
    const produced: ProducedRecord[] = [];
    const at: { partition: number; offset: number }[] = [];
    for (let call = 0; call < 25; call++) {
      const batch = Array.from({ length: 6 }, (_, i) => ({
        key: `key-${(call * 6 + i) % 11}`,
        value: Buffer.alloc(40 + ((call + i) % 30), call),
        timestamp: 1000 + call,
      }));
      produced.push(...batch);
      at.push(...(await log.produce('t', batch)));
    }
    for (const partition of [0, 1]) {
      const names = (await readdir(path.join(dir, 't', String(partition)))).sort();
      expect(names.length).toBeGreaterThan(2);
      // A produce call's records of one partition are written together, so every
      // segment after the first starts at the first record of some call.
      const callFirsts = new Set<number>();
      for (let call = 0; call < 25; call++) {
        const inCall = at.slice(call * 6, call * 6 + 6).filter((o) => o.partition === partition);
        if (inCall.length > 0) callFirsts.add(inCall[0].offset);
      }
      const bases = names.map((n) => Number(n.slice(0, 20)));
      expect(bases[0]).toBe(0);
      for (const base of bases.slice(1)) expect(callFirsts.has(base)).toBe(true);
    }
    const expected = produced
      .map((r, i) => ({
        partition: at[i].partition,
        offset: at[i].offset,
        key: r.key,
        value: r.value.toString('hex'),
        timestamp: r.timestamp,
      }))
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset);
    const project = (r: LogRecord) => ({
      partition: r.partition,
      offset: r.offset,
      key: r.key,
      value: r.value.toString('hex'),
      timestamp: r.timestamp,
    });
    expect((await readAll(log, 't')).map(project)).toEqual(expected);
    await closeLog(log);

    log = await openLog({ segmentBytes: 1024 });
    const ends = await log.endOffsets('t');
    for (const target of [0, 1000, 1007, 1024, 1025]) {
      const want = ends.map(({ partition, offset: end }) => {
        const hits = at.filter((o, i) => o.partition === partition && produced[i].timestamp! >= target);
        return hits.length === 0 ? end : Math.min(...hits.map((o) => o.offset));
      });
      expect((await log.offsetsForTimestamp('t', target)).map((o) => o.offset)).toEqual(want);
    }
    expect((await readAll(log, 't')).map(project)).toEqual(expected);
  });

  it('reports a damaged sealed segment as LOG_CORRUPT when it is first read', async () => {
    let log = await openLog({ segmentBytes: 200 });
    await log.ensureTopic('t', { partitions: 1 });
    for (let i = 0; i < 6; i++) await log.produce('t', sample(2, 2 * i));
    await closeLog(log);
    const file = segmentFile('t', 0);
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(file, bytes);
    log = await openLog({ segmentBytes: 200 });
    const err = await expectRejectsWithCode(log.offsetsForTimestamp('t', 0), 'LOG_CORRUPT');
    expect(err.details).toEqual(expect.objectContaining({ file }));
  });

  it('stamps missing timestamps from the injected clock', async () => {
    const clock: Clock = { now: () => 1_234_567, sleep: async () => undefined };
    const log = await openLog({ clock });
    await log.ensureTopic('t', { partitions: 2 });
    await log.produce('t', [...sample(3), { key: 'x', value: Buffer.from('y'), timestamp: 99 }]);
    const all = await readAll(log, 't');
    expect(all.map((r) => r.timestamp).sort()).toEqual([1_234_567, 1_234_567, 1_234_567, 99].sort());
  });

  it('gives concurrent produce calls distinct consecutive offsets under fsync always', async () => {
    const log = await openLog({ fsync: 'always' });
    await log.ensureTopic('t', { partitions: 1 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => log.produce('t', [{ key: 'k', value: Buffer.from(String(i)) }])),
    );
    expect(results.map((r) => r[0].offset).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect((await log.endOffsets('t'))[0].offset).toBe(20);
  });

  it('rejects unknown topics, bad input, a busy group and a second open of the same directory', async () => {
    const log = await openLog();
    await log.ensureTopic('t', { partitions: 2 });
    await expectRejectsWithCode(log.produce('missing', sample(1)), 'UNKNOWN_TOPIC');
    await expectRejectsWithCode(log.endOffsets('missing'), 'UNKNOWN_TOPIC');
    await expectRejectsWithCode(log.ensureTopic('t', { partitions: 3 }), 'PARTITION_COUNT_MISMATCH');
    await expect(log.ensureTopic('../escape', { partitions: 1 })).rejects.toThrow(ValidationError);
    await expect(log.ensureTopic('__groups', { partitions: 1 })).rejects.toThrow(ValidationError);
    const badKey = log.produce('t', [
      sample(1)[0],
      { key: 7, value: Buffer.from('') } as unknown as ProducedRecord,
    ]);
    await expect(badKey).rejects.toMatchObject({ issues: [{ field: '[1].key' }] });
    const badValue = log.produce('t', [{ key: 'k', value: 'text' } as unknown as ProducedRecord]);
    await expect(badValue).rejects.toMatchObject({ issues: [{ field: '[0].value' }] });
    expect((await log.endOffsets('t')).map((e) => e.offset)).toEqual([0, 0]);

    const first = log.consumer({ groupId: 'g', topics: ['t'] });
    consumers.push(first);
    await first.run({ eachBatch: async () => undefined });
    await expectRejectsWithCode(
      log.consumer({ groupId: 'g', topics: ['t'] }).run({ eachBatch: async () => undefined }),
      'GROUP_BUSY',
    );
    await first.stop();
    const second = log.consumer({ groupId: 'g', topics: ['t'] });
    consumers.push(second);
    await second.run({ eachBatch: async () => undefined });

    await expectRejectsWithCode(
      log.consumer({ groupId: 'h', topics: ['missing'] }).run({ eachBatch: async () => undefined }),
      'UNKNOWN_TOPIC',
    );
    await expectRejectsWithCode(
      log
        .consumer({ groupId: 'h', topics: ['t'] })
        .run({ eachBatch: async () => undefined, startOffset: async () => 5 }),
      'OFFSET_OUT_OF_RANGE',
    );
    await expectRejectsWithCode(EmbeddedEventLog.open({ dir }), 'LOG_DIR_IN_USE');
  });

  it('stops running consumers with onRevoke when the log closes', async () => {
    const log = await openLog();
    await log.ensureTopic('t', { partitions: 2 });
    const revoked: number[] = [];
    const consumer = log.consumer({ groupId: 'g', topics: ['t'] });
    await consumer.run({
      eachBatch: async () => undefined,
      onRevoke: async (partitions) => {
        revoked.push(...partitions.map((p) => p.partition));
        await consumer.commit([{ topic: 't', partition: 0, offset: 0 }]);
      },
    });
    await closeLog(log);
    expect(revoked.sort()).toEqual([0, 1]);
    await expectRejectsWithCode(log.produce('t', sample(1)), 'LOG_CLOSED');
  });

  it('matches a simple in-memory model over random produce sequences and reopens', async () => {
    const batchArb = fc.array(
      fc.record({
        key: fc.constantFrom('a', 'b', 'c', 'd', 'é', '😀', 'long-key-'.repeat(5)),
        value: fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)),
        gap: fc.nat({ max: 3 }),
      }),
      { minLength: 1, maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(batchArb, fc.boolean()), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 1, max: 4 }),
        async (calls, segmentBytes, partitions) => {
          const runDir = await mkdtemp(path.join(dir, 'run-'));
          const model: { key: string; value: Buffer; timestamp: number }[][] = Array.from(
            { length: partitions },
            () => [],
          );
          let clockNow = 5_000;
          let log = await EmbeddedEventLog.open({ dir: runDir, fsync: 'never', segmentBytes });
          try {
            await log.ensureTopic('m', { partitions });
            for (const [batch, reopen] of calls) {
              const records = batch.map((r) => ({
                key: r.key,
                value: r.value,
                timestamp: (clockNow += r.gap),
              }));
              const at = await log.produce('m', records);
              records.forEach((r, i) => {
                const p = partitionForKey(r.key, partitions);
                expect(at[i]).toEqual({ topic: 'm', partition: p, offset: model[p].length });
                model[p].push(r);
              });
              if (reopen) {
                await log.close();
                log = await EmbeddedEventLog.open({ dir: runDir, fsync: 'never', segmentBytes });
              }
            }
            expect((await log.endOffsets('m')).map((e) => e.offset)).toEqual(model.map((m) => m.length));
            for (const target of [0, 5_000, 5_001, clockNow - 1, clockNow, clockNow + 1]) {
              const want = model.map((m) => {
                const i = m.findIndex((r) => r.timestamp >= target);
                return i < 0 ? m.length : i;
              });
              expect((await log.offsetsForTimestamp('m', target)).map((o) => o.offset)).toEqual(want);
            }
            const received: LogRecord[] = [];
            const consumer = log.consumer({ groupId: 'model', topics: ['m'], maxBatchSize: 5 });
            await consumer.run({
              eachBatch: async (b) => {
                received.push(...b.records);
              },
            });
            const total = model.reduce((s, m) => s + m.length, 0);
            await pollUntil(() => received.length >= total, 'model records');
            await consumer.stop();
            for (let p = 0; p < partitions; p++) {
              const got = received.filter((r) => r.partition === p);
              expect(got.map((r) => [r.offset, r.key, r.value.toString('hex'), r.timestamp])).toEqual(
                model[p].map((r, i) => [i, r.key, r.value.toString('hex'), r.timestamp]),
              );
            }
          } finally {
            await log.close();
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
