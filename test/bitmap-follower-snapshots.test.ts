import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BitmapFollower } from '../indexer/postings/bitmap-follower';
import { fileBitmapSnapshots, type BitmapSnapshots } from '../indexer/postings/bitmap-snapshots';
import { encodePostingChange } from '../indexer/postings/posting-change';
import { ensureTopics, TOPICS } from '../indexer/topics';
import { EmbeddedEventLog } from '../platform/adapters/embedded-log';
import { readSnapshot } from '../query/engine/snapshot-file';
import { ManualClock } from './support/manual-clock';
import { pollUntil } from './support/poll';

const INTERVAL = 1000;

let dir: string;
let log: EmbeddedEventLog;
let follower: BitmapFollower | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'follower-snap-'));
  log = await EmbeddedEventLog.open({ dir: path.join(dir, 'log'), fsync: 'never' });
  await ensureTopics(log);
});

afterEach(async () => {
  await follower?.stop();
  follower = undefined;
  await log.close();
  await rm(dir, { recursive: true, force: true });
});

/** Post `i` gets dense id i and the tag `sun` (and `sea` when i is even). */
async function publishPosts(from: number, to: number): Promise<void> {
  const records = [];
  for (let i = from; i < to; i++) {
    const ops = [
      { op: 'add' as const, term: { kind: 'tag' as const, tag: 'sun' }, member: i },
      { op: 'add' as const, term: { kind: 'live' as const }, member: i },
    ];
    if (i % 2 === 0) ops.push({ op: 'add', term: { kind: 'tag', tag: 'sea' }, member: i });
    records.push({
      key: String(i),
      value: encodePostingChange({
        assignments: [{ space: 'media', dense: i, external: String(1000 + i) }],
        ops,
      }),
    });
  }
  await log.produce(TOPICS.postings, records);
}

/** Counts saves, and fails the ones listed. */
function countingSnapshots(file: string, failing: Set<number> = new Set()) {
  const inner = fileBitmapSnapshots(file);
  const saves: unknown[] = [];
  const snapshots: BitmapSnapshots = {
    where: inner.where,
    load: () => inner.load(),
    save: async (index, position) => {
      saves.push(position);
      if (failing.has(saves.length)) throw new Error(`save ${saves.length} fails on purpose`);
      await inner.save(index, position);
    },
  };
  return { snapshots, saves };
}

async function startFollower(snapshots: BitmapSnapshots, clock: ManualClock): Promise<BitmapFollower> {
  follower = await BitmapFollower.open({ log, snapshots, snapshotIntervalMs: INTERVAL, clock });
  await follower.start();
  return follower;
}

describe('bitmap replica snapshots', () => {
  it('a replica gone quiet after a burst snapshots once the interval has passed, and only once', async () => {
    const file = path.join(dir, 'bitmaps.snap');
    const clock = new ManualClock();
    const { snapshots, saves } = countingSnapshots(file);
    const replica = await startFollower(snapshots, clock);
    await publishPosts(0, 5);
    await pollUntil(() => replica.caughtUp(), 'the replica to apply the burst');
    // Applied within the interval of its start: no snapshot yet, and nothing more arrives.
    expect(saves).toHaveLength(0);
    expect(existsSync(file)).toBe(false);

    clock.advance(INTERVAL);
    await pollUntil(() => saves.length === 1 && existsSync(file), 'a snapshot after the interval');
    const loaded = await readSnapshot(file);
    expect(loaded.meta.position).toEqual({ postings: 5 });
    expect(loaded.index.tag('sun').toArray()).toEqual([0, 1, 2, 3, 4]);
    expect(loaded.index.tag('sea').toArray()).toEqual([0, 2, 4]);
    expect(loaded.index.ids.media.external(3)).toBe('1003');

    // Nothing new: later intervals write nothing.
    await pollUntil(() => clock.sleeping === 1, 'the ticker to sleep again');
    clock.advance(INTERVAL);
    await pollUntil(() => clock.sleeping === 1, 'the ticker to look and sleep again');
    expect(saves).toHaveLength(1);
  });

  it('a failed snapshot is tried again an interval later, not at once', async () => {
    const file = path.join(dir, 'bitmaps.snap');
    const clock = new ManualClock();
    const { snapshots, saves } = countingSnapshots(file, new Set([1]));
    const replica = await startFollower(snapshots, clock);
    await publishPosts(0, 3);
    await pollUntil(() => replica.caughtUp(), 'the replica to apply the burst');

    clock.advance(INTERVAL);
    await pollUntil(
      () => saves.length === 1 && clock.sleeping === 1,
      'the failed save, then the ticker asleep',
    );
    expect(existsSync(file)).toBe(false);

    clock.advance(INTERVAL);
    await pollUntil(() => saves.length === 2 && existsSync(file), 'the second try');
    expect((await readSnapshot(file)).meta.position).toEqual({ postings: 3 });
  });

  it('a restarted replica starts from the quiet-time snapshot and applies only what came after', async () => {
    const file = path.join(dir, 'bitmaps.snap');
    const clock = new ManualClock();
    const first = countingSnapshots(file);
    let replica = await startFollower(first.snapshots, clock);
    await publishPosts(0, 4);
    await pollUntil(() => replica.caughtUp(), 'the first replica to apply the burst');
    clock.advance(INTERVAL);
    await pollUntil(() => first.saves.length === 1 && existsSync(file), 'the quiet-time snapshot');
    await replica.stop();
    follower = undefined;

    await publishPosts(4, 6);
    const second = countingSnapshots(file);
    replica = await startFollower(second.snapshots, new ManualClock());
    expect(replica.position).toBe(4);
    await pollUntil(() => replica.caughtUp(), 'the restarted replica to catch up');
    expect(replica.index.tag('sun').toArray()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(replica.index.tag('sea').toArray()).toEqual([0, 2, 4]);
  });
});
