import {
  BulkWriter,
  createElasticsearchClient,
  ElasticsearchSearchIndex,
  IndexAdmin,
  searchSourceOf,
  type BulkOperation,
} from '../../platform/adapters/elasticsearch-search';
import type { ValidationError } from '../../platform/errors';
import { user } from '../contracts/search-index-fixtures';
import { pollUntil } from '../support/poll';
import { testEndpoints, uniqueName } from './support/test-endpoints';

const node = () => testEndpoints().elasticsearchUrl;

describe('IndexAdmin', () => {
  const indexPrefix = `${uniqueName('admin')}_`;
  const client = createElasticsearchClient({ node: node() });
  const admin = new IndexAdmin(client, { indexPrefix });

  afterAll(async () => {
    await admin.dropAll();
    await client.close();
  });

  it('creates v1 behind each alias once, however often and concurrently it is asked', async () => {
    await Promise.all([admin.ensureIndices(), admin.ensureIndices(), admin.ensureIndices(['users'])]);
    await admin.ensureIndices();
    for (const kind of ['users', 'hashtags', 'locations', 'media'] as const) {
      expect([kind, await admin.versions(kind), await admin.aliasTargets(kind)]).toEqual([
        kind,
        [1],
        [admin.names.physical(kind, 1)],
      ]);
    }
    const err = await admin.swapAlias('users', `${indexPrefix}hashtags_v1`).catch((e: unknown) => e);
    expect((err as ValidationError).issues.map((i) => i.field)).toEqual(['index']);
  });

  it('swaps the alias atomically: searches during the swap never fail and never see an empty index', async () => {
    const index = await ElasticsearchSearchIndex.connect({ node: node(), indexPrefix });
    const ids = Array.from({ length: 200 }, (_, i) => `s${i}`);
    expect(await index.upsert(ids.map((id) => user(id, `swap${id}`, 'Swap Test', 1)))).toEqual({
      failed: [],
    });
    await index.refresh();
    const v2 = await admin.createVersion('users');
    expect(v2).toBe(admin.names.physical('users', 2));
    const writer = new BulkWriter(client, { onDrop: () => undefined });
    const direct = ids.map((id): BulkOperation => ({
      action: 'index',
      index: v2,
      id,
      document: searchSourceOf(user(id, `swap${id}`, 'Swap Test', 2)),
    }));
    expect(await writer.write(direct, { flush: true })).toEqual({ dropped: [] });
    await writer.close();
    await client.indices.refresh({ index: v2 });

    const seen: string[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          const hits = await index.suggest('users', 'swap', { limit: 1000 });
          const ranks = new Set(hits.map((h) => (h.entry as { followerCount: number }).followerCount));
          seen.push(`${hits.length}:${[...ranks].join(',')}`);
        } catch (err) {
          failures.push(err);
        }
      }
    })();
    let swapped = 0;
    try {
      await pollUntil(() => seen.length >= 20, 'searches before the swap');
      const { previous } = await admin.swapAlias('users', v2);
      swapped = seen.length;
      expect(previous).toEqual([admin.names.physical('users', 1)]);
      await pollUntil(() => seen.length >= swapped + 20, 'searches after the swap');
    } finally {
      stop = true;
      await loop;
    }
    expect(failures).toEqual([]);
    // Every answer is complete and from one version; once v2 is seen, v1 never comes back.
    const firstNew = seen.indexOf('200:2');
    expect(firstNew).toBeGreaterThan(0);
    expect(firstNew).toBeLessThanOrEqual(swapped + 1);
    expect(seen).toEqual([...Array(firstNew).fill('200:1'), ...Array(seen.length - firstNew).fill('200:2')]);
    expect(await index.get('users', 's7')).toEqual({
      id: 's7',
      username: 'swaps7',
      fullName: 'Swap Test',
      followerCount: 2,
    });

    await admin.deleteIndices([admin.names.physical('users', 1)]);
    const v3 = await admin.createVersion('users');
    expect(v3).toBe(admin.names.physical('users', 3));
    expect(await admin.swapAlias('users', v3, { deleteOld: true })).toEqual({ previous: [v2] });
    expect([await admin.versions('users'), await admin.aliasTargets('users')]).toEqual([[3], [v3]]);
    expect(await index.count('users')).toBe(0);
    await index.close();
  });
});
