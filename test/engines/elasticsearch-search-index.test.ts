import fc from 'fast-check';
import {
  codeUnitKey,
  createElasticsearchClient,
  ElasticsearchSearchIndex,
  IndexAdmin,
} from '../../platform/adapters/elasticsearch-search';
import { type AppError, TransientError, ValidationError } from '../../platform/errors';
import { searchIndexContract } from '../contracts/search-index-contract';
import { bruteForceSuggest, user } from '../contracts/search-index-fixtures';
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
