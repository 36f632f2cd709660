import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deltaSeq, type HashtagDelta } from '../indexer/hashtag-delta';
import { hashtagDeltaRecord } from '../indexer/hashtag-delta-codec';
import { KV, checkpointKey } from '../indexer/kv-tables';
import { TOPICS } from '../indexer/topics';
import {
  TREND_TOTALS,
  TREND_WINDOWS,
  TrendingPipeline,
  parseTrendHit,
  parseWindowKey,
  trendDropReason,
  windowKey,
} from '../indexer/trending';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { LmdbKvStore } from '../platform/adapters/lmdb-kv';
import type { EventLog } from '../platform/ports/event-log';
import type { KvStore } from '../platform/ports/kv-store';
import { ControlledKv } from './support/controlled-kv-store';
import { ManualClock } from './support/manual-clock';
import { pollUntil } from './support/poll';

const TOPIC = TOPICS.postHashtag;
const W = 300_000;
const DAY = 86_400_000;
/** A window start: 2023-11-14T22:15:00Z. */
const C = 1_700_000_100_000;

/** Deltas source by source: every call is a new upload event with its own offset. */
class Uploads {
  readonly produced: HashtagDelta[] = [];
  private readonly offsets = new Map<number, number>();

  /** `n` posts of one tag at time `at`, the tag at `index` within each post's event. */
  post(
    tag: string,
    n: number,
    at: number,
    options: { index?: number; delta?: 1 | -1; source?: number } = {},
  ) {
    const source = options.source ?? 0;
    for (let i = 0; i < n; i++) {
      const offset = this.offsets.get(source) ?? 0;
      this.offsets.set(source, offset + 1);
      this.produced.push({
        tag,
        postId: `p${source}-${offset}`,
        delta: options.delta ?? 1,
        source,
        seq: deltaSeq(offset, options.index ?? 0),
        at,
      });
    }
    return this;
  }
}

async function produce(log: EventLog, deltas: HashtagDelta[]): Promise<void> {
  for (let i = 0; i < deltas.length; i += 500) {
    await log.produce(TOPIC, deltas.slice(i, i + 500).map(hashtagDeltaRecord));
  }
}

async function table(kv: KvStore, name: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for await (const [key, value] of kv.scan<number>(name)) out[key] = value;
  return out;
}

/** Stops the pipeline once it has read `records` records, which flushes them. */
async function ingest(pipeline: TrendingPipeline, records: number): Promise<void> {
  await pollUntil(() => {
    const m = pipeline.metrics();
    return m.events + m.bufferedEvents >= records;
  }, `${records} records read`);
  await pipeline.stop();
}

