import type { FollowRecord, LocationRecord, MediaRecord, UserRecord } from '../indexer/documents/records';
import { KV } from '../indexer/kv-tables';
import { TOPICS } from '../indexer/topics';
import type { PostingIndex } from '../query/engine/posting-index';
import { QueryEngine } from '../query/engine/query-engine';
import { HashtagPageReader } from '../query/hashtag-page/hashtag-page-reader';
import { PipelineHarness } from './support/embedded-pipeline-harness';
import { generateEventStream } from './support/event-stream';
import { expectedState, type ExpectedState } from './support/indexer-model';

let h: PipelineHarness;
beforeEach(async () => {
  h = await PipelineHarness.create();
});
afterEach(async () => {
  await h.destroy();
});

async function dumpTable(table: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for await (const [k, v] of h.kv.scan(table)) out[k] = v;
  return out;
}

/** Compares the KV documents and the replica's postings with the model. */
async function expectMatches(expected: ExpectedState, index: PostingIndex): Promise<void> {
  for (const [id, m] of expected.media) {
    const rec = await h.kv.get<MediaRecord>(KV.media, id);
    if (m.deleted) {
      expect(rec).toMatchObject({ id, deleted: true });
      continue;
    }
    expect(rec?.deleted).toBe(false);
    const author = expected.users.get(m.authorId)!;
    const loc = m.locationId ? expected.locations.get(m.locationId) : undefined;
    expect(rec && !rec.deleted && rec.doc).toEqual({
      id,
      authorId: m.authorId,
      authorUsername: author.known ? author.username : null,
      caption: m.caption,
      imageUrl: m.imageUrl,
      tags: m.tags,
      locationId: m.locationId,
      locationName: loc?.known ? loc.name : null,
      createdAt: m.createdAt,
    });
  }
  expect(Object.keys(await dumpTable(KV.media)).sort()).toEqual([...expected.media.keys()].sort());
  const users = await dumpTable(KV.users);
  expect(Object.keys(users).sort()).toEqual([...expected.users.keys()].sort());
  for (const [id, u] of expected.users) expect(users[id] as UserRecord).toMatchObject(u);
  const locations = await dumpTable(KV.locations);
  expect(Object.keys(locations).sort()).toEqual([...expected.locations.keys()].sort());
  for (const [id, l] of expected.locations) expect(locations[id] as LocationRecord).toMatchObject(l);
  const edges = Object.entries(await dumpTable(KV.follows)).filter(([, v]) => (v as FollowRecord).on);
  expect(edges.map(([k]) => k).sort()).toEqual([...expected.follows].sort());

  await expectHashtagPages(expected, index);

  // Every posting list, read through the engine by external ids.
  const engine = new QueryEngine(index, { limits: { maxResultLimit: 10_000 } });
  const terms = new Set([...expected.postings.keys(), 'tag:unseen', 'is:live', 'is:public', 'is:user']);
  for (const u of expected.users.keys()) terms.add(`author:${u}`).add(`follows:${u}`).add(`followers:${u}`);
  for (const l of expected.locations.keys()) terms.add(`loc:${l}`);
  for (const term of terms) {
    const got = engine.search(term, { limit: 10_000 }).ids.sort();
    expect({ term, ids: got }).toEqual({ term, ids: [...(expected.postings.get(term) ?? [])].sort() });
  }
}

/** Counts and hashtag pages: newest public posts first, by the replica's arrival order. */
async function expectHashtagPages(expected: ExpectedState, index: PostingIndex): Promise<void> {
  const reader = new HashtagPageReader({ kv: h.kv, index: () => index });
  const counts = await dumpTable(KV.hashtagCounts);
  for (const [tag, want] of expected.hashtags) {
    expect({ tag, count: (counts[tag] as { count: number } | undefined)?.count ?? 0 }).toEqual({
      tag,
      count: want.count,
    });
    const publicIds = [...(expected.postings.get(`tag:${tag}`) ?? [])].filter((id) =>
      expected.postings.get('is:public')?.has(id),
    );
    const newest = publicIds
      .map((id) => ({ id, dense: index.ids.media.get(id)! }))
      .sort((a, b) => b.dense - a.dense)
      .slice(0, 100)
      .map(({ id }) => ({ id, imageUrl: expected.media.get(id)!.imageUrl }));
    expect(await reader.read(tag)).toEqual({
      tag,
      displayName: want.displayName,
      totalPosts: want.count,
      topPosts: newest,
    });
  }
  expect(await reader.read('#neverused')).toBeUndefined();
}

