import type { HashtagCountRecord } from '../../indexer/counting/read-hashtag-count';
import { KV } from '../../indexer/kv-tables';
import { documentIdOf } from '../../platform/adapters/elasticsearch-search';
import type { IndexKind } from '../../platform/ports/search-index';
import type { VerifyCheckpoint } from '../../scripts/ops/verify/verify';
import { generateEventStream } from '../support/event-stream';
import { expectedState } from '../support/indexer-model';
import { pollUntil } from '../support/poll';
import { expectedDocuments, OpsCluster, plain, shardedEvents } from './support/ops-cluster';

/*
 * verify against the real engines: hashtag counts in Cassandra against the
 * bitmaps (the newest snapshot in Cassandra plus POSTINGS from Kafka), and
 * the Elasticsearch indices against Cassandra's tables. The model of the
 * events says what everything must be once repaired.
 */
const KINDS: IndexKind[] = ['users', 'locations', 'hashtags', 'media'];
const events = shardedEvents((seed) => generateEventStream(seed, 300), 71, 6);

let cluster: OpsCluster;

beforeAll(async () => {
  cluster = await OpsCluster.create('opsverify');
  await cluster.start('writers', ['indexer', 'counter']);
  await cluster.publish(events);
  await cluster.caughtUp();
  // The live indexer writes media documents too; a media reindex first means verify also runs against a rebuilt version.
  const run = cluster.cli('reindex', ['--kind', 'media', '--progress', 'off']);
  expect({ outcome: await run.exited, ...run.output() }).toMatchObject({ outcome: 'exit 0' });
}, 300_000);

afterAll(async () => {
  await cluster?.destroy();
}, 120_000);

async function verifyCli(...args: string[]) {
  const run = cluster.cli('verify', [
    '--kind',
    KINDS.join(','),
    '--sample',
    'all',
    '--progress',
    'off',
    ...args,
  ]);
  const outcome = await run.exited;
  const { stdout, stderr } = run.output();
  const differences = stdout
    .split('\n')
    .filter((l) => /^(hashtag-count|document-)/.test(l))
    .sort();
  return { outcome, differences, stdout, stderr };
}

describe('verify in distributed mode', () => {
  it('finds nothing on a consistent cluster', async () => {
    const r = await verifyCli();
    expect(r).toMatchObject({ outcome: 'exit 0', differences: [] });
    expect(r.stdout).toMatch(/0 differences, 0 repaired/);
  });

  it('finds a corrupted count, a missing and an extra document, and --repair fixes them all', async () => {
    const model = expectedState(cluster.published);
    const want = expectedDocuments(cluster.published);
    const [tag, truth] = [...model.hashtags].find(([, h]) => h.count > 0)!;
    const [userId, userEntry] = [...want.users][3]!;
    const [mediaId, mediaDoc] = [...want.media][5]!;
    const ghost = { ...mediaDoc, id: '424242424242', caption: 'never posted' };
    const es = cluster.elasticsearch;
    // The corruption: a count row off by 5, a user document gone, a media document gone and one too many.
    const row = (await cluster.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!;
    await cluster.kv.batch([
      { type: 'put', table: KV.hashtagCounts, key: tag, value: { ...row, count: truth.count + 5 } },
    ]);
    await es.delete({ index: `${cluster.prefix}users`, id: documentIdOf(userId), refresh: true });
    await es.delete({ index: `${cluster.prefix}media`, id: documentIdOf(mediaId), refresh: true });
    await es.index({ index: `${cluster.prefix}media`, id: ghost.id, document: ghost, refresh: true });

    const found = await verifyCli();
    expect(found.outcome).toBe('exit 3');
    const entry = (totalPosts: number) => JSON.stringify({ tag, displayName: truth.displayName, totalPosts });
    expect(found.differences).toEqual(
      [
        `hashtag-count hashtag_counts ${tag}: expected ${truth.count}, found ${truth.count + 5}`,
        // The search entry kept the true count, so it now differs from the corrupted row.
        `document-stale hashtags ${tag}: expected ${entry(truth.count + 5)}, found ${entry(truth.count)}`,
        `document-missing users ${userId}: expected ${JSON.stringify(userEntry)}, found null`,
        `document-count users: expected ${want.users.size}, found ${want.users.size - 1}`,
        `document-missing media ${mediaId}: expected ${JSON.stringify(mediaDoc)}, found null`,
        `document-extra media ${ghost.id}: indexed, but the source has no such document`,
      ].sort(),
    );
    // Nothing was written without --repair.
    expect((await cluster.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!.count).toBe(truth.count + 5);
    expect((await cluster.indexed('users')).has(userId)).toBe(false);

    const repaired = await verifyCli('--repair');
    expect(repaired.outcome).toBe('exit 0');
    expect(repaired.differences.every((d) => d.endsWith('(repaired)'))).toBe(true);
    expect(repaired.differences.map((d) => d.split(' ').slice(0, 3).join(' ')).sort()).toEqual(
      [
        `hashtag-count hashtag_counts ${tag}:`,
        `document-missing users ${userId}:`,
        'document-count users: expected',
        `document-missing media ${mediaId}:`,
        `document-extra media ${ghost.id}:`,
      ].sort(),
    );

    const again = await verifyCli();
    expect(again).toMatchObject({ outcome: 'exit 0', differences: [] });
    expect((await cluster.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!.count).toBe(truth.count);
    for (const kind of KINDS) {
      expect({ kind, docs: plain(await cluster.indexed(kind)) }).toEqual({ kind, docs: plain(want[kind]) });
    }
  });

  it('resumes after kill -9 with the checks done so far, and still exits 3 for what they found', async () => {
    const [tag, truth] = [...expectedState(cluster.published).hashtags].find(([, h]) => h.count > 0)!;
    const row = (await cluster.kv.get<HashtagCountRecord>(KV.hashtagCounts, tag))!;
    await cluster.kv.batch([
      { type: 'put', table: KV.hashtagCounts, key: tag, value: { ...row, count: truth.count - 1 } },
    ]);
    // Slow enough to be killed in the last check: media documents at 40 a second.
    const args = ['--kind', KINDS.join(','), '--sample', 'all', '--rate', '40', '--progress', 'lines'];
    const first = cluster.cli('verify', args);
    await pollUntil(
      async () =>
        (await cluster.checkpoint<VerifyCheckpoint>('verify'))?.done.includes('documents:hashtags') ?? false,
      'verify to reach the media check',
      120_000,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(first.output().stdout).toContain(`hashtag-count hashtag_counts ${tag}: expected ${truth.count}`);
    expect(await cluster.checkpoint<VerifyCheckpoint>('verify')).toMatchObject({
      done: ['hashtag-counts', 'documents:users', 'documents:locations', 'documents:hashtags'],
      differences: 2,
      unrepaired: 2,
    });

    const second = cluster.cli('verify', args);
    expect(await second.exited).toBe('exit 3');
    // The checks done before are not run again; what they found still counts.
    expect(second.output().stdout).not.toContain('hashtag-count');
    expect(second.output().stdout).toMatch(/2 differences, 0 repaired \(2 found before the interruption\)/);

    const repaired = await verifyCli('--repair');
    expect(repaired.outcome).toBe('exit 0');
    expect((await verifyCli()).differences).toEqual([]);
  });

  it('names each bad flag and exits 2', async () => {
    const run = cluster.cli('verify', ['--sample', 'some', '--kind', 'pets']);
    expect(await run.exited).toBe('exit 2');
    expect(run.output().stderr).toMatch(/--sample: /);
    expect(run.output().stderr).toMatch(/--kind: each must be one of/);
  });
});
