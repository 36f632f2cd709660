import { encodeCuratedTopMessage } from '../indexer/top-posts/curated-top-message';
import { listDeadLetters } from '../indexer/dead-letters/dead-letter-queue';
import { TOPICS } from '../indexer/topics';
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

const ALICE = '100';
const PRIVATE_BOB = '200';
const postId = (i: number) => String(5_000_000 + i);

function event(type: string, body: Record<string, unknown>, key: string): GeneratedEvent {
  return {
    raw: { type, eventId: `hp-${n++}`, occurredAt: new Date(1_700_000_000_000 + n).toISOString(), ...body },
    key,
    valid: true,
  };
}
const user = (id: string, isPrivate: boolean) =>
  event('user.upserted', { user: { id, username: `u${id}`, fullName: 'Some One', isPrivate } }, id);
const post = (i: number, caption: string, authorId = ALICE) =>
  event(
    'post.published',
    {
      post: {
        id: postId(i),
        authorId,
        caption,
        imageUrl: `/img/${i}.svg`,
        createdAt: '2026-01-01T00:00:00Z',
      },
    },
    postId(i),
  );
const del = (i: number) => event('post.deleted', { postId: postId(i) }, postId(i));

async function curate(tag: string, ids: string[] | unknown): Promise<void> {
  const value =
    Array.isArray(ids) && ids.every((x) => typeof x === 'string')
      ? encodeCuratedTopMessage({ tag, postIds: ids as string[] })
      : Buffer.from(JSON.stringify({ tag, postIds: ids }));
  await h.log.produce(TOPICS.hashtagTop, [{ key: tag, value }]);
}

const reader = () => new HashtagPageReader({ kv: h.kv, index: () => h.follower.index });
const top = async (name: string) => (await reader().read(name))?.topPosts.map((p) => p.id);

describe('hashtag page', () => {
  it('defaults to the 100 newest public posts, and drops deleted and private ones', async () => {
    // One partition's worth of order is not guaranteed across partitions, so newest is checked by dense id.
    const events = [user(ALICE, false), user(PRIVATE_BOB, true)];
    for (let i = 0; i < 140; i++)
      events.push(post(i, `#Sunset number ${i}`, i % 10 === 0 ? PRIVATE_BOB : ALICE));
    events.push(del(139), del(5));
    await h.publish(events);
    await h.start();
    await h.caughtUp();

    const page = (await reader().read('SUNSET'))!;
    expect(page.tag).toBe('sunset');
    expect(page.displayName).toBe('Sunset');
    expect(page.totalPosts).toBe(138);
    expect(page.topPosts).toHaveLength(100);
    const dense = page.topPosts.map((p) => h.follower.index.ids.media.get(p.id)!);
    expect(dense).toEqual([...dense].sort((a, b) => b - a));
    // Oracle: every live public post, newest (highest dense id) first.
    const expected = Array.from({ length: 140 }, (_, i) => i)
      .filter((i) => i % 10 !== 0 && i !== 139 && i !== 5)
      .map((i) => ({
        id: postId(i),
        imageUrl: `/img/${i}.svg`,
        dense: h.follower.index.ids.media.get(postId(i))!,
      }))
      .sort((a, b) => b.dense - a.dense)
      .slice(0, 100)
      .map(({ id, imageUrl }) => ({ id, imageUrl }));
    expect(page.topPosts).toEqual(expected);
    expect(await reader().read('nosuchtag')).toBeUndefined();
    expect(() => HashtagPageReader.keyOf('#16')).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('serves a curated list in its order, hydrated, without unknown, deleted or private posts', async () => {
    await h.publish([
      user(ALICE, false),
      user(PRIVATE_BOB, true),
      post(1, '#beach one'),
      post(2, '#beach two'),
      post(3, '#beach three'),
      post(4, '#beach private', PRIVATE_BOB),
      post(5, '#beach soon gone'),
    ]);
    await h.start();
    await h.caughtUp();
    await curate('#Beach', [postId(3), '999999', postId(1), postId(4), postId(5)]);
    await h.caughtUp();
    expect(await top('beach')).toEqual([postId(3), postId(1), postId(5)]);
    expect((await reader().read('beach'))!.topPosts[0]).toEqual({ id: postId(3), imageUrl: '/img/3.svg' });
    expect(h.pipeline.curatedTop!.totals).toMatchObject({ lists: 1, missingPosts: 1 });

    // A delete after the list arrived drops the post from it.
    await h.publish([del(5)]);
    await h.caughtUp();
    expect(await top('beach')).toEqual([postId(3), postId(1)]);

    // An empty list withdraws the curation: back to newest first.
    await curate('beach', []);
    await h.caughtUp();
    expect(await top('beach')).toEqual(
      [postId(3), postId(2), postId(1)].sort(
        (a, b) => h.follower.index.ids.media.get(b)! - h.follower.index.ids.media.get(a)!,
      ),
    );
  });

  it('dead-letters an invalid top list and keeps consuming', async () => {
    await h.publish([user(ALICE, false), post(1, '#cat'), post(2, '#cat')]);
    await h.start();
    await h.caughtUp();
    await curate('cat', ['01', postId(1)]);
    await curate('cat', [postId(1), postId(1)]);
    await curate(
      'cat',
      Array.from({ length: 101 }, (_, i) => postId(i)),
    );
    await curate('#16', [postId(1)]);
    await curate('cat', [postId(1)]);
    await h.caughtUp();
    expect(await top('cat')).toEqual([postId(1)]);
    const letters = await listDeadLetters(h.log);
    expect(letters.map((d) => d.issues?.[0]?.field)).toEqual(['postIds[0]', 'postIds', 'postIds', 'tag']);
    expect(letters.every((d) => d.topic === TOPICS.hashtagTop)).toBe(true);
  });
});
