import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { ensureTopics, TOPICS } from '../indexer/topics';
import { TREND_TOTALS, TREND_WINDOWS } from '../indexer/trending/trend-tables';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import { readSnapshot } from '../query/engine/snapshot-file';
import { seededRandom } from '../platform/seeded-random';
import { PipelineHarness } from './support/embedded-pipeline-harness';
import { generateEventStream } from './support/event-stream';
import { dumpTable, expectModelState, recentEvents } from './support/expect-model-state';

const KILLS = 10;
const CHILD = path.join(__dirname, 'support', 'pipeline-child.ts');

interface Run {
  child: ChildProcess;
  /** Resolves with the exit code or signal. */
  exited: Promise<string>;
  records: () => number;
  done: () => boolean;
  onProgress: (fn: () => void) => void;
}

function runChild(dir: string): Run {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let records = 0;
  let done = false;
  const listeners: (() => void)[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (process.env.CRASH_TEST_DEBUG) process.stderr.write(d);
  });
  readline.createInterface({ input: child.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as { records?: number; done?: boolean };
    if (msg.records !== undefined) records = msg.records;
    if (msg.done) done = true;
    for (const fn of listeners) fn();
  });
  const exited = new Promise<string>((resolve) =>
    child.on('exit', (code, signal) => resolve(signal ?? (code === 0 ? 'ok' : `exit ${code}: ${stderr}`))),
  );
  return { child, exited, records: () => records, done: () => done, onProgress: (fn) => listeners.push(fn) };
}

const dirs: string[] = [];
afterAll(async () => {
  if (!process.env.CRASH_TEST_KEEP) for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the embedded write path survives kill -9', () => {
  it('ends with the same documents, postings, counts, pages and trends as the model and a clean run', async () => {
    const events = recentEvents(generateEventStream(21, 4000));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'crash-'));
    dirs.push(dir);
    if (process.env.CRASH_TEST_DEBUG) console.error(`crash test dir ${dir}`);
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    await ensureTopics(log);
    await log.produce(
      TOPICS.postPublish,
      events.map((e) => ({ key: e.key, value: Buffer.from(JSON.stringify(e.raw)) })),
    );
    await log.close();

    // Kill at random points: each time a little further along, so every run makes progress.
    const random = seededRandom(4);
    let kills = 0;
    let finished = false;
    for (let attempt = 0; attempt < KILLS + 4 && !finished; attempt++) {
      const run = runChild(dir);
      const killAt = kills < KILLS ? Math.floor(random() * 120) + 5 : Infinity;
      // A random delay after the threshold spreads the kills over every step of a batch.
      const delay = random() * 40;
      let armed = false;
      run.onProgress(() => {
        if (armed || run.records() < killAt || run.done()) return;
        armed = true;
        setTimeout(() => run.child.kill('SIGKILL'), delay);
      });
      const outcome = await run.exited;
      if (outcome === 'SIGKILL') kills++;
      else {
        expect(outcome).toBe('ok');
        finished = run.done();
      }
    }
    // A fast machine may finish before every planned kill; it must still have been killed often.
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(finished).toBe(true);

    // The oracle: an independent model for documents, postings, counts and pages…
    const kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
    const { index } = await readSnapshot(path.join(dir, 'bitmaps.snap'));
    await expectModelState(kv, index, events);

    // …and, for the trending windows, the same stream ingested without crashes.
    const clean = await PipelineHarness.create();
    try {
      await clean.publish(events);
      await clean.start();
      await clean.caughtUp();
      const windows = await dumpTable(clean.kv, TREND_WINDOWS);
      expect(Object.keys(windows).length).toBeGreaterThan(0);
      expect(await dumpTable(kv, TREND_WINDOWS)).toEqual(windows);
      expect(await dumpTable(kv, TREND_TOTALS)).toEqual(await dumpTable(clean.kv, TREND_TOTALS));
    } finally {
      await clean.destroy();
      await kv.close();
    }
  }, 180_000);
});
