import type { Clock } from '../platform/clock';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { ValidationError } from '../platform/errors';
import type { ProducedRecord } from '../platform/ports/event-log';
import { eventLogContract } from './contracts/event-log-contract';
import { EmbeddedLogDir, sample, useEmbeddedLogDir } from './support/embedded-log-dir';
import { expectRejectsWithCode } from './support/expect-rejects-with-code';

for (const fsync of ['never', 'always'] as const) {
  eventLogContract(`EmbeddedEventLog (fsync ${fsync})`, async () => {
    const tmp = await EmbeddedLogDir.create();
    const log = await tmp.openLog({ fsync });
    return { log, cleanup: () => tmp.cleanup() };
  });
}

describe('EmbeddedEventLog', () => {
  let tmp: EmbeddedLogDir;
  useEmbeddedLogDir((t) => (tmp = t));

  it('stamps missing timestamps from the injected clock', async () => {
    const clock: Clock = { now: () => 1_234_567, sleep: async () => undefined };
    const log = await tmp.openLog({ clock });
    await log.ensureTopic('t', { partitions: 2 });
    await log.produce('t', [...sample(3), { key: 'x', value: Buffer.from('y'), timestamp: 99 }]);
    const all = await tmp.readAll(log, 't');
    expect(all.map((r) => r.timestamp).sort()).toEqual([1_234_567, 1_234_567, 1_234_567, 99].sort());
  });

  it('gives concurrent produce calls distinct consecutive offsets under fsync always', async () => {
    const log = await tmp.openLog({ fsync: 'always' });
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
    const log = await tmp.openLog();
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
    tmp.track(first);
    await first.run({ eachBatch: async () => undefined });
    await expectRejectsWithCode(
      log.consumer({ groupId: 'g', topics: ['t'] }).run({ eachBatch: async () => undefined }),
      'GROUP_BUSY',
    );
    await first.stop();
    const second = log.consumer({ groupId: 'g', topics: ['t'] });
    tmp.track(second);
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
    await expectRejectsWithCode(EmbeddedEventLog.open({ dir: tmp.dir }), 'LOG_DIR_IN_USE');
  });

  it('stops running consumers with onRevoke when the log closes', async () => {
    const log = await tmp.openLog();
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
    await tmp.closeLog(log);
    expect(revoked.sort()).toEqual([0, 1]);
    await expectRejectsWithCode(log.produce('t', sample(1)), 'LOG_CLOSED');
  });
});
