import fc from 'fast-check';
import { MemorySearchIndex, type MemorySearchIndexOptions } from '../platform/adapters/memory-search';
import { sortKeyOrder } from '../platform/adapters/memory-search/sort-key-order';
import { gallopLowerBound } from '../platform/adapters/memory-search/sorted-keys';
import { AppError, ValidationError } from '../platform/errors';
import type { SearchEntry, SuggestKind } from '../platform/ports/search-index';
import { foldText, foldedPrefixKeys } from '../platform/text/fold-text';
import { searchIndexContract } from './contracts/search-index-contract';
import { bruteForceSuggest } from './contracts/search-index-fixtures';

const memoryFactory = (options?: MemorySearchIndexOptions) => async () => {
  const index = MemorySearchIndex.create(options);
  return { index, cleanup: () => index.close() };
};

searchIndexContract('MemorySearchIndex', memoryFactory());
// Every write merged into the base; every write into the delta; then all three levels mixed.
searchIndexContract('MemorySearchIndex, base only', memoryFactory({ overlayLimit: 1, deltaLimit: 1 }));
searchIndexContract('MemorySearchIndex, delta only', memoryFactory({ overlayLimit: 1 }));
for (const onlyIdsStrategy of ['by-ids', 'by-range', 'by-rank'] as const) {
  searchIndexContract(
    `MemorySearchIndex, three levels, onlyIds ${onlyIdsStrategy}`,
    memoryFactory({ overlayLimit: 3, deltaLimit: 8, onlyIdsStrategy }),
    { propertyRuns: 60 },
  );
}

const user = (id: string, username: string, fullName: string, followerCount: number): SearchEntry => ({
  kind: 'users',
  entry: { id, username, fullName, followerCount },
});

/** The fold as first written (regex split, Set), plus the final-sigma rule: the oracle for the fast paths. */
function referenceFold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ς/gu, 'σ')
    .replace(/\s+/gu, ' ')
    .trim();
}
function referenceKeys(text: string): string[] {
  const whole = referenceFold(text);
  if (whole === '') return [];
  const keys = new Set([whole]);
  for (const word of whole.split(/[\s_.-]+/u)) if (word !== '') keys.add(word);
  return [...keys];
}

describe('foldText and foldedPrefixKeys', () => {
  const texts = fc.oneof(
    fc.string({ unit: 'grapheme-ascii', maxLength: 20 }),
    fc.string({ unit: 'binary', maxLength: 12 }),
    fc
      .array(fc.constantFrom('Ab', ' ', '  ', '\t', '_', '.', '-', 'É', 'ΣΑ', 'Σ', 'ß', '\u00a0', 'x'), {
        maxLength: 8,
      })
      .map((p) => p.join('')),
  );

  it('agree with the reference fold, fast path or not', () => {
    fc.assert(
      fc.property(texts, (t) => {
        expect([t, foldText(t)]).toEqual([t, referenceFold(t)]);
        expect([t, foldedPrefixKeys(t)]).toEqual([t, referenceKeys(t)]);
      }),
      { numRuns: 3000 },
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(texts, (t) => expect(foldText(foldText(t))).toBe(foldText(t))),
      { numRuns: 2000 },
    );
  });

  it('keeps typing monotone through a word-final capital sigma', () => {
    expect(foldText('ΠΑΣ')).toBe('πασ');
    expect(foldText('ΠΑΣΤΑ').startsWith(foldText('ΠΑΣ'))).toBe(true);
    expect(foldedPrefixKeys('Anna  Maria_de-la.Cruz')).toEqual([
      'anna maria_de-la.cruz',
      'anna',
      'maria',
      'de',
      'la',
      'cruz',
    ]);
  });
});

describe('sortKeyOrder', () => {
  const key = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', 'é', '\uffff'), maxLength: 12 }),
    fc.constantFrom('', 'a', 'aa', 'a\u0000', 'abcdefghijklmnop', 'abcdefghijklmnoq', '😀', '\ud83d'),
  );

  it('sorts like a comparison sort on `<` and flags equal neighbours', () => {
    fc.assert(
      fc.property(fc.array(key, { maxLength: 80 }), (keys) => {
        const { order, repeats } = sortKeyOrder(keys);
        const sorted = [...order].map((i) => keys[i]!);
        expect(sorted).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect([...order].sort((a, b) => a - b)).toEqual(keys.map((_, i) => i));
        expect([...repeats]).toEqual(sorted.map((k, i) => (i > 0 && sorted[i - 1] === k ? 1 : 0)));
      }),
      { numRuns: 500 },
    );
  });

  it('handles every code unit at once (one unit per round)', () => {
    const keys = Array.from({ length: 3000 }, (_, i) =>
      String.fromCharCode((i * 40503) & 0xffff, (i * 7) & 0xffff),
    );
    for (let c = 0; c < 0x10000; c += 1) keys.push(String.fromCharCode(c));
    const { order } = sortKeyOrder(keys);
    const sorted = [...order].map((i) => keys[i]!);
    const outOfOrder = sorted.findIndex((k, i) => i > 0 && sorted[i - 1]! > k);
    expect(outOfOrder).toBe(-1);
    expect(new Set(order).size).toBe(keys.length);
  });
});

