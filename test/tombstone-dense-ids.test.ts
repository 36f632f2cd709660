import { TOMBSTONE_IDS_DONE } from '../indexer/consumer/assign-tombstone-ids';
import type { MediaRecord } from '../indexer/documents/records';
import { KV } from '../indexer/kv-tables';
import { QueryEngine } from '../query/engine/query-engine';
import { HashtagPageReader } from '../query/hashtag-page/hashtag-page-reader';
import { PipelineHarness } from './support/embedded-pipeline-harness';
import type { GeneratedEvent } from './support/event-stream';

let h: PipelineHarness;
let n = 0;
beforeEach(async () => {
  h = await PipelineHarness.create();
});
afterEach(async () => {
  await h.destroy();
});

const event = (type: string, body: Record<string, unknown>, key: string): GeneratedEvent => ({
  raw: { type, eventId: `tb-${n++}`, occurredAt: '2026-01-01T00:00:00Z', ...body },
  key,
  valid: true,
});
const publish = (id: string) =>
  event(
    'post.published',
    {
      post: {
        id,
        authorId: '7',
        caption: `#beach ${id}`,
        imageUrl: `/img/${id}.svg`,
        createdAt: '2026-01-01T00:00:00Z',
      },
    },
    id,
  );

/** A tombstone as versions before 2026-12-07 stored a delete that came before its publish: no dense id. */
async function storeOldTombstone(id: string): Promise<void> {
  const tombstone: MediaRecord = { id, deleted: true, deletedAt: '2026-01-01T00:00:00Z' };
  await h.kv.batch([{ type: 'put', table: KV.media, key: id, value: tombstone }]);
}

describe('tombstones stored without a dense id (data directories from before 2026-12-07)', () => {
  it('still win over a late publish once the store is opened by this version', async () => {
    await h.publish([publish('1')]);
    await h.start();
    await h.caughtUp();
    await h.reopen();
    // An old store: tombstones without ids, and no record that they were given one.
    await storeOldTombstone('2');
    await storeOldTombstone('3');
    await h.kv.batch([{ type: 'delete', table: KV.checkpoints, key: TOMBSTONE_IDS_DONE }]);

    await h.publish([publish('2'), publish('3'), publish('4')]);
    await h.start();
    await h.caughtUp();

    for (const id of ['2', '3']) {
      expect(await h.kv.get<MediaRecord>(KV.media, id)).toMatchObject({ id, deleted: true });
    }
    const engine = new QueryEngine(h.follower.index);
    expect(engine.search('tag:beach', { limit: 10 }).ids.sort()).toEqual(['1', '4']);
    expect(engine.search('is:live', { limit: 10 }).ids.sort()).toEqual(['1', '4']);
    const page = await new HashtagPageReader({ kv: h.kv, index: () => h.follower.index }).read('beach');
    expect(page?.totalPosts).toBe(2);
    // The replica learnt the ids with the POSTINGS records, so its map matches the store's.
    expect(h.follower.index.ids.media.get('2')).toBeDefined();
    expect(await h.kv.get(KV.checkpoints, TOMBSTONE_IDS_DONE)).toBe(2);
  });

  it('are given ids once: a store already migrated is not scanned again', async () => {
    await h.start();
    await h.caughtUp();
    expect(await h.kv.get(KV.checkpoints, TOMBSTONE_IDS_DONE)).toBe(0);
    await h.stop();
    // Only an old version writes such a record; the marker says the store has none left.
    await storeOldTombstone('9');
    await h.start();
    await h.caughtUp();
    expect(h.consumer.totals.records).toBe(0);
    await h.publish([publish('10')]);
    await h.caughtUp();
    expect(h.follower.index.ids.media.get('9')).toBeUndefined();
  });
});
