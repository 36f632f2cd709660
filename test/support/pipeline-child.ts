/**
 * The embedded write path as a separate process, for the kill -9 test:
 * `node --import tsx test/support/pipeline-child.ts <dir>`. It prints one
 * JSON line per index batch and `{"done":true}` once every consumer and the
 * bitmap replica have caught up and the replica is snapshotted, then exits.
 */
import path from 'node:path';
import { IndexerPipeline } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { fileBitmapSnapshots } from '../../indexer/postings/bitmap-snapshots';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import pino from 'pino';

async function main(dir: string): Promise<void> {
  // Errors go to stderr, which the test prints if a run fails or never finishes.
  const logger = pino({ level: 'warn', name: 'pipeline-child' }, pino.destination(2));
  const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
  const kv = LmdbKvStore.open({ path: path.join(dir, 'kv'), noSync: true });
  const follower = await BitmapFollower.open({
    log,
    snapshots: fileBitmapSnapshots(path.join(dir, 'bitmaps.snap')),
    snapshotIntervalMs: 30,
    logger,
  });
  await follower.start();
  const pipeline = await IndexerPipeline.start({
    log,
    kv,
    logger,
    indexBatchSize: 40,
    counter: { flushEvents: 40, flushIntervalMs: 25 },
    trending: { flushEvents: 60, flushIntervalMs: 25 },
  });
  let records = 0;
  pipeline.index!.onBatch((s) => {
    records += s.records;
    process.stdout.write(`${JSON.stringify({ records })}\n`);
  });
  for (let polls = 1; ; polls++) {
    if ((await pipeline.caughtUp()) && (await follower.caughtUp())) break;
    // Says what it is waiting for, in case a test has to report a run that never finishes.
    if (polls % 200 === 0) {
      const state = {
        index: pipeline.index?.totals,
        counter: pipeline.counter?.metrics(),
        follower: { position: follower.position, lag: follower.lag },
      };
      process.stderr.write(`${JSON.stringify(state)}\n`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await pipeline.stop();
  await follower.stop();
  await follower.snapshot();
  await kv.close();
  await log.close();
  process.stdout.write(`${JSON.stringify({ done: true })}\n`);
}

main(process.argv[2]!).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
