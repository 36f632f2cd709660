/**
 * `npm run bench -- ingest [--posts N]`: the whole embedded write path.
 * Upload events (users, locations, follows, then posts with 1–6 Zipf tags)
 * are appended to the embedded log, then the index consumer (documents,
 * postings, repartition), the curated-top consumer, the counting worker,
 * trending and a bitmap replica run until all have caught up. The baseline,
 * measured in the same run, is a consumer that only reads and validates the
 * same events: the ceiling the log and the schemas allow.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { IndexerPipeline } from '../../indexer/indexer-pipeline';
import { BitmapFollower } from '../../indexer/postings/bitmap-follower';
import { ensureTopics, TOPICS } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import type { EventLog, ProducedRecord } from '../../platform/ports/event-log';
import { decodeEvent } from '../../schemas/events';
import { printTable } from './support/print-table';
import { parseFlags, seededRandom, zipfSampler } from './support/seeded-random';

const WORDS = ['golden', 'hour', 'with', 'friends', 'today', 'best', 'view', 'coffee', 'walk', 'again'];

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    posts: 200_000,
    users: 20_000,
    locations: 2_000,
    follows: 100_000,
    tags: 100_000,
    zipf: 1.0,
    seed: 7,
    mode: 'embedded',
    fsync: 'never',
    kvSync: 'always',
  });
  if (flags.mode !== 'embedded') {
    throw new Error(`--mode ${flags.mode}: only embedded is built so far`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-ingest-bench-'));
  try {
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: flags.fsync as 'never' });
    await ensureTopics(log);
    const { records, posts, tagsPerPost } = generate(flags);
    console.log(
      `ingest benchmark: ${posts.toLocaleString()} posts (${tagsPerPost.toFixed(2)} tags/post over ` +
        `${flags.tags.toLocaleString()} tags, Zipf s=${flags.zipf}), ${flags.users} users, ${flags.locations} ` +
        `locations, ${flags.follows} follows; ${records.length.toLocaleString()} events; log fsync ${flags.fsync}`,
    );
    let started = performance.now();
    for (let i = 0; i < records.length; i += 5000)
      await log.produce(TOPICS.postPublish, records.slice(i, i + 5000));
    const produceSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    await readAndValidate(log, records.length);
    const baselineSeconds = (performance.now() - started) / 1000;

    const kv = LmdbKvStore.open({ path: path.join(dir, 'kv'), noSync: flags.kvSync === 'never' });
    const counter = { flushes: 0, kvWrites: 0, events: 0 };
    started = performance.now();
    const follower = await BitmapFollower.open({ log, groupId: 'bench-bitmaps' });
    await follower.start();
    // A short flush interval, so the measurement ends when the work does, not at the next timed flush.
    const pipeline = await IndexerPipeline.start({
      log,
      kv,
      counter: { flushIntervalMs: 200 },
      trending: { flushIntervalMs: 200 },
      onFlush: (consumer, s) => {
        if (consumer !== 'counter') return;
        counter.flushes++;
        counter.kvWrites += s.kvWrites;
        counter.events += s.events;
      },
    });
    const indexBatches = { batches: 0, records: 0, ms: 0 };
    pipeline.index!.onBatch((b) => {
      indexBatches.batches++;
      indexBatches.records += b.records;
      indexBatches.ms += b.durationMs;
    });
    for (;;) {
      if ((await pipeline.caughtUp()) && (await follower.caughtUp())) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const pipelineSeconds = (performance.now() - started) / 1000;
    const rss = process.memoryUsage().rss;
    await pipeline.stop();
    await follower.stop();
    await kv.close();
    await log.close();

    const rate = (n: number, s: number) => Math.round(n / s).toLocaleString();
    printTable(
      ['stage', 'seconds', 'events/s', 'posts/s', 'vs baseline'],
      [
        ['append to the log', produceSeconds.toFixed(2), rate(records.length, produceSeconds), '', ''],
        [
          'baseline: read + validate only',
          baselineSeconds.toFixed(2),
          rate(records.length, baselineSeconds),
          rate(posts, baselineSeconds),
          '1.00',
        ],
        [
          'whole pipeline',
          pipelineSeconds.toFixed(2),
          rate(records.length, pipelineSeconds),
          rate(posts, pipelineSeconds),
          (baselineSeconds / pipelineSeconds).toFixed(2),
        ],
      ],
    );
    const postsPerSecond = posts / pipelineSeconds;
    const writesPerPost = counter.kvWrites / posts;
    console.log(
      `\nposts/s: ${Math.round(postsPerSecond).toLocaleString()} (target >= 50,000: ` +
        `${postsPerSecond >= 50_000 ? 'met' : 'NOT met'}); RSS ${(rss / 2 ** 20).toFixed(0)} MiB`,
    );
    console.log(
      `counting worker: ${counter.kvWrites} KV writes in ${counter.flushes} flushes for ${counter.events.toLocaleString()} ` +
        `deltas = ${writesPerPost.toFixed(4)} writes/post (1 per ${(posts / counter.kvWrites).toFixed(0)} posts; ` +
        `target <= 1 per 50: ${writesPerPost <= 1 / 50 ? 'met' : 'NOT met'}); naive one write per tag: ` +
        `${tagsPerPost.toFixed(2)} writes/post, ${(tagsPerPost / writesPerPost).toFixed(0)}x more`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Flags {
  posts: number;
  users: number;
  locations: number;
  follows: number;
  tags: number;
  zipf: number;
  seed: number;
}

function generate(flags: Flags): { records: ProducedRecord[]; posts: number; tagsPerPost: number } {
  const random = seededRandom(flags.seed);
  const tag = zipfSampler(flags.tags, flags.zipf, random);
  const records: ProducedRecord[] = [];
  let n = 0;
  const t0 = Date.UTC(2026, 0, 1);
  const push = (key: string, body: Record<string, unknown>) => {
    n++;
    const event = { eventId: `b${n}`, occurredAt: new Date(t0 + n).toISOString(), ...body };
    records.push({ key, value: Buffer.from(JSON.stringify(event)) });
  };
  const userId = (i: number) => String(10_000_000 + i);
  for (let i = 0; i < flags.users; i++) {
    const user = { id: userId(i), username: `user${i}`, fullName: `User ${i}`, isPrivate: i % 10 === 0 };
    push(user.id, { type: 'user.upserted', user });
  }
  for (let i = 0; i < flags.locations; i++) {
    const location = { id: String(20_000_000 + i), name: `Place ${i}`, lat: 1, lon: 2 };
    push(location.id, { type: 'location.upserted', location });
  }
  for (let i = 0; i < flags.follows; i++) {
    const a = userId(Math.floor(random() * flags.users));
    const b = userId(Math.floor(random() * flags.users));
    if (a !== b) push(a, { type: 'follow.added', followerId: a, followeeId: b });
  }
  let tagCount = 0;
  for (let i = 0; i < flags.posts; i++) {
    const id = String(1_000_000_000_000 + i);
    const tags = new Set<number>();
    const want = 1 + Math.floor(random() * 6);
    while (tags.size < want) tags.add(tag());
    tagCount += tags.size;
    const words = Array.from({ length: 4 }, () => WORDS[Math.floor(random() * WORDS.length)]);
    const caption = `${words.join(' ')} ${[...tags].map((t) => `#t${t.toString(36)}`).join(' ')}`;
    const post = {
      id,
      authorId: userId(Math.floor(random() * flags.users)),
      caption,
      imageUrl: `https://img.example.com/${id}.jpg`,
      ...(random() < 0.3 ? { locationId: String(20_000_000 + Math.floor(random() * flags.locations)) } : {}),
      createdAt: new Date(t0 + i * 1000).toISOString(),
    };
    push(id, { type: 'post.published', post });
  }
  return { records, posts: flags.posts, tagsPerPost: tagCount / flags.posts };
}

/** The baseline: every record read from the log and validated against the schemas, nothing applied. */
async function readAndValidate(log: EventLog, total: number): Promise<void> {
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const consumer = log.consumer({
    groupId: 'bench-baseline',
    topics: [TOPICS.postPublish],
    maxBatchSize: 1000,
  });
  await consumer.run({
    startOffset: async () => 0,
    eachBatch: async (batch) => {
      for (const r of batch.records) decodeEvent(r.value);
      seen += batch.records.length;
      if (seen >= total) done();
    },
  });
  await finished;
  await consumer.stop();
}
