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

describe('dead letters over the admin API', () => {
  it('lists them with reasons and replays chosen ones; admin token required', async () => {
    const { createApiApp } = await import('../query/api/create-api-app');
    const { MemorySearchIndex } = await import('../platform/adapters/memory-search');
    const { TrendRanker } = await import('../indexer/trending/trend-ranker');
    const { systemClock } = await import('../platform/clock');
    await h.log.produce(TOPICS.postPublish, [
      { key: '7', value: Buffer.from(JSON.stringify(invalid)) },
      { key: '8', value: Buffer.from('[1,2') },
    ]);
    await h.start();
    await h.caughtUp();
    const { app } = createApiApp({
      log: h.log,
      kv: h.kv,
      search: MemorySearchIndex.create(),
      index: () => h.follower.index,
      trending: new TrendRanker({ kv: h.kv, clock: systemClock, windowMs: 300_000, retentionMs: 600_000 }),
      ready: async () => true,
      adminToken: 'dead-letter-admin-token',
      web: false,
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const auth = { authorization: 'Bearer dead-letter-admin-token' };
    try {
      expect((await fetch(`${base}/v1/admin/dead-letters`)).status).toBe(401);
      const listed = (await (await fetch(`${base}/v1/admin/dead-letters`, { headers: auth })).json()) as {
        deadLetters: { deadLetterOffset: number; reason: string; issues?: { field: string }[] }[];
      };
      expect(listed.deadLetters.map((d) => d.deadLetterOffset)).toEqual([0, 1]);
      expect(listed.deadLetters[0]!.issues?.[0]?.field).toBe('user.id');
      expect(listed.deadLetters[1]!.reason).toMatch(/JSON/);

      const replay = await fetch(`${base}/v1/admin/dead-letters/replay`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ offsets: [1, 99] }),
      });
      expect([replay.status, await replay.json()]).toEqual([202, { replayed: 1, missing: [99] }]);
      // Still malformed, so it comes back as a third dead letter with the same bytes.
      await pollUntil(async () => (await listDeadLetters(h.log, 2)).length === 1, 'the replayed letter');
      const [again] = await listDeadLetters(h.log, 2);
      expect(again!.value).toBe(Buffer.from('[1,2').toString('base64'));

      const bad = await fetch(`${base}/v1/admin/dead-letters?from=x`, { headers: auth });
      expect([bad.status, ((await bad.json()) as { error: { code: string } }).error.code]).toEqual([
        400,
        'VALIDATION_FAILED',
      ]);
    } finally {
      server.close();
    }
  });
});
