import { listDeadLetters, replayDeadLetters } from '../indexer/dead-letters/dead-letter-queue';
import { TOPICS } from '../indexer/topics';
import { PipelineHarness } from './support/embedded-pipeline-harness';
import { pollUntil } from './support/poll';

let h: PipelineHarness;
beforeEach(async () => {
  h = await PipelineHarness.create();
});
afterEach(async () => {
  await h.destroy();
});

const valid = {
  type: 'user.upserted',
  eventId: 'ok-1',
  occurredAt: '2026-01-01T00:00:00Z',
  user: { id: '5', username: 'ana', fullName: 'Ana', isPrivate: false },
};
const invalid = { ...valid, eventId: 'bad-1', user: { ...valid.user, id: '007' } };

describe('dead letters', () => {
  it('keeps invalid events with their reason, goes on consuming, and can replay them', async () => {
    await h.log.produce(TOPICS.postPublish, [
      { key: '7', value: Buffer.from(JSON.stringify(invalid)) },
      { key: '7', value: Buffer.from('{not json') },
      { key: '5', value: Buffer.from(JSON.stringify(valid)) },
    ]);
    await h.start();
    await h.caughtUp();
    expect(h.consumer.totals).toMatchObject({ applied: 1, deadLetters: 2 });

    const letters = await listDeadLetters(h.log);
    expect(letters).toHaveLength(2);
    expect(letters[0]).toMatchObject({ topic: TOPICS.postPublish, key: '7', offset: 0, deadLetterOffset: 0 });
    expect(letters[0]!.issues).toEqual([expect.objectContaining({ field: 'user.id' })]);
    expect(letters[1]!.reason).toMatch(/JSON/i);
    expect(Buffer.from(letters[0]!.value, 'base64').toString()).toBe(JSON.stringify(invalid));

    // Replay puts the original bytes back on the source topic; still invalid, they come back as dead letters.
    expect(await replayDeadLetters(h.log, letters)).toBe(2);
    await pollUntil(
      async () => (await listDeadLetters(h.log, 2)).length === 2,
      'the replayed letters to be dead-lettered again',
    );
    const again = await listDeadLetters(h.log, 2);
    // Same partition as the originals (same key), at new offsets after them.
    expect(again.map((d) => d.partition)).toEqual(letters.map((d) => d.partition));
    expect(again[0]!.offset).toBeGreaterThan(letters[1]!.offset);
    expect(again[1]!.offset).toBe(again[0]!.offset + 1);
    expect(again.map((d) => d.value)).toEqual(letters.map((d) => d.value));
  });
});
