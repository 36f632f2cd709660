import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CountingWorker, readHashtagCount, type FlushStats } from '../../indexer/counting';
import { deltaSeq, type HashtagDelta } from '../../indexer/hashtag-delta';
import { hashtagDeltaRecord } from '../../indexer/hashtag-delta-codec';
import { KV, checkpointKey } from '../../indexer/kv-tables';
import { TOPICS } from '../../indexer/topics';
import { EmbeddedEventLog } from '../../platform/adapters/embedded-log';
import { LmdbKvStore } from '../../platform/adapters/lmdb-kv';
import type { EventLog } from '../../platform/ports/event-log';
import type { KvStore } from '../../platform/ports/kv-store';
import { ManualClock } from './manual-clock';
import { pollUntil } from './poll';

export const TOPIC = TOPICS.postHashtag;
export const PARTITIONS = 4;
const TAGS = ['sunset', 'cat', 'dog', 'beach', 'food', 'café', 'travel', 'art', 'nyc', 'tokyo'];

interface Stream {
  /** What the producer wrote, re-sends after "producer crashes" included. */
  produced: HashtagDelta[];
  /** Each delta once, in production order. */
  unique: HashtagDelta[];
}

/** Upload events of 1–4 tags from 4 source partitions; now and then a source re-sends its last records. */
export function generateStream(random: () => number, events: number, removalRate = 0.35): Stream {
  const produced: HashtagDelta[] = [];
  const unique: HashtagDelta[] = [];
  const offsets = [0, 0, 0, 0];
  const history: HashtagDelta[][] = [[], [], [], []];
  for (let e = 0; e < events; e++) {
    const source = Math.floor(random() * 4);
    const offset = offsets[source]++;
    const tags = [...TAGS].sort(() => random() - 0.5).slice(0, 1 + Math.floor(random() * 4));
    tags.forEach((tag, i) => {
      const d: HashtagDelta = {
        tag,
        postId: `p${source}-${offset}`,
        delta: random() < removalRate ? -1 : 1,
        source,
        seq: deltaSeq(offset, i),
        at: 1_700_000_000_000 + e * 1000,
      };
      unique.push(d);
      produced.push(d);
      history[source].push(d);
    });
    if (random() < 0.08) {
      const s = Math.floor(random() * 4);
      produced.push(...history[s].slice(-1 - Math.floor(random() * 12)));
    }
  }
  return { produced, unique };
}

/** The spec, written plainly: deltas summed per tag in order, never below 0. */
export function oracle(unique: HashtagDelta[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of unique) counts.set(d.tag, Math.max(0, (counts.get(d.tag) ?? 0) + d.delta));
  return counts;
}

export async function produce(log: EventLog, deltas: HashtagDelta[]): Promise<void> {
  for (let i = 0; i < deltas.length; i += 500) {
    await log.produce(TOPIC, deltas.slice(i, i + 500).map(hashtagDeltaRecord));
  }
}

export async function checkpointsCoverLog(log: EventLog, kv: KvStore): Promise<boolean> {
  for (const { partition, offset } of await log.endOffsets(TOPIC)) {
    const done = (await kv.get<number>(KV.checkpoints, checkpointKey('counter', TOPIC, partition))) ?? 0;
    if (done < offset) return false;
  }
  return true;
}

export async function durableOffset(kv: KvStore, partition: number): Promise<number> {
  return (await kv.get<number>(KV.checkpoints, checkpointKey('counter', TOPIC, partition))) ?? 0;
}

export async function durableOffsets(kv: KvStore): Promise<number> {
  let sum = 0;
  for (let p = 0; p < PARTITIONS; p++) sum += await durableOffset(kv, p);
  return sum;
}

export async function expectCounts(kv: KvStore, expected: Map<string, number>): Promise<void> {
  const actual: Record<string, number> = {};
  const wanted: Record<string, number> = {};
  for (const tag of TAGS) {
    actual[tag] = await readHashtagCount(kv, tag);
    wanted[tag] = expected.get(tag) ?? 0;
  }
  expect(actual).toEqual(wanted);
}

/**
 * A temp dir per test holding a log and a KV store: closing both and
 * opening them again is how the tests restart a worker.
 */
export class CounterDirs {
  readonly logDir: string;
  readonly kvDir: string;

  private constructor(readonly dir: string) {
    this.logDir = path.join(dir, 'log');
    this.kvDir = path.join(dir, 'kv');
  }

  static async create(): Promise<CounterDirs> {
    return new CounterDirs(await mkdtemp(path.join(os.tmpdir(), 'picsearch-counter-')));
  }

  async open(): Promise<{ log: EmbeddedEventLog; store: LmdbKvStore }> {
    const log = await EmbeddedEventLog.open({ dir: this.logDir, fsync: 'never' });
    await log.ensureTopic(TOPIC, { partitions: PARTITIONS });
    return { log, store: LmdbKvStore.open({ path: this.kvDir, noSync: true }) };
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Fresh CounterDirs for each test of the suite, handed to `use`; removed after each. */
export function useCounterDirs(use: (dirs: CounterDirs) => void): void {
  let dirs: CounterDirs | undefined;
  beforeEach(async () => {
    dirs = await CounterDirs.create();
    use(dirs);
  });
  afterEach(() => dirs?.remove());
}

/** Runs a worker until its checkpoints cover the log, nudging time so the tail flushes too. */
export async function drain(
  log: EventLog,
  kv: KvStore,
  flushEvents: number,
  onFlush?: (stats: FlushStats) => void,
  cacheCounts = false,
): Promise<void> {
  const clock = new ManualClock();
  const worker = new CountingWorker({
    log,
    kv,
    clock,
    flushEvents,
    flushIntervalMs: 1000,
    onFlush,
    cacheCounts,
  });
  await worker.start();
  await pollUntil(async () => {
    clock.advance(1000);
    return checkpointsCoverLog(log, kv);
  }, 'the worker to checkpoint the whole log');
  await worker.stop();
}