describe('index consumer against an independent model', () => {
  it.each([
    [1, 5000],
    [2, 7],
    [3, 1],
  ])(
    'random stream %i, index batches of %s: documents, counts, follow graph and postings match',
    async (seed, indexBatchSize) => {
      const events = generateEventStream(seed, 700);
      await h.publish(events);
      await h.start({ indexBatchSize });
      await h.caughtUp();
      const expected = expectedState(events);
      await expectMatches(expected, h.follower.index);
      expect(h.consumer.totals.deadLetters).toBe(expected.deadLetters);
      const [dead] = await h.log.endOffsets(TOPICS.deadLetters);
      expect(dead!.offset).toBeGreaterThanOrEqual(expected.deadLetters);
    },
  );

  it('redelivered events change nothing', async () => {
    const events = generateEventStream(11, 500);
    await h.publish(events);
    await h.start();
    await h.caughtUp();
    const before = {
      media: await dumpTable(KV.media),
      users: await dumpTable(KV.users),
      locations: await dumpTable(KV.locations),
    };
    // Deliver everything again: wipe the checkpoints so the consumer starts over from offset 0.
    await h.stop();
    const checkpoints = Object.keys(await dumpTable(KV.checkpoints));
    await h.kv.batch(checkpoints.map((key) => ({ type: 'delete' as const, table: KV.checkpoints, key })));
    await h.start();
    await h.caughtUp();
    expect({
      media: await dumpTable(KV.media),
      users: await dumpTable(KV.users),
      locations: await dumpTable(KV.locations),
    }).toEqual(before);
    await expectMatches(expectedState(events), h.follower.index);
  });

  it('replaying the whole log with no dedupe records is still idempotent (state-based)', async () => {
    // Without the dedupe table a republished duplicate is a new event, so this stream has none.
    const events = generateEventStream(14, 500, { duplicates: false });
    await h.publish(events);
    await h.start();
    await h.caughtUp();
    await expectMatches(expectedState(events), h.follower.index);
    const before = {
      media: await dumpTable(KV.media),
      users: await dumpTable(KV.users),
      follows: await dumpTable(KV.follows),
    };
    await h.stop();
    const wipe = async (table: string) =>
      h.kv.batch(Object.keys(await dumpTable(table)).map((key) => ({ type: 'delete' as const, table, key })));
    await wipe(KV.checkpoints);
    await wipe(KV.eventIds);
    await h.start();
    await h.caughtUp();
    expect({
      media: await dumpTable(KV.media),
      users: await dumpTable(KV.users),
      follows: await dumpTable(KV.follows),
    }).toEqual(before);
    await expectMatches(expectedState(events), h.follower.index);
  });

  it('the same events published twice leave the same state', async () => {
    const events = generateEventStream(12, 400);
    await h.publish(events);
    await h.publish(events);
    await h.start();
    await h.caughtUp();
    await expectMatches(expectedState(events), h.follower.index);
  });

  it('resumes after a restart, with the replica loaded from its snapshot', async () => {
    const events = generateEventStream(13, 600);
    await h.publish(events.slice(0, 300));
    await h.start({ snapshot: true });
    await h.caughtUp();
    await h.follower.snapshot();
    await h.reopen();
    await h.publish(events.slice(300));
    await h.start({ snapshot: true });
    expect(h.follower.position).toBeGreaterThan(0);
    await h.caughtUp();
    await expectMatches(expectedState(events), h.follower.index);
  });
});
