import {
  BulkWriter,
  bulkItemDecision,
  createElasticsearchClient,
  IndexAdmin,
  searchSourceOf,
  type BulkOperation,
  type BulkWriterOptions,
} from '../../platform/adapters/elasticsearch-search';
import { type AppError, TransientError, type ValidationError } from '../../platform/errors';
import { user } from '../contracts/search-index-fixtures';
import { pollUntil } from '../support/poll';
import { testEndpoints, uniqueName } from './support/test-endpoints';

const node = () => testEndpoints().elasticsearchUrl;

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
