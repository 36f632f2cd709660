import fc from 'fast-check';
import {
  BulkWriter,
  bulkItemDecision,
  codeUnitKey,
  createElasticsearchClient,
  ElasticsearchSearchIndex,
  IndexAdmin,
  searchSourceOf,
  type BulkOperation,
  type BulkWriterOptions,
} from '../../platform/adapters/elasticsearch-search';
import { type AppError, TransientError, ValidationError } from '../../platform/errors';
import type { SearchEntry } from '../../platform/ports/search-index';
import { bruteForceSuggest, searchIndexContract } from '../contracts/search-index-contract';
import { pollUntil } from '../support/poll';
import { testEndpoints, uniqueName } from './support/test-endpoints';

const node = () => testEndpoints().elasticsearchUrl;

async function dropPrefix(indexPrefix: string): Promise<void> {
  const client = createElasticsearchClient({ node: node() });
  try {
    await new IndexAdmin(client, { indexPrefix }).dropAll();
  } finally {
    await client.close();
  }
}

// Every case, and every random run, gets three fresh indices: fewer runs than the embedded suites.
searchIndexContract(
  'ElasticsearchSearchIndex',
  async () => {
    const indexPrefix = `${uniqueName('contract')}_`;
    const index = await ElasticsearchSearchIndex.connect({ node: node(), indexPrefix });
    return {
      index,
      cleanup: async () => {
        await index.close();
        await dropPrefix(indexPrefix);
      },
    };
  },
  { propertyRuns: 60 },
);

const user = (id: string, username: string, fullName: string, followerCount: number): SearchEntry => ({
  kind: 'users',
  entry: { id, username, fullName, followerCount },
});

describe('bulkItemDecision', () => {
  it.each([
    [200, 'index', undefined, 'ok'],
    [201, 'index', undefined, 'ok'],
    [404, 'delete', undefined, 'ok'],
    [404, 'delete', 'index_not_found_exception', 'drop'],
    [404, 'index', 'index_not_found_exception', 'drop'],
    [429, 'index', 'es_rejected_execution_exception', 'retry'],
    [429, 'delete', 'cluster_block_exception', 'retry'],
    [400, 'index', 'document_parsing_exception', 'drop'],
    [400, 'index', 'strict_dynamic_mapping_exception', 'drop'],
    [409, 'index', 'version_conflict_engine_exception', 'drop'],
    [413, 'index', 'request_entity_too_large', 'drop'],
    [500, 'index', 'illegal_state_exception', 'drop'],
    [502, 'index', 'bad_gateway', 'fail'],
    [503, 'index', 'unavailable_shards_exception', 'fail'],
    [504, 'delete', 'timeout', 'fail'],
  ] as const)('status %p on %s (%p) is %s', (status, action, type, expected) => {
    expect(bulkItemDecision(status, action, type)).toBe(expected);
  });
});

describe('codeUnitKey', () => {
  const unit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  const text = fc.oneof(
    fc.string({ unit, maxLength: 6 }),
    fc.string({ unit: fc.constantFrom('a', '\ud7ff', '\ud83d', '\ude00', '\ue000', '\uffff'), maxLength: 5 }),
  );
  const bytes = (s: string) => Buffer.from(codeUnitKey(s), 'utf8');

  it('orders, prefix-matches and distinguishes in UTF-8 bytes as JS does in code units', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        const js = a < b ? -1 : a > b ? 1 : 0;
        expect([a, b, Math.sign(Buffer.compare(bytes(a), bytes(b)))]).toEqual([a, b, js]);
        const ka = bytes(a);
        const kb = bytes(b);
        expect([a, b, ka.subarray(0, kb.length).equals(kb)]).toEqual([a, b, a.startsWith(b)]);
        expect(bytes(a).toString('utf8')).toBe(codeUnitKey(a));
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves text below U+D800 alone', () => {
    expect(codeUnitKey('zoë café 김민준 山田 москва')).toBe('zoë café 김민준 山田 москва');
    expect(codeUnitKey('\ud83d\ude00')).toBe(String.fromCodePoint(0x10000 + 0x3d, 0x10000 + 0x600));
  });
});