/** What the scorer should have stored: posts (not removals, first 10 tags) per window and tag. */
function windowOracle(unique: HashtagDelta[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of unique) {
    if (d.delta !== 1 || d.seq % 128 >= 10) continue;
    const key = windowKey(d.at - (d.at % W), d.tag);
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

function totalsOf(windows: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(windows)) {
    const { tag } = parseWindowKey(key);
    out[tag] = (out[tag] ?? 0) + n;
  }
  return out;
}

describe('trending stages', () => {
  const base = { tag: 'cat', postId: 'p1', source: 0, at: C + 299_999 };
  it('pre-processor drops removals and tags past the 10th of an event', () => {
    expect(
      trendDropReason({ ...base, delta: 1, seq: deltaSeq(5, 0) }, { maxTagsPerPost: 10 }),
    ).toBeUndefined();
    expect(
      trendDropReason({ ...base, delta: 1, seq: deltaSeq(5, 9) }, { maxTagsPerPost: 10 }),
    ).toBeUndefined();
    expect(trendDropReason({ ...base, delta: 1, seq: deltaSeq(5, 10) }, { maxTagsPerPost: 10 })).toBe(
      'stuffing',
    );
    expect(trendDropReason({ ...base, delta: -1, seq: deltaSeq(5, 0) }, { maxTagsPerPost: 10 })).toBe(
      'removal',
    );
  });

  it('parser puts a record in the 5-minute window of its event time', () => {
    expect(parseTrendHit({ ...base, delta: 1, seq: 0 }, W)).toEqual({ tag: 'cat', windowStart: C });
    expect(parseTrendHit({ ...base, at: C + W, delta: 1, seq: 0 }, W)).toEqual({
      tag: 'cat',
      windowStart: C + W,
    });
    expect(windowKey(C, 'cat')).toBe('0001700000100000:cat');
    expect(parseWindowKey('0001700000100000:cat')).toEqual({ windowStart: C, tag: 'cat' });
  });
});

describe('TrendingPipeline', () => {
  let dir: string;
  const open = async () => {
    const log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
    await log.ensureTopic(TOPIC, { partitions: 4 });
    return { log, store: LmdbKvStore.open({ path: path.join(dir, 'kv'), noSync: true }) };
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'picsearch-trending-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scores P·ln(P/P′) as computed by hand', async () => {
    // Retention of 6 windows: the latest complete window is C−W, the n = 5 past ones C−6W … C−2W.
    const past = [6, 5, 4, 3, 2].map((k) => C - k * W + 1000);
    const latest = C - W + 1000;
    const now = C + 10_000;
    const up = new Uploads();
    for (const at of past) up.post('steady', 4, at).post('big', 10, at).post('fading', 5, at);
    up.post('jump', 1, past[0]).post('jump', 1, past[3]);
    up.post('steady', 4, latest).post('big', 30, latest).post('jump', 6, latest).post('fading', 1, latest);
    up.post('fresh', 3, latest).post('fresh', 2, now - 5000); // the partial current window counts for neither
    up.post('stuffed', 20, latest, { index: 12 }).post('gone', 4, latest, { delta: -1 });

    const { log, store } = await open();
    const clock = new ManualClock(now);
    const pipeline = new TrendingPipeline({ log, kv: store, clock, retentionMs: 6 * W, flushEvents: 7 });
    try {
      await produce(log, up.produced);
      await pipeline.start();
      await ingest(pipeline, up.produced.length);
      expect(pipeline.metrics().dropped).toEqual({ removal: 4, stuffing: 20, expired: 0 });

      const ranked = await pipeline.rank(10);
      // big:   P = 30, S = 50, P′ = (50 + 1) / 5 = 10.2
      // jump:  P = 6,  S = 2,  P′ = (2 + 1) / 5 = 0.6
      // fresh: P = 3,  S = 0,  P′ = 1 / 5 = 0.2
      // steady (P = 4 < P′ = 4.2) and fading (P = 1 < P′ = 5.2) score below 0 and are left out.
      const expected = [
        { tag: 'big', current: 30, expected: 10.2, score: 30 * Math.log(30 / 10.2) },
        { tag: 'jump', current: 6, expected: 0.6, score: 6 * Math.log(10) },
        { tag: 'fresh', current: 3, expected: 0.2, score: 3 * Math.log(15) },
      ];
      expect(ranked.map((r) => r.tag)).toEqual(expected.map((e) => e.tag));
      ranked.forEach((r, i) => {
        expect(r.current).toBe(expected[i].current);
        expect(r.expected).toBeCloseTo(expected[i].expected, 12);
        expect(r.score).toBeCloseTo(expected[i].score, 12);
      });
      expect(await pipeline.rank(2)).toHaveLength(2);
      await expect(pipeline.rank(0)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    } finally {
      await pipeline.stop();
      await log.close();
      await store.close();
    }
  });

  it('favours novelty over popularity', async () => {
    // Retention of 12 windows: n = 11 past windows, C−12W … C−2W.
    const up = new Uploads();
    for (let k = 2; k <= 12; k++) up.post('always', 50, C - k * W).post('popular', 100, C - k * W);
    up.post('always', 50, C - W)
      .post('popular', 130, C - W)
      .post('novel', 12, C - W);

    const { log, store } = await open();
    const clock = new ManualClock(C + 1000);
    const pipeline = new TrendingPipeline({ log, kv: store, clock, retentionMs: 12 * W, flushEvents: 500 });
    try {
      await produce(log, up.produced);
      await pipeline.start();
      await ingest(pipeline, up.produced.length);
      const ranked = await pipeline.rank(10);
      // novel:   P = 12,  P′ = 1 / 11            → 12 · ln 132        ≈ 58.6
      // popular: P = 130, P′ = (1100 + 1) / 11   → 130 · ln(1430/1101) ≈ 34.0
      // always:  P = 50,  P′ = (550 + 1) / 11 > 50 → below 0, left out
      expect(ranked.map((r) => [r.tag, r.current])).toEqual([
        ['novel', 12],
        ['popular', 130],
      ]);
      expect(ranked[0].score).toBeCloseTo(12 * Math.log(132), 9);
      expect(ranked[1].score).toBeCloseTo(130 * Math.log(1430 / 1101), 9);
    } finally {
      await pipeline.stop();
      await log.close();
      await store.close();
    }
  });

  it('deletes windows once they end more than 7 days ago, and drops records that old', async () => {
    const up = new Uploads()
      .post('cat', 2, C - 2 * W)
      .post('cat', 3, C - W)
      .post('cat', 4, C + 5)
      .post('dog', 1, C - W);
    const { log, store } = await open();
    const clock = new ManualClock(C + 1000);
    const pipeline = new TrendingPipeline({ log, kv: store, clock, flushIntervalMs: 1000 });
    try {
      await produce(log, up.produced);
      await pipeline.start();
      // Time moves on within window C until the timed flush has written everything.
      await pollUntil(async () => {
        if (clock.now() < C + W - 1000) clock.set(clock.now() + 1000);
        return Object.keys(await table(store, TREND_WINDOWS)).length === 4;
      }, 'windows written');
      await pollUntil(async () => (await table(store, TREND_TOTALS)).cat === 9, 'totals written');

      // Window C−W ends at C, which is now more than 7 days ago; window C still overlaps the last 7 days.
      clock.set(C + 7 * DAY + 1000);
      await pollUntil(
        async () => Object.keys(await table(store, TREND_WINDOWS)).length === 1,
        'the expired windows to go',
      );
      expect(await table(store, TREND_WINDOWS)).toEqual({ [windowKey(C, 'cat')]: 4 });
      expect(await table(store, TREND_TOTALS)).toEqual({ cat: 4 });

      const late = new Uploads().post('cat', 1, C - W, { source: 3 }).post('cat', 1, C, { source: 3 });
      await produce(log, late.produced);
      await pollUntil(() => pipeline.metrics().dropped.expired === 1, 'the stale record to be dropped');
      await pipeline.stop();
      expect(await table(store, TREND_WINDOWS)).toEqual({ [windowKey(C, 'cat')]: 5 });
      expect(await table(store, TREND_TOTALS)).toEqual({ cat: 5 });
    } finally {
      await pipeline.stop();
      await log.close();
      await store.close();
    }
  });

  it('resumes from its checkpoint after a stop or a crash without counting twice', async () => {
    const up = new Uploads();
    const tags = ['cat', 'dog', 'sun', 'sea', 'art'];
    for (let i = 0; i < 400; i++) {
      up.post(tags[(i * 7) % 5], 1, C - ((i % 6) + 1) * W + i, { source: i % 4, index: i % 12 });
      if (i % 9 === 0) up.post(tags[i % 5], 1, C - W, { source: i % 4, delta: -1 });
    }
    const unique = up.produced;
    // The producer crashed and re-sent a stretch of source 1.
    const resent = unique
      .slice(0, 250)
      .filter((d) => d.source === 1)
      .slice(20, 50);
    const stream = [...unique.slice(0, 250), ...resent, ...unique.slice(250)];
    const clock = new ManualClock(C + 1000);

    // Round 1: a clean stop after the first 200 records.
    {
      const { log, store } = await open();
      await produce(log, stream.slice(0, 200));
      const pipeline = new TrendingPipeline({ log, kv: store, clock, flushEvents: 13 });
      await pipeline.start();
      await ingest(pipeline, 200);
      await log.close();
      await store.close();
    }
    // Round 2: a crash right after the third flush landed, with records still buffered.
    {
      const { log, store } = await open();
      await produce(log, stream.slice(200));
      const kv = new ControlledKv(store);
      kv.dieOn = { n: 3, applied: true };
      const pipeline = new TrendingPipeline({ log, kv, clock, flushEvents: 11 });
      await pipeline.start();
      await pollUntil(() => kv.dead, 'the crash');
      await pipeline.stop();
      await log.close();
      await store.close();
    }
    // Round 3: restart and finish.
    const { log, store } = await open();
    try {
      const pipeline = new TrendingPipeline({ log, kv: store, clock, flushEvents: 50 });
      await pipeline.start();
      // Everything after the checkpoints is read once the buffered records make up the difference.
      // No flush may finish while the checkpoints are read: its checkpoint lands before its buffer empties.
      await pollUntil(async () => {
        const before = pipeline.metrics();
        if (before.flushing) return false;
        let behind = 0;
        for (const { partition, offset } of await log.endOffsets(TOPIC)) {
          const ckpt = await store.get<number>(KV.checkpoints, checkpointKey('trending', TOPIC, partition));
          behind += offset - (ckpt ?? 0);
        }
        const after = pipeline.metrics();
        return !after.flushing && after.flushes === before.flushes && behind === after.bufferedEvents;
      }, 'the rest to be read');
      await pipeline.stop();
      const expected = windowOracle(unique);
      expect(await table(store, TREND_WINDOWS)).toEqual(expected);
      expect(await table(store, TREND_TOTALS)).toEqual(totalsOf(expected));
    } finally {
      await log.close();
      await store.close();
    }
  });

  it('rejects a retention that is not a whole number of windows', () => {
    expect(
      () =>
        new TrendingPipeline({ log: {} as EventLog, kv: {} as KvStore, windowMs: W, retentionMs: W * 2.5 }),
    ).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ field: 'retentionMs' })] }) as Error,
    );
  });
});
