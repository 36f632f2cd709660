// A crash can leave the end of the segment being written half done, and open cuts that off.
// Damage anywhere else is not a crash's doing, so it is reported and the file is left alone.
import { appendFile, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { StorageError } from '../platform/errors';
import type { EmbeddedLogDir } from './support/embedded-log-dir';
import { sample, useEmbeddedLogDir } from './support/embedded-log-dir';
import { expectRejectsWithCode } from './support/expect-rejects-with-code';

/** Bytes of one record on disk, from the documented format: 36-byte header, key, value. */
function recordBytes(key: string, value: Buffer): number {
  return 36 + Buffer.byteLength(key) + value.length;
}

function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('EmbeddedEventLog', () => {
  let tmp: EmbeddedLogDir;
  useEmbeddedLogDir((t) => (tmp = t));

  const segmentFile = (topic: string, partition: number, base = 0) =>
    path.join(tmp.dir, topic, String(partition), `${String(base).padStart(20, '0')}.log`);

  it('truncates garbage appended after the last record and keeps producing at the right offset', async () => {
    let log = await tmp.openLog();
    await log.ensureTopic('t', { partitions: 1 });
    await log.produce('t', sample(5));
    await tmp.closeLog(log);
    const file = segmentFile('t', 0);
    const goodSize = (await stat(file)).size;
    await appendFile(file, Buffer.from('a torn write leaves some of these bytes behind'));

    const { logger, lines } = captureLogger();
    log = await tmp.openLog({ logger });
    expect((await stat(file)).size).toBe(goodSize);
    expect(lines).toEqual([expect.objectContaining({ level: 40, file, position: goodSize })]);
    expect((await log.endOffsets('t'))[0].offset).toBe(5);
    expect((await log.produce('t', sample(1, 5)))[0].offset).toBe(5);
    const all = await tmp.readAll(log, 't');
    expect(all.map((r) => r.value.toString())).toEqual(sample(6).map((r) => r.value.toString()));
  });

  it('drops a partially written last record and reuses its offset', async () => {
    let log = await tmp.openLog();
    await log.ensureTopic('t', { partitions: 1 });
    const produced = sample(5);
    await log.produce('t', produced);
    await tmp.closeLog(log);
    const file = segmentFile('t', 0);
    const size = (await stat(file)).size;
    const lastStart = size - recordBytes(produced[4].key, produced[4].value);
    await truncate(file, size - 7);

    log = await tmp.openLog();
    expect((await stat(file)).size).toBe(lastStart);
    expect((await log.endOffsets('t'))[0].offset).toBe(4);
    const replacement = { key: 'again', value: Buffer.from('replacement') };
    expect((await log.produce('t', [replacement]))[0].offset).toBe(4);
    const all = await tmp.readAll(log, 't');
    expect(all.map((r) => r.value.toString())).toEqual([
      ...produced.slice(0, 4).map((r) => r.value.toString()),
      'replacement',
    ]);
  });

  it('truncates a zero-filled tail, as left when a crash extends the file before writing it', async () => {
    let log = await tmp.openLog();
    await log.ensureTopic('t', { partitions: 1 });
    await log.produce('t', sample(3));
    await tmp.closeLog(log);
    const file = segmentFile('t', 0);
    const goodSize = (await stat(file)).size;
    await appendFile(file, Buffer.alloc(8192));
    log = await tmp.openLog();
    expect((await stat(file)).size).toBe(goodSize);
    expect((await log.endOffsets('t'))[0].offset).toBe(3);
  });

  it('refuses to open a segment with a bad record in the middle and leaves the file alone', async () => {
    const log = await tmp.openLog();
    await log.ensureTopic('t', { partitions: 1 });
    const produced = sample(5);
    await log.produce('t', produced);
    await tmp.closeLog(log);
    const file = segmentFile('t', 0);
    const original = await readFile(file);
    const thirdStart =
      recordBytes(produced[0].key, produced[0].value) + recordBytes(produced[1].key, produced[1].value);
    const damaged = Buffer.from(original);
    damaged[thirdStart + 40] ^= 0xff; // a byte of the third record's value
    await writeFile(file, damaged);

    const err = await expectRejectsWithCode(
      EmbeddedEventLog.open({ dir: tmp.dir, fsync: 'never' }),
      'LOG_CORRUPT',
    );
    expect(err).toBeInstanceOf(StorageError);
    expect(err.details).toEqual(expect.objectContaining({ file, position: thirdStart }));
    expect(err.message).toContain(file);
    expect(await readFile(file)).toEqual(damaged);

    // A damaged length field is corruption too when intact records follow.
    const badLength = Buffer.from(original);
    badLength.writeUInt32LE(0x00ffffff, thirdStart + 4);
    await writeFile(file, badLength);
    const err2 = await expectRejectsWithCode(
      EmbeddedEventLog.open({ dir: tmp.dir, fsync: 'never' }),
      'LOG_CORRUPT',
    );
    expect(err2.details).toEqual(expect.objectContaining({ position: thirdStart }));
    expect((await stat(file)).size).toBe(original.length);
  });

  it('reports a damaged sealed segment as LOG_CORRUPT when it is first read', async () => {
    let log = await tmp.openLog({ segmentBytes: 200 });
    await log.ensureTopic('t', { partitions: 1 });
    for (let i = 0; i < 6; i++) await log.produce('t', sample(2, 2 * i));
    await tmp.closeLog(log);
    const file = segmentFile('t', 0);
    const bytes = await readFile(file);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(file, bytes);
    log = await tmp.openLog({ segmentBytes: 200 });
    const err = await expectRejectsWithCode(log.offsetsForTimestamp('t', 0), 'LOG_CORRUPT');
    expect(err.details).toEqual(expect.objectContaining({ file }));
  });
});