describe('ElasticsearchSearchIndex beyond the contract', () => {
  const indexPrefix = `${uniqueName('esidx')}_`;
  let index: ElasticsearchSearchIndex;

  beforeAll(async () => {
    index = await ElasticsearchSearchIndex.connect({ node: node(), indexPrefix });
  });
  afterAll(async () => {
    await index.close();
    await dropPrefix(indexPrefix);
  });

  it('orders ids and matches prefixes by UTF-16 code units beyond the BMP, like the embedded index', async () => {
    const ids = ['\uffff', '\ud83d\ude00', '\ue000', 'a', 'a\ud800', 'a\ud801', '\ud83d\ude01'];
    const entries = ids.map((id, i) => user(id, `cu${i}`, i % 2 ? 'Smile 😀 face' : 'Plain', 1));
    expect(await index.upsert(entries)).toEqual({ failed: [] });
    await index.refresh();
    const models = entries.map((e) => {
      const u = e.entry as { id: string; username: string; fullName: string };
      return { id: u.id, names: [u.username, u.fullName], count: 1 };
    });
    for (const query of ['cu', '\ud83d', '😀', 'smile 😀', 'smile \ud83d']) {
      const got = (await index.suggest('users', query, { limit: 20 })).map((h) => h.id);
      expect([query, got]).toEqual([query, bruteForceSuggest(models, query, 20)]);
    }
    expect(await index.get('users', 'a\ud801')).toEqual(entries[5]!.entry);
    expect(await index.count('users')).toBe(ids.length);
    await index.remove('users', ids);
    await index.refresh();
    expect(await index.count('users')).toBe(0);
  });

  it('filters on onlyIds lists longer than one terms query may hold', async () => {
    const entries = Array.from({ length: 300 }, (_, i) => user(`m${i}`, `many${i % 17}`, 'Many Ids', i % 23));
    expect(await index.upsert(entries)).toEqual({ failed: [] });
    await index.refresh();
    const models = entries.map((e) => {
      const u = e.entry as { id: string; username: string; fullName: string; followerCount: number };
      return { id: u.id, names: [u.username, u.fullName], count: u.followerCount };
    });
    // 70 000 ids: real ones early, in the middle and past the first 65 536, among unknown ones.
    const only = Array.from({ length: 70_000 }, (_, i) => (i % 997 === 5 ? `m${(i * 7) % 300}` : `x${i}`));
    for (const query of ['many', 'many1', 'ids', 'z']) {
      const got = (await index.suggest('users', query, { limit: 100, onlyIds: only })).map((h) => h.id);
      expect([query, got]).toEqual([query, bruteForceSuggest(models, query, 100, only)]);
    }
    expect(bruteForceSuggest(models, 'many', 100, only).length).toBeGreaterThan(60);
    await index.remove(
      'users',
      entries.map((e) => (e.entry as { id: string }).id),
    );
  });

  it('refuses bad options before connecting, and fails later calls once closed', async () => {
    const fieldOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e instanceof ValidationError ? e.issues.map((i) => i.field).join(',') : String(e)),
      );
    expect(await fieldOf(ElasticsearchSearchIndex.connect({ node: node(), indexPrefix: 'Upper_' }))).toBe(
      'indexPrefix',
    );
    expect(await fieldOf(ElasticsearchSearchIndex.connect({ node: 'ftp://127.0.0.1:1' }))).toBe('node');
    expect(
      await fieldOf(ElasticsearchSearchIndex.connect({ node: node(), indexPrefix, bulk: { maxDocs: 0 } })),
    ).toBe('maxDocs');
    const other = await ElasticsearchSearchIndex.connect({ node: node(), indexPrefix });
    await other.close();
    await other.close();
    const err = await other.suggest('users', 'a', { limit: 1 }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('SEARCH_INDEX_CLOSED');
  });

  it('maps an unreachable node to a TransientError', async () => {
    const err = await ElasticsearchSearchIndex.connect({
      node: 'http://127.0.0.1:1',
      requestTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).code).toBe('ES_UNAVAILABLE');
  });
});

