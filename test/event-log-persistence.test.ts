import fc from 'fast-check';
import { mkdtemp, readdir } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { partitionForKey } from '../platform/partition-for-key';
import type { LogRecord, ProducedRecord } from '../platform/ports/event-log';
import type { EmbeddedLogDir } from './support/embedded-log-dir';
import { sample, useEmbeddedLogDir } from './support/embedded-log-dir';
import { expectRejectsWithCode } from './support/expect-rejects-with-code';
import { pollUntil } from './support/poll';

describe('EmbeddedEventLog', () => {
  let tmp: EmbeddedLogDir;
  useEmbeddedLogDir((t) => (tmp = t));

  it('keeps records, topics and committed offsets across close and reopen', async () => {
    let log = await tmp.openLog();
    await log.ensureTopic('posts', { partitions: 4 });
    const produced = sample(50);
    const at = await log.produce('posts', produced);
    const consumer = log.consumer({ groupId: 'indexer', topics: ['posts'] });
    await consumer.commit([{ topic: 'posts', partition: at[0].partition, offset: at[0].offset + 1 }]);
    const ends = await log.endOffsets('posts');
    const before = await tmp.readAll(log, 'posts');
    await tmp.closeLog(log);

    log = await tmp.openLog();
    expect(await log.partitionCount('posts')).toBe(4);
    expect(await log.endOffsets('posts')).toEqual(ends);
    const after = await tmp.readAll(log, 'posts');
    expect(after.map((r) => [r.partition, r.offset, r.key, r.value.toString(), r.timestamp])).toEqual(
      before.map((r) => [r.partition, r.offset, r.key, r.value.toString(), r.timestamp]),
    );
    const committed = await log.consumer({ groupId: 'indexer', topics: ['posts'] }).committed('posts');
    expect(committed[at[0].partition].offset).toBe(at[0].offset + 1);
    await expectRejectsWithCode(log.ensureTopic('posts', { partitions: 5 }), 'PARTITION_COUNT_MISMATCH');
  });

  it('rolls segments past segmentBytes and reads across them, also after reopening', async () => {
    let log = await tmp.openLog({ segmentBytes: 1024 });
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
      const names = (await readdir(path.join(tmp.dir, 't', String(partition)))).sort();
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
    expect((await tmp.readAll(log, 't')).map(project)).toEqual(expected);
    await tmp.closeLog(log);

    log = await tmp.openLog({ segmentBytes: 1024 });
    const ends = await log.endOffsets('t');
    for (const target of [0, 1000, 1007, 1024, 1025]) {
      const want = ends.map(({ partition, offset: end }) => {
        const hits = at.filter((o, i) => o.partition === partition && produced[i].timestamp! >= target);
        return hits.length === 0 ? end : Math.min(...hits.map((o) => o.offset));
      });
      expect((await log.offsetsForTimestamp('t', target)).map((o) => o.offset)).toEqual(want);
    }
    expect((await tmp.readAll(log, 't')).map(project)).toEqual(expected);
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
          const runDir = await mkdtemp(path.join(tmp.dir, 'run-'));
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
