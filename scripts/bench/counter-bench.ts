/**
 * `npm run bench -- counter [--posts N]`: feeds N posts' worth of hashtag
 * deltas (8 Zipf-distributed tags per post over 1M tags, seeded; one post in
 * 20 later deleted) through the batching CountingWorker on the embedded log
 * and lmdb, and compares its KV writes per post with the naive design of
 * one read-modify-write per delta, measured in the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CountingWorker, readHashtagCount, type HashtagCountRecord } from '../../indexer/counting';
import { deltaSeq, type HashtagDelta } from '../../indexer/hashtag-delta';
import { hashtagDeltaRecord } from '../../indexer/hashtag-delta-codec';
import { KV } from '../../indexer/kv-tables';
import { TOPICS, defaultPartitions } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import { seededRandom } from '../../platform/seeded-random';
import { parseFlags, zipfSampler } from './support/seeded-random';
import { printTable } from './support/print-table';

const TOPIC = TOPICS.postHashtag;
const SOURCES = defaultPartitions.postPublish;

export async function run(argv: string[]): Promise<void> {
  const flags = parseFlags(argv, {
    posts: 100_000,
    tags: 1_000_000,
    tagsPerPost: 8,
    zipf: 1.0,
    deleteEvery: 20,
    flushEvents: 1000,
    flushIntervalMs: 5000,
    naivePosts: 20_000,
    seed: 42,
  });
  console.log(
    `counter benchmark: ${flags.posts} posts x ${flags.tagsPerPost} tags over ${flags.tags} tags (Zipf s=${flags.zipf}), ` +
      `flush every ${flags.flushEvents} events or ${flags.flushIntervalMs} ms, seed ${flags.seed}`,
  );
  const deltas = generateDeltas(flags);
  console.log(`${deltas.length.toLocaleString()} deltas generated`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-counter-bench-'));
  try {
    const batching = await runBatching(dir, deltas, flags);
    const naivePosts = Math.min(flags.naivePosts, flags.posts);
    // The first naivePosts posts' share of the stream, deletions included.
    const naiveDeltas = deltas.slice(0, Math.round((deltas.length * naivePosts) / flags.posts));
    const naive = await runNaive(path.join(dir, 'naive-kv'), naiveDeltas);

    const perPost = (n: number, posts: number) => (n / posts).toFixed(4);
    printTable(
      ['design', 'posts', 'events', 'events/s', 'KV writes', 'writes/post', 'rows/post', 'posts/write'],
      [
        [
          'batching worker',
          String(flags.posts),
          String(batching.events),
          batching.eventsPerSecond.toFixed(0),
          String(batching.kvWrites),
          perPost(batching.kvWrites, flags.posts),
          perPost(batching.rows, flags.posts),
          (flags.posts / batching.kvWrites).toFixed(1),
        ],
        [
          'naive: 1 write per delta',
          String(naivePosts),
          String(naive.events),
          naive.eventsPerSecond.toFixed(0),
          String(naive.kvWrites),
          perPost(naive.kvWrites, naivePosts),
          perPost(naive.rows, naivePosts),
          (naivePosts / naive.kvWrites).toFixed(2),
        ],
      ],
    );
    const writesPerPost = batching.kvWrites / flags.posts;
    console.log(
      `write reduction per post: ${(naive.kvWrites / naivePosts / writesPerPost).toFixed(0)}x; ` +
        `target <= 1 KV write per 50 posts (0.0200/post): ${writesPerPost <= 1 / 50 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Flags {
  posts: number;
  tags: number;
  tagsPerPost: number;
  zipf: number;
  deleteEvery: number;
  seed: number;
}

/** Publishes with distinct Zipf tags; every `deleteEvery`-th post deletes an earlier one (−1 per tag). */
function generateDeltas(flags: Flags): HashtagDelta[] {
  const random = seededRandom(flags.seed);
  const tagRank = zipfSampler(flags.tags, flags.zipf, random);
  const offsets = new Array<number>(SOURCES).fill(0);
  const postTags: string[][] = [];
  const out: HashtagDelta[] = [];
  const at = Date.UTC(2024, 0, 1);
  const emit = (post: number, tags: string[], delta: 1 | -1) => {
    const source = post % SOURCES;
    const offset = offsets[source]++;
    tags.forEach((tag, i) =>
      out.push({ tag, postId: `p${post}`, delta, source, seq: deltaSeq(offset, i), at: at + post }),
    );
  };
  for (let post = 0; post < flags.posts; post++) {
    const tags = new Set<string>();
    while (tags.size < flags.tagsPerPost) tags.add(`t${tagRank()}`);
    postTags.push([...tags]);
    emit(post, postTags[post]!, 1);
    if (flags.deleteEvery > 0 && post % flags.deleteEvery === flags.deleteEvery - 1) {
      const victim = Math.floor(random() * post);
      if (postTags[victim]!.length > 0) {
        emit(victim, postTags[victim]!, -1);
        postTags[victim] = [];
      }
    }
  }
  return out;
}

