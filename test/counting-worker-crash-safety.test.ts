import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { CountingWorker } from '../indexer/counting';
import { seededRandom } from '../platform/seeded-random';
import { ControlledKv } from './support/controlled-kv-store';
import type { CounterDirs } from './support/counting-worker-fixtures';
import {
  checkpointsCoverLog,
  drain,
  durableOffsets,
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

  it('loses nothing and counts nothing twice when it crashes at random points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer(),
        fc.array(
          fc.record({
            flushEvents: fc.integer({ min: 3, max: 40 }),
            batch: fc.integer({ min: 1, max: 6 }),
            applied: fc.boolean(),
            cacheCounts: fc.boolean(),
          }),
          { minLength: 2, maxLength: 5 },
        ),
        async (seed, crashes) => {
          await dirs.remove();
          const stream = generateStream(seededRandom(seed), 120);
          const chunk = Math.ceil(stream.produced.length / crashes.length);
          for (let round = 0; round < crashes.length; round++) {
            const { log, store } = await dirs.open();
            const kv = new ControlledKv(store);
            const { flushEvents, batch, applied, cacheCounts } = crashes[round];
            kv.dieOn = { n: batch, applied };
            const clock = new ManualClock();
            const worker = new CountingWorker({
              log,
              kv,
              clock,
              flushEvents,
              flushIntervalMs: 1000,
              cacheCounts,
            });
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
          const { log, store } = await dirs.open();
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
      const { log, store } = await dirs.open();
      await produce(log, stream.produced);
      await log.close();
      await store.close();
    }
    const repo = path.resolve(__dirname, '..');
    const script = path.join(dirs.dir, 'worker.ts');
    await writeFile(
      script,
      [
        `import { EmbeddedEventLog } from ${JSON.stringify(path.join(repo, 'platform/adapters/embedded-log'))};`,
        `import { LmdbKvStore } from ${JSON.stringify(path.join(repo, 'platform/adapters/lmdb-kv'))};`,
        `import { CountingWorker } from ${JSON.stringify(path.join(repo, 'indexer/counting'))};`,
        `import type { KvOp } from ${JSON.stringify(path.join(repo, 'platform/ports/kv-store'))};`,
        `async function main() {`,
        `  const log = await EmbeddedEventLog.open({ dir: ${JSON.stringify(dirs.logDir)}, fsync: 'never' });`,
        `  const store = LmdbKvStore.open({ path: ${JSON.stringify(dirs.kvDir)}, noSync: true });`,
        // Slow writes stretch the run so the kill lands mid-stream.
        `  const batch = store.batch.bind(store);`,
        `  store.batch = async (ops: KvOp[]) => { await new Promise((r) => setTimeout(r, 4)); await batch(ops); };`,
        `  const worker = new CountingWorker({ log, kv: store, flushEvents: 15, flushIntervalMs: 60_000, cacheCounts: true,`,
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

    const { log, store } = await dirs.open();
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
});