describe('gallopLowerBound', () => {
  it('finds the first key not below the probe, from any start', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 3 }), { maxLength: 60 }),
        fc.string({ unit: fc.constantFrom('a', 'b', 'c'), maxLength: 3 }),
        fc.nat(),
        (unsorted, key, start) => {
          const keys = [...unsorted].sort();
          const from = keys.length === 0 ? 0 : start % (keys.length + 1);
          let want = from;
          while (want < keys.length && keys[want]! < key) want++;
          expect(gallopLowerBound(keys, key, from)).toBe(want);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('MemorySearchIndex at scale, against the oracle', () => {
  const FIRST = ['ana', 'anabel', 'andré', 'bo', 'björn', 'zoë', 'Ζωή', 'иван', 'maría', 'mario'];
  const LAST = ['silva', 'smith', 'sánchez', 'øre', 'müller', 'mills', 'ng', 'ángel'];
  type Model = { id: string; names: string[]; count: number };
  const entryOf = (i: number, round: number): SearchEntry => {
    const f = FIRST[(i * 7 + round) % FIRST.length]!;
    const l = LAST[(i * 3 + round * 5) % LAST.length]!;
    return user(`u${i}`, `${f}_${l}${i % 50}`, `${f} ${l}`, (i * 13 + round) % 40);
  };
  const modelOf = (e: SearchEntry): Model => {
    if (e.kind !== 'users') throw new Error('users only');
    return { id: e.entry.id, names: [e.entry.username, e.entry.fullName], count: e.entry.followerCount };
  };
  const queries = ['a', 'an', 'ana ', 'm', 'mari', 'ζ', 'и', 's', 'sanchez', 'ø', 'zz'];
  const onlyLists = [
    undefined,
    ['u1', 'u2', 'u3', 'nope'],
    Array.from({ length: 300 }, (_, i) => `u${i * 19}`),
    Array.from({ length: 5000 }, (_, i) => `u${(i * 7) % 7000}`),
  ];

  it.each(['auto', 'by-ids', 'by-range', 'by-rank'] as const)(
    'answers exactly through bulk load, renames, recounts, removes, overlay and merges (%s)',
    async (strategy) => {
      const models = new Map<string, Model>();
      const index = MemorySearchIndex.create({
        onlyIdsStrategy: strategy,
        overlayLimit: 300,
        deltaLimit: 900,
      });
      const check = async (round: number) => {
        for (const q of queries) {
          for (const only of onlyLists) {
            const want = bruteForceSuggest(models.values(), q, 200, only);
            for (const limit of [1, 10, 200]) {
              const got = (await index.suggest('users', q, { limit, onlyIds: only })).map((h) => h.id);
              expect([round, q, only?.length, limit, got]).toEqual([
                round,
                q,
                only?.length,
                limit,
                want.slice(0, limit),
              ]);
            }
          }
        }
      };
      const initial = Array.from({ length: 6000 }, (_, i) => entryOf(i, 0));
      expect(await index.bulkLoad(initial)).toEqual({ loaded: 6000, failed: [] });
      for (const e of initial) models.set(modelOf(e).id, modelOf(e));
      await check(0);
      let overlaySeen = 0;
      let deltaSeen = 0;
      for (let round = 1; round <= 6; round++) {
        // New users and renames land in the overlay, then the delta, then the base.
        const changed = Array.from({ length: 40 }, (_, i) => entryOf((i * 173 + round * 11) % 7000, round));
        // Recounts keep the names: the rank tree is updated in place.
        const recounts = Array.from({ length: 300 }, (_, i) => models.get(`u${(i * 19 + round) % 6000}`))
          .filter((m): m is Model => m !== undefined)
          .map((m) => user(m.id, m.names[0]!, m.names[1]!, (m.count * 7 + round) % 45));
        await index.upsert([...changed, ...recounts]);
        for (const e of [...changed, ...recounts]) models.set(modelOf(e).id, modelOf(e));
        const gone = Array.from({ length: 30 }, (_, i) => `u${(i * 67 + round * 3) % 7000}`);
        await index.remove('users', gone);
        gone.forEach((id) => models.delete(id));
        await check(round);
        overlaySeen = Math.max(overlaySeen, index.stats().users.overlayKeys);
        deltaSeen = Math.max(deltaSeen, index.stats().users.deltaKeys);
      }
      expect(await index.count('users')).toBe(models.size);
      const { deltaMerges, baseMerges } = index.stats().users;
      expect([deltaMerges > 1, baseMerges > 1, overlaySeen > 0, deltaSeen > 0]).toEqual([
        true,
        true,
        true,
        true,
      ]);
      await index.close();
    },
  );
});

describe('MemorySearchIndex', () => {
  it('bulk-loads from an async source and answers suggests made while it loads', async () => {
    const index = MemorySearchIndex.create({ overlayLimit: 50 });
    const seen: number[] = [];
    async function* source(): AsyncGenerator<SearchEntry> {
      for (let i = 0; i < 500; i++) {
        if (i % 100 === 0) seen.push((await index.suggest('users', 'p', { limit: 1000 })).length);
        yield user(`p${i}`, `p${i}`, 'Person', i);
      }
      yield user('', 'bad', 'Bad', 1);
    }
    const result = await index.bulkLoad(source());
    expect(result.loaded).toBe(500);
    expect(result.failed.map((f) => f.id)).toEqual(['']);
    expect(seen).toEqual([0, 100, 200, 300, 400]);
    expect((await index.suggest('users', 'person', { limit: 3 })).map((h) => h.id)).toEqual([
      'p499',
      'p498',
      'p497',
    ]);
    await index.close();
  });

  it('stores a frozen copy of the port fields only', async () => {
    const index = MemorySearchIndex.create();
    const entry = { id: 'u', username: 'alice', fullName: 'Alice', followerCount: 1, extra: 'dropped' };
    await index.upsert([{ kind: 'users', entry }]);
    entry.username = 'mallory';
    const stored = await index.get('users', 'u');
    expect(stored).toEqual({ id: 'u', username: 'alice', fullName: 'Alice', followerCount: 1 });
    expect(Object.isFrozen(stored)).toBe(true);
    expect((await index.suggest('users', 'mal', { limit: 5 })).length).toBe(0);
    await index.close();
  });

  const fieldOf = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof ValidationError ? e.issues.map((i) => i.field).join(',') : String(e)),
    );

  it('rejects bad arguments with ValidationErrors naming the field', async () => {
    const index = MemorySearchIndex.create();
    const anyKind = 'people' as SuggestKind;
    expect(await fieldOf(index.suggest(anyKind, 'a', { limit: 1 }))).toBe('kind');
    expect(await fieldOf(index.suggest('users', 7 as unknown as string, { limit: 1 }))).toBe('query');
    expect(
      await fieldOf(index.suggest('users', 'a', { limit: 1, onlyIds: 'u1' as unknown as string[] })),
    ).toBe('onlyIds');
    expect(
      await fieldOf(index.suggest('users', 'a', { limit: 1, onlyIds: ['u', 3 as unknown as string] })),
    ).toBe('onlyIds[1]');
    expect(await fieldOf(index.remove('users', 'u1' as unknown as string[]))).toBe('ids');
    expect(await fieldOf(index.remove(anyKind, []))).toBe('kind');
    expect(await fieldOf(index.count(anyKind))).toBe('kind');
    expect(await fieldOf(index.upsert({} as SearchEntry[]))).toBe('entries');
    expect(await fieldOf(index.suggest('users', 'a', { limit: 1000 }))).toBe('resolved');
    const { failed } = await index.upsert([
      { kind: 'people', entry: {} } as unknown as SearchEntry,
      null as never,
    ]);
    expect(failed.map((f) => [f.kind, f.reason])).toEqual([
      ['people', 'kind must be one of users, hashtags, locations'],
      ['undefined', 'kind must be one of users, hashtags, locations'],
    ]);
    expect(() => MemorySearchIndex.create({ overlayLimit: 0 })).toThrow(ValidationError);
    expect(() => MemorySearchIndex.create({ onlyIdsStrategy: 'fast' as never })).toThrow(ValidationError);
    await index.close();
  });

  it('fails every call after close with SEARCH_INDEX_CLOSED', async () => {
    const index = MemorySearchIndex.create();
    await index.upsert([user('u', 'a', 'A', 1)]);
    await index.close();
    await index.close();
    for (const call of [
      () => index.suggest('users', 'a', { limit: 1 }),
      () => index.upsert([]),
      () => index.get('users', 'u'),
      () => index.count('users'),
      () => index.refresh(),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe('SEARCH_INDEX_CLOSED');
    }
  });
});