interface Result {
  events: number;
  eventsPerSecond: number;
  kvWrites: number;
  rows: number;
}

async function runBatching(
  dir: string,
  deltas: HashtagDelta[],
  flags: { flushEvents: number; flushIntervalMs: number },
): Promise<Result> {
  const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
  const kv = LmdbKvStore.open({ path: path.join(dir, 'kv') });
  try {
    await log.ensureTopic(TOPIC, { partitions: defaultPartitions.postHashtag });
    let t = performance.now();
    for (let i = 0; i < deltas.length; i += 10_000) {
      await log.produce(TOPIC, deltas.slice(i, i + 10_000).map(hashtagDeltaRecord));
    }
    console.log(`produced to the embedded log in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const worker = new CountingWorker({
      log,
      kv,
      flushEvents: flags.flushEvents,
      flushIntervalMs: flags.flushIntervalMs,
    });
    t = performance.now();
    await worker.start();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        const m = worker.metrics();
        if (m.events + m.bufferedEvents >= deltas.length) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    // The tail below flushEvents would wait for the timed flush; stop() flushes it at once.
    await worker.stop();
    const seconds = (performance.now() - t) / 1000;
    const m = worker.metrics();
    await verifySample(kv, deltas);
    return {
      events: m.events,
      eventsPerSecond: m.events / seconds,
      kvWrites: m.kvWrites,
      rows: m.rowsWritten,
    };
  } finally {
    await log.close();
    await kv.close();
  }
}

/** One read and one single-put batch per delta, as a counter without batching would do. */
async function runNaive(kvPath: string, deltas: HashtagDelta[]): Promise<Result> {
  const kv = LmdbKvStore.open({ path: kvPath });
  try {
    const t = performance.now();
    for (const d of deltas) {
      const row = await kv.get<HashtagCountRecord>(KV.hashtagCounts, d.tag);
      const count = Math.max(0, (row?.count ?? 0) + d.delta);
      const value: HashtagCountRecord = { tag: d.tag, count, updatedAt: new Date().toISOString() };
      await kv.batch([{ type: 'put', table: KV.hashtagCounts, key: d.tag, value }]);
    }
    const seconds = (performance.now() - t) / 1000;
    return {
      events: deltas.length,
      eventsPerSecond: deltas.length / seconds,
      kvWrites: deltas.length,
      rows: deltas.length,
    };
  } finally {
    await kv.close();
  }
}

/** Spot-checks the worker's counts against a plain sum, so a fast wrong answer cannot pass. */
async function verifySample(kv: LmdbKvStore, deltas: HashtagDelta[]): Promise<void> {
  const sums = new Map<string, number>();
  for (const d of deltas) sums.set(d.tag, Math.max(0, (sums.get(d.tag) ?? 0) + d.delta));
  const sample = [...sums.keys()].slice(0, 2000);
  for (const tag of sample) {
    const count = await readHashtagCount(kv, tag);
    if (count !== sums.get(tag)) throw new Error(`count of ${tag} is ${count}, expected ${sums.get(tag)}`);
  }
  console.log(`verified ${sample.length} counts against a plain sum`);
}
