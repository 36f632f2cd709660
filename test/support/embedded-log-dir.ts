import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedEventLog, type EmbeddedEventLogOptions } from '../../platform/adapters/embedded-log';
import type { LogConsumer, LogRecord, ProducedRecord } from '../../platform/ports/event-log';
import { pollUntil } from './poll';

/**
 * A temp directory for EmbeddedEventLog tests. It remembers the logs and
 * consumers a test opens, so a failing test still releases the directory
 * lock and leaves nothing running for the next one.
 */
export class EmbeddedLogDir {
  private readonly opened: EmbeddedEventLog[] = [];
  private readonly consumers: LogConsumer[] = [];

  private constructor(readonly dir: string) {}

  static async create(): Promise<EmbeddedLogDir> {
    return new EmbeddedLogDir(await mkdtemp(path.join(os.tmpdir(), 'event-log-test-')));
  }

  async openLog(options: Partial<EmbeddedEventLogOptions> = {}): Promise<EmbeddedEventLog> {
    const log = await EmbeddedEventLog.open({ dir: this.dir, fsync: 'never', ...options });
    this.opened.push(log);
    return log;
  }

  async closeLog(log: EmbeddedEventLog): Promise<void> {
    await log.close();
    this.opened.splice(this.opened.indexOf(log), 1);
  }

  /** Stops `consumer` at cleanup if the test has not. */
  track(consumer: LogConsumer): LogConsumer {
    this.consumers.push(consumer);
    return consumer;
  }

  /** Reads every record of `topic` with a fresh group, from offset 0. */
  async readAll(log: EmbeddedEventLog, topic: string): Promise<LogRecord[]> {
    const ends = await log.endOffsets(topic);
    const total = ends.reduce((sum, e) => sum + e.offset, 0);
    const received: LogRecord[] = [];
    const consumer = this.track(
      log.consumer({
        groupId: `read-${Math.random().toString(36).slice(2)}`,
        topics: [topic],
      }),
    );
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

  async cleanup(): Promise<void> {
    for (const consumer of this.consumers.splice(0)) await consumer.stop().catch(() => undefined);
    for (const log of this.opened.splice(0)) await log.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** `n` records with distinct keys and values, numbered from `from`. */
export const sample = (n: number, from = 0): ProducedRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    key: `k${from + i}`,
    value: Buffer.from(`value number ${from + i}`),
  }));

/** A fresh EmbeddedLogDir for each test of the suite, handed to `use`; cleaned up after each. */
export function useEmbeddedLogDir(use: (tmp: EmbeddedLogDir) => void): void {
  let tmp: EmbeddedLogDir | undefined;
  beforeEach(async () => {
    tmp = await EmbeddedLogDir.create();
    use(tmp);
  });
  afterEach(() => tmp?.cleanup());
}