describe('BulkWriter on a real Elasticsearch', () => {
  const indexPrefix = `${uniqueName('bulk')}_`;
  const client = createElasticsearchClient({ node: node() });
  const admin = new IndexAdmin(client, { indexPrefix });
  const alias = admin.names.alias('users');
  const physical = admin.names.physical('users', 1);
  const writers: BulkWriter[] = [];
  let n = 0;

  const writerWith = (options: Partial<BulkWriterOptions> = {}) => {
    const dropped: [BulkOperation, string, number][] = [];
    const writer = new BulkWriter(client, {
      onDrop: (op, reason, status) => dropped.push([op, reason, status]),
      ...options,
    });
    writers.push(writer);
    return { writer, dropped };
  };
  const doc = (id: string, rank: number): BulkOperation => ({
    action: 'index',
    index: alias,
    id,
    document: searchSourceOf(user(id, `bulk${id}`, 'Bulk Doc', rank)),
  });
  const freshIds = (count: number) => Array.from({ length: count }, () => `d${String(n++).padStart(5, '0')}`);
  const countOf = async (ids: string[]) => {
    await client.indices.refresh({ index: alias });
    const found = await client.search({ index: alias, size: 0, query: { terms: { id: ids } } });
    return typeof found.hits.total === 'number' ? found.hits.total : (found.hits.total?.value ?? -1);
  };
  const rankOf = async (id: string) =>
    ((await client.get({ index: alias, id }))._source as { rank: number }).rank;

  beforeAll(async () => {
    await admin.ensureIndices(['users', 'media']);
  });
  afterAll(async () => {
    for (const w of writers) await w.close();
    await admin.dropAll();
    await client.close();
  });

  it('flushes by document count without being asked', async () => {
    const { writer } = writerWith({ maxDocs: 10, flushIntervalMs: 3_600_000, concurrency: 1 });
    const ids = freshIds(25);
    const written = writer.write(ids.map((id) => doc(id, 1)));
    await pollUntil(() => writer.stats().sent === 20, 'two full batches');
    expect(writer.stats()).toMatchObject({ flushes: 2, sent: 20, queued: 5 });
    expect(await countOf(ids)).toBe(20);
    await writer.flush();
    expect(await written).toEqual({ dropped: [] });
    expect(await countOf(ids)).toBe(25);
    expect(writer.stats()).toMatchObject({ flushes: 3, sent: 25, queued: 0, inFlight: 0 });
  });

  it('flushes by bytes without being asked', async () => {
    const ids = freshIds(10);
    const ops = ids.map((id) => doc(id, 2));
    // The NDJSON lines of one operation; all ten are the same size.
    const line = (op: BulkOperation) =>
      Buffer.byteLength(`${JSON.stringify({ index: { _index: alias, _id: op.id } })}\n`) +
      Buffer.byteLength(`${JSON.stringify((op as { document: object }).document)}\n`);
    expect(new Set(ops.map(line)).size).toBe(1);
    const { writer } = writerWith({
      maxBytes: Math.floor(line(ops[0]!) * 3.5),
      flushIntervalMs: 3_600_000,
      concurrency: 1,
    });
    const written = writer.write(ops);
    await pollUntil(() => writer.stats().sent === 9, 'three batches of three');
    expect(writer.stats()).toMatchObject({ flushes: 3, queued: 1, bytes: 9 * line(ops[0]!) });
    await writer.flush();
    expect(await written).toEqual({ dropped: [] });
    expect(await countOf(ids)).toBe(10);
  });

  it('flushes by time', async () => {
    const { writer } = writerWith({ flushIntervalMs: 300 });
    const ids = freshIds(3);
    const started = Date.now();
    const written = writer.write(ids.map((id) => doc(id, 3)));
    expect(writer.stats()).toMatchObject({ flushes: 0, queued: 3 });
    expect(await written).toEqual({ dropped: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(writer.stats()).toMatchObject({ flushes: 1, sent: 3 });
    expect(await countOf(ids)).toBe(3);
  });

  it('sends refused documents to the dead-letter sink and indexes the rest', async () => {
    const { writer, dropped } = writerWith();
    const [good1, good2, missing] = freshIds(3);
    const wrongType: BulkOperation = {
      action: 'index',
      index: alias,
      id: 'bad-type',
      document: { rank: 'lots' },
    };
    const unknownField: BulkOperation = {
      action: 'index',
      index: alias,
      id: 'bad-field',
      document: { ...searchSourceOf(user('bad-field', 'x', 'y', 1)), colour: 'red' },
    };
    const ops = [
      doc(good1!, 5),
      wrongType,
      unknownField,
      { action: 'delete', index: alias, id: missing! },
      doc(good2!, 6),
    ] as BulkOperation[];
    const result = await writer.write(ops, { flush: true });
    expect(result.dropped.map((d) => [d.operation, d.status])).toEqual([
      [wrongType, 400],
      [unknownField, 400],
    ]);
    expect(dropped.map(([op, , status]) => [op, status])).toEqual([
      [wrongType, 400],
      [unknownField, 400],
    ]);
    expect(dropped[0]![1]).toMatch(/\[rank\]/);
    expect(dropped[1]![1]).toMatch(/strict_dynamic_mapping_exception/);
    expect(writer.stats()).toMatchObject({ sent: 3, failed: 2, errored: 0 });
    expect(await countOf([good1!, good2!, 'bad-type', 'bad-field'])).toBe(2);
    expect([await rankOf(good1!), await rankOf(good2!)]).toEqual([5, 6]);
  });

  it('checks operations, refuses writes after close, and flushes what is queued on close', async () => {
    const { writer } = writerWith({ flushIntervalMs: 3_600_000 });
    const bad = [{ action: 'index', index: alias, id: '', document: {} }] as BulkOperation[];
    const err = await writer.write(bad).catch((e: unknown) => e);
    expect((err as ValidationError).issues).toEqual([
      { field: 'ops[0].id', reason: 'must be a non-empty string' },
    ]);
    const ids = freshIds(4);
    const written = writer.write(ids.map((id) => doc(id, 1)));
    await writer.close();
    expect(await written).toEqual({ dropped: [] });
    expect(await countOf(ids)).toBe(4);
    const closed = await writer.write([doc('late', 1)]).catch((e: unknown) => e);
    expect((closed as AppError).code).toBe('BULK_WRITER_CLOSED');
  });

  it('keeps the last write per document under concurrency, coalescing within a write', async () => {
    const { writer } = writerWith({ maxDocs: 7, concurrency: 4, maxQueued: 20, flushIntervalMs: 5 });
    const ids = freshIds(40);
    const rounds = Array.from({ length: 6 }, (_, round) =>
      writer.write(
        ids.flatMap((id, i) => (i % 3 === round % 3 ? [doc(id, 100), doc(id, round)] : [doc(id, round)])),
      ),
    );
    for (const r of await Promise.all(rounds)) expect(r).toEqual({ dropped: [] });
    expect(writer.stats().coalesced).toBeGreaterThanOrEqual(6 * 13);
    const ranks = await Promise.all(ids.map(rankOf));
    expect(ranks).toEqual(ids.map(() => 5));
  });

  it('retries 429s with backoff until Elasticsearch takes the documents', async () => {
    const { writer, dropped } = writerWith({
      retry: { initialDelayMs: 20, maxDelayMs: 100, maxAttempts: 100 },
    });
    const ids = freshIds(5);
    // The flood-stage block answers every write with a real 429 until it is lifted.
    await client.indices.putSettings({
      index: physical,
      settings: { 'index.blocks.read_only_allow_delete': true },
    });
    let written: Promise<unknown> | undefined;
    try {
      written = writer.write(
        ids.map((id) => doc(id, 7)),
        { flush: true },
      );
      await pollUntil(() => writer.stats().retried >= 10, 'two rounds of 429s');
    } finally {
      await client.indices.putSettings({
        index: physical,
        settings: { 'index.blocks.read_only_allow_delete': null },
      });
    }
    expect(await written).toEqual({ dropped: [] });
    expect(dropped).toEqual([]);
    expect(writer.stats()).toMatchObject({ sent: 5, failed: 0, errored: 0 });
    expect(await countOf(ids)).toBe(5);
  });

  it('rejects the write with a TransientError when the 429s outlast the attempts, dropping nothing', async () => {
    const { writer, dropped } = writerWith({ retry: { initialDelayMs: 1, maxDelayMs: 5, maxAttempts: 3 } });
    const ids = freshIds(4);
    await client.indices.putSettings({
      index: physical,
      settings: { 'index.blocks.read_only_allow_delete': true },
    });
    let err: unknown;
    try {
      err = await writer
        .write(
          ids.map((id) => doc(id, 8)),
          { flush: true },
        )
        .catch((e: unknown) => e);
    } finally {
      await client.indices.putSettings({
        index: physical,
        settings: { 'index.blocks.read_only_allow_delete': null },
      });
    }
    expect(err).toBeInstanceOf(TransientError);
    expect((err as TransientError).code).toBe('ES_TOO_MANY_REQUESTS');
    expect(dropped).toEqual([]);
    expect(writer.stats()).toMatchObject({ flushes: 3, retried: 8, errored: 4, sent: 0 });
    expect(await countOf(ids)).toBe(0);
  });

  it('indexes MediaDocs into the media index and drops one with a bad date', async () => {
    const { writer } = writerWith();
    const media = admin.names.alias('media');
    const post = {
      id: '1001',
      authorId: '7',
      authorUsername: null,
      caption: 'Golden hour #sunset',
      imageUrl: '/media/1001.svg',
      tags: ['sunset'],
      locationId: '42',
      locationName: 'Lisbon',
      createdAt: '2026-01-01T11:59:58Z',
    };
    const result = await writer.write(
      [
        { action: 'index', index: media, id: post.id, document: post, requireAlias: true },
        {
          action: 'index',
          index: media,
          id: '1002',
          document: { ...post, id: '1002', createdAt: 'yesterday' },
        },
      ],
      { flush: true },
    );
    expect(result.dropped.map((d) => [d.operation.id, d.status])).toEqual([['1002', 400]]);
    const stored = await client.get({ index: media, id: '1001' });
    expect(stored._source).toEqual(post);
  });
});

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
