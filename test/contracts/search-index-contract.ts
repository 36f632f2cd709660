import fc from 'fast-check';
import { ValidationError } from '../../platform/errors';
import type { SearchEntry, SearchIndex, SuggestKind } from '../../platform/ports/search-index';
import { foldText, foldedPrefixKeys } from '../../platform/text/fold-text';

const user = (id: string, username: string, fullName: string, followerCount = 0): SearchEntry => ({
  kind: 'users',
  entry: { id, username, fullName, followerCount },
});
const tag = (t: string, displayName: string, totalPosts = 0): SearchEntry => ({
  kind: 'hashtags',
  entry: { tag: t, displayName, totalPosts },
});
const place = (id: string, name: string, mediaCount = 0): SearchEntry => ({
  kind: 'locations',
  entry: { id, name, mediaCount },
});

const FIXTURE: SearchEntry[] = [
  user('u01', 'cafe_lover', 'Zoë Café', 500),
  user('u02', 'jgarcia', 'José García', 300),
  user('u03', 'bavaria_fan', 'Jörg Müller', 200),
  user('u04', 'anna_k', 'Anna Karenina', 1000),
  user('u05', 'annabel', 'Annabel Lee', 1000),
  user('u06', 'ivan_p', 'Иван Петров', 50),
  user('u07', 'nikos', 'Νίκος Παπαδόπουλος', 40),
  user('u08', 'taro', '山田 太郎', 30),
  user('u09', 'minjun', '김민준', 20),
  user('u10', 'mohammed_ali', 'مُحَمَّد علي', 10),
  user('u11', 'sfan', 'Straße Fan', 5),
  user('u12', 'o.neill', "Seán O'Neill", 3),
  user('u13', 'hana_t', 'Ｈａｎａ Ｔａｎａｋａ', 2),
  tag('sunset', 'Sunset', 900),
  tag('sunsetlovers', 'SunsetLovers', 400),
  tag('summer_vibes', 'summer_vibes', 700),
  tag('café', 'Café', 80),
  tag('カフェ', 'カフェ', 50),
  tag('ガイド', 'ガイド', 60),
  tag('москва', 'Москва', 70),
  place('l1', 'München Hbf', 1000),
  place('l2', 'Πάστα Φρέσκα', 500),
  place('l3', 'Café de Flore', 800),
  place('l5', 'New York', 2000),
  place('l6', 'Newark', 300),
  place('l7', 'New Delhi', 2000),
];

/** [why, kind, query, expected ids best first], worked out by hand from the matching rules. */
const MATCH_CASES: [string, SuggestKind, string, string[]][] = [
  ['accent in the name, none in the query', 'users', 'zoe', ['u01']],
  ['accent and upper case in the query', 'users', 'ZOË', ['u01']],
  ['a word of the username and of the full name, once', 'users', 'caf', ['u01']],
  ['prefix of the whole full name, across the space', 'users', 'JOSÉ GAR', ['u02']],
  ['word prefix inside the full name', 'users', 'garc', ['u02']],
  ['no infix matches', 'users', 'arcia', []],
  ['words out of order do not match the whole name', 'users', 'garcia jose', []],
  ['umlaut folds to its base letter', 'users', 'MÜLLER', ['u03']],
  ['no German transliteration (ü is not ue)', 'users', 'muell', []],
  ['ties by id ascending', 'users', 'anna', ['u04', 'u05']],
  ['a space only matches a space', 'users', 'anna k', ['u04']],
  ['the whole username with its underscore', 'users', 'anna_', ['u04']],
  ['ranked across username and name words', 'users', 'a', ['u04', 'u05', 'u10']],
  ['query whitespace is trimmed and collapsed', 'users', ' anna   K ', ['u04']],
  ['last names', 'users', 'l', ['u05', 'u01']],
  ['Cyrillic, lower case', 'users', 'иван', ['u06']],
  ['Cyrillic, upper case prefix', 'users', 'ИВА', ['u06']],
  ['Cyrillic second word', 'users', 'петр', ['u06']],
  ['Greek without the tonos', 'users', 'νικος', ['u07']],
  ['Greek capitals: final sigma folds to σ on both sides', 'users', 'ΝΙΚΟΣ ΠΑΠ', ['u07']],
  ['Japanese word after a space', 'users', '太郎', ['u08']],
  ['Japanese one character', 'users', '山', ['u08']],
  ['Korean syllables', 'users', '김민', ['u09']],
  ['Korean: a syllable is a prefix of the syllable with a final consonant (jamo)', 'users', '기', ['u09']],
  ['Korean: no word break inside 김민준', 'users', '민준', []],
  ['Arabic without harakat finds the name with them', 'users', 'محمد', ['u10']],
  ['Arabic with harakat', 'users', 'مُحَمَّد', ['u10']],
  ['Arabic second word', 'users', 'علي', ['u10']],
  ['ß matches ß', 'users', 'straße', ['u11']],
  ['capital ẞ lower-cases to ß', 'users', 'STRAẞE', ['u11']],
  ['ß is not ss', 'users', 'strasse', []],
  ['ß is not SS either', 'users', 'STRASSE', []],
  ['apostrophe is part of the word', 'users', "o'n", ['u12']],
  ['dot splits the username', 'users', 'neill', ['u12']],
  ['full-width letters fold to ASCII', 'users', 'ＴＡＮ', ['u13']],
  ['one letter, several words', 'users', 't', ['u08', 'u13']],
  ['no @ handling: callers strip it', 'users', '@cafe', []],
  ['empty query', 'users', '', []],
  ['blank query', 'users', '   ', []],
  ['a lone combining mark folds to nothing', 'users', '\u0301', []],
  ['hashtags by totalPosts', 'hashtags', 'su', ['sunset', 'summer_vibes', 'sunsetlovers']],
  ['hashtag displayName camel case', 'hashtags', 'SUNSETL', ['sunsetlovers']],
  ['hashtag word after an underscore', 'hashtags', 'vibes', ['summer_vibes']],
  ['hashtag: a space does not match an underscore', 'hashtags', 'summer v', []],
  ['hashtag accent', 'hashtags', 'cafe', ['café']],
  ['katakana', 'hashtags', 'カフ', ['カフェ']],
  ['half-width katakana', 'hashtags', 'ｶﾌｪ', ['カフェ']],
  ['dakuten are dropped: カイ finds ガイド', 'hashtags', 'カイ', ['ガイド']],
  ['Cyrillic tag key', 'hashtags', 'МОСК', ['москва']],
  ['no # handling: callers strip it', 'hashtags', '#sun', []],
  ['location umlaut', 'locations', 'MUN', ['l1']],
  ['location whole name', 'locations', 'munchen h', ['l1']],
  ['Greek capitals ending on Σ still find the word going on', 'locations', 'ΠΑΣ', ['l2']],
  ['location words, ranked', 'locations', 'de', ['l7', 'l3']],
  ['location ties by id', 'locations', 'new', ['l5', 'l7', 'l6']],
  ['location whole name with space', 'locations', 'new y', ['l5']],
];

interface Model {
  id: string;
  names: string[];
  count: number;
}

const modelOf = (e: SearchEntry): Model => {
  switch (e.kind) {
    case 'users':
      return { id: e.entry.id, names: [e.entry.username, e.entry.fullName], count: e.entry.followerCount };
    case 'hashtags':
      return { id: e.entry.tag, names: [e.entry.tag, e.entry.displayName], count: e.entry.totalPosts };
    case 'locations':
      return { id: e.entry.id, names: [e.entry.name], count: e.entry.mediaCount };
  }
};

type Op =
  | { upsert: SearchEntry[] }
  | { remove: SuggestKind; ids: string[] }
  | { recount: SuggestKind; ids: string[]; count: number };

/** Applies one random step to the index and to the model, then refreshes. */
async function applyOp(
  index: SearchIndex,
  model: Record<SuggestKind, Map<string, Model>>,
  op: Op,
): Promise<void> {
  if ('remove' in op) {
    await index.remove(op.remove, op.ids);
    for (const i of op.ids) model[op.remove].delete(i);
  } else {
    const entries = 'upsert' in op ? op.upsert : recounted(op.recount, op.ids, model[op.recount], op.count);
    expect(await index.upsert(entries)).toEqual({ failed: [] });
    for (const e of entries) model[e.kind].set(modelOf(e).id, modelOf(e));
  }
  await index.refresh();
}

function recounted(
  kind: SuggestKind,
  ids: string[],
  models: Map<string, Model>,
  count: number,
): SearchEntry[] {
  return ids.flatMap((id) => {
    const m = models.get(id);
    if (!m) return [];
    if (kind === 'users') return [user(id, m.names[0]!, m.names[1]!, count)];
    return [kind === 'hashtags' ? tag(id, m.names[1]!, count) : place(id, m.names[0]!, count)];
  });
}

const keyCache = new Map<string, string[]>();
/** foldedPrefixKeys, memoised: the oracle runs over thousands of entries per query. */
function keysOf(name: string): string[] {
  let keys = keyCache.get(name);
  if (!keys) {
    if (keyCache.size > 200_000) keyCache.clear();
    keys = foldedPrefixKeys(name);
    keyCache.set(name, keys);
  }
  return keys;
}

/** The brute-force oracle: every entry any of whose folded keys starts with the folded query, sorted, sliced. */
export function bruteForceSuggest(
  entries: Iterable<Model>,
  query: string,
  limit: number,
  onlyIds?: readonly string[],
): string[] {
  const folded = foldText(query);
  if (folded === '') return [];
  const allowed = onlyIds && new Set(onlyIds);
  return [...entries]
    .filter((m) => !allowed || allowed.has(m.id))
    .filter((m) => m.names.some((n) => keysOf(n).some((k) => k.startsWith(folded))))
    .sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, limit)
    .map((m) => m.id);
}

export interface SearchIndexContractOptions {
  /** Runs of the random-sequence property; lower it for slow backends. */
  propertyRuns?: number;
}

/**
 * The behaviour every SearchIndex adapter owes the API, through the port
 * only: each read follows `refresh()`, nothing depends on timing.
 */
export function searchIndexContract(
  name: string,
  factory: () => Promise<{ index: SearchIndex; cleanup(): Promise<void> }>,
  options: SearchIndexContractOptions = {},
): void {
  describe(`SearchIndex contract: ${name}`, () => {
    let index: SearchIndex;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ index, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });

    const load = async (entries: SearchEntry[]) => {
      expect(await index.upsert(entries)).toEqual({ failed: [] });
      await index.refresh();
    };
    const ids = async (kind: SuggestKind, query: string, limit = 50, onlyIds?: string[]) =>
      (await index.suggest(kind, query, { limit, onlyIds })).map((h) => h.id);

    it('matches folded prefixes of whole names and words, in every script of the table', async () => {
      await load(FIXTURE);
      const actual: [string, string[]][] = [];
      for (const [why, kind, query] of MATCH_CASES) actual.push([why, await ids(kind, query)]);
      expect(actual).toEqual(MATCH_CASES.map(([why, , , expected]) => [why, expected]));
    });

    it('returns the stored entry with each hit', async () => {
      await load(FIXTURE);
      expect(await index.suggest('users', 'zoe', { limit: 5 })).toEqual([
        { id: 'u01', entry: { id: 'u01', username: 'cafe_lover', fullName: 'Zoë Café', followerCount: 500 } },
      ]);
      expect(await index.suggest('hashtags', 'vibes', { limit: 5 })).toEqual([
        { id: 'summer_vibes', entry: { tag: 'summer_vibes', displayName: 'summer_vibes', totalPosts: 700 } },
      ]);
      expect(await index.get('locations', 'l2')).toEqual({ id: 'l2', name: 'Πάστα Φρέσκα', mediaCount: 500 });
      expect(await index.get('locations', 'nope')).toBeUndefined();
      expect(await index.get('users', 'l2')).toBeUndefined();
      expect([
        await index.count('users'),
        await index.count('hashtags'),
        await index.count('locations'),
      ]).toEqual([13, 7, 6]);
    });

    it('ranks by count descending, then id ascending in JS string order, and applies the limit', async () => {
      const counts: [string, number][] = [
        ['9', 9],
        ['10', 9],
        ['b', 3],
        ['B', 3],
        ['a', 3],
        ['é', 3],
        ['z', 100],
        ['zz', 0],
        ['q', 2 ** 24 + 1],
        ['p', 2 ** 24],
        ['r', Number.MAX_SAFE_INTEGER],
      ];
      await load(counts.map(([id, n]) => user(id, `rank_${id}`, 'Rank Test', n)));
      // '10' < '9' and 'B' < 'a' < 'b' < 'é' as strings; 2^24 + 1 and 2^24 must not be confused.
      const expected = ['r', 'q', 'p', 'z', '10', '9', 'B', 'a', 'b', 'é', 'zz'];
      expect(await ids('users', 'rank')).toEqual(expected);
      expect(await ids('users', 'RANK T', 3)).toEqual(expected.slice(0, 3));
      expect(await ids('users', 'r', 1)).toEqual(['r']);
      expect(await ids('users', 'rank_', 2, ['p', 'q', 'z'])).toEqual(['q', 'p']);
      // Three counts one float32 apart at most: only exact comparisons find c2 first.
      await load([
        user('c0', 'cap0', 'Cap', 2 ** 25 + 1),
        user('c1', 'cap1', 'Cap', 2 ** 25),
        user('c2', 'cap2', 'Cap', 2 ** 25 + 2),
      ]);
      expect(await ids('users', 'cap', 1)).toEqual(['c2']);
      expect(await ids('users', 'cap', 3)).toEqual(['c2', 'c0', 'c1']);
      expect(await ids('users', 'rank', 1000)).toEqual(expected);
    });

    it('restricts hits to onlyIds, ignoring unknown and repeated ids', async () => {
      await load([
        user('9', 'rank9', 'Rank', 9),
        user('a', 'ranka', 'Rank', 3),
        user('zz', 'rankzz', 'Rank', 0),
        user('x', 'other', 'Other', 50),
      ]);
      expect(await ids('users', 'rank', 10, ['zz', 'a', '9', 'nope', 'a', 'x'])).toEqual(['9', 'a', 'zz']);
      expect(await ids('users', 'rank', 1, ['zz', 'a'])).toEqual(['a']);
      expect(await ids('users', 'rank', 10, [])).toEqual([]);
      expect(await ids('users', 'rank', 10, ['x'])).toEqual([]);
      expect(await ids('hashtags', 'rank', 10, ['9'])).toEqual([]);
    });

    it('answers onlyIds like the oracle for small and large id lists over a large range', async () => {
      const entries = Array.from({ length: 1500 }, (_, i) =>
        user(`id${i}`, `ab${(i * 7919) % 1000}`, i % 3 === 0 ? 'Abe Lincoln' : 'Zed Zebra', (i * 31) % 97),
      );
      await load(entries);
      const models = entries.map(modelOf);
      const pick = (n: number, step: number) => Array.from({ length: n }, (_, i) => `id${(i * step) % 1700}`);
      for (const only of [pick(5, 301), pick(80, 37), pick(600, 13), pick(1700, 1), []]) {
        for (const query of ['a', 'ab1', 'abe l', 'z', 'q']) {
          expect([query, only.length, await ids('users', query, 10, only)]).toEqual([
            query,
            only.length,
            bruteForceSuggest(models, query, 10, only),
          ]);
        }
      }
    });

    it('stops matching old names after a rename and keeps matching after a case-only change', async () => {
      await load([
        user('u', 'alice', 'Alice Smith', 10),
        tag('tbt', 'ThrowbackThursday', 5),
        place('p', 'Old Town', 1),
      ]);
      await load([user('u', 'bob', 'Bob Jones', 10), tag('tbt', 'TBT', 5), place('p', 'Altstadt', 1)]);
      expect([await ids('users', 'ali'), await ids('users', 'smi'), await ids('users', 'jon')]).toEqual([
        [],
        [],
        ['u'],
      ]);
      expect([await ids('hashtags', 'throw'), await ids('hashtags', 'tbt')]).toEqual([[], ['tbt']]);
      expect([await ids('locations', 'old'), await ids('locations', 'alt')]).toEqual([[], ['p']]);
      await load([user('u', 'BOB', 'BOB JONES', 11)]);
      expect(await index.suggest('users', 'bob j', { limit: 5 })).toEqual([
        { id: 'u', entry: { id: 'u', username: 'BOB', fullName: 'BOB JONES', followerCount: 11 } },
      ]);
      await load([user('u', '', '', 11)]);
      expect(await ids('users', 'bob')).toEqual([]);
      expect(await index.get('users', 'u')).toEqual({
        id: 'u',
        username: '',
        fullName: '',
        followerCount: 11,
      });
      expect(await index.count('users')).toBe(1);
    });

    it('reorders when counts change, and is idempotent', async () => {
      await load([tag('xa', 'xa', 10), tag('xb', 'xb', 20), tag('xc', 'Xc', 15)]);
      expect(await ids('hashtags', 'x')).toEqual(['xb', 'xc', 'xa']);
      await load([tag('xa', 'xa', 30)]);
      await load([tag('xa', 'xa', 30)]);
      expect(await ids('hashtags', 'x', 1)).toEqual(['xa']);
      expect(await ids('hashtags', 'x')).toEqual(['xa', 'xb', 'xc']);
      await load([tag('xb', 'xb', 0), tag('xc', 'XC', 31)]);
      expect(await ids('hashtags', 'x', 2)).toEqual(['xc', 'xa']);
      await load([tag('xc', 'XC', 15)]);
      expect(await index.count('hashtags')).toBe(3);
      // In one batch the last write of an id wins.
      await load([tag('xb', 'xb', 1), tag('xb', 'yb', 99), tag('xb', 'xb', 5)]);
      expect(await ids('hashtags', 'x')).toEqual(['xa', 'xc', 'xb']);
      expect(await index.get('hashtags', 'xb')).toEqual({ tag: 'xb', displayName: 'xb', totalPosts: 5 });
      expect(await ids('hashtags', 'y')).toEqual([]);
    });

    it('removes entries per kind; unknown ids are a no-op; removed ids can come back', async () => {
      await load([user('1', 'same', 'Same', 1), place('1', 'Same', 1), user('2', 'same2', 'Same', 2)]);
      await index.remove('users', ['1', 'never-there']);
      await index.remove('hashtags', ['1']);
      await index.remove('locations', []);
      await index.refresh();
      expect(await ids('users', 'same')).toEqual(['2']);
      expect(await ids('locations', 'same')).toEqual(['1']);
      expect(await index.get('users', '1')).toBeUndefined();
      expect([await index.count('users'), await index.count('locations')]).toEqual([1, 1]);
      await load([user('1', 'back', 'Again', 5)]);
      expect([await ids('users', 'same'), await ids('users', 'back')]).toEqual([['2'], ['1']]);
    });

    it('returns invalid entries in failed and indexes the rest', async () => {
      await load([user('keep', 'keeper', 'Keeper', 5)]);
      const bad = (e: unknown) => e as SearchEntry;
      const { failed } = await index.upsert([
        user('ok1', 'okay', 'Okay', 1),
        bad({ kind: 'users', entry: { username: 'x', fullName: 'y', followerCount: 1 } }),
        user('', 'x', 'y', 1),
        user('n1', 'x', 'y', Number.NaN),
        user('n2', 'x', 'y', Number.POSITIVE_INFINITY),
        user('n3', 'x', 'y', -1),
        user('n4', 'x', 'y', 1.5),
        bad({ kind: 'users', entry: { id: 'n5', username: 'x', fullName: 'y', followerCount: '5' } }),
        bad({ kind: 'users', entry: { id: 's1', username: 42, fullName: 'y', followerCount: 1 } }),
        bad({ kind: 'users', entry: { id: 's2', username: 'x', followerCount: 1 } }),
        user('keep', 'keeper', 'Keeper', -3),
        tag('', 'x', 1),
        bad({ kind: 'hashtags', entry: { tag: 'h1', displayName: null, totalPosts: 1 } }),
        place('l1', 'x', -5),
        place('x'.repeat(513), 'x', 1),
        tag('ok2', 'okay', 1),
        place('ok3', 'okay', 1),
      ]);
      expect(failed.map((f) => [f.kind, f.id])).toEqual([
        ['users', ''],
        ['users', ''],
        ['users', 'n1'],
        ['users', 'n2'],
        ['users', 'n3'],
        ['users', 'n4'],
        ['users', 'n5'],
        ['users', 's1'],
        ['users', 's2'],
        ['users', 'keep'],
        ['hashtags', ''],
        ['hashtags', 'h1'],
        ['locations', 'l1'],
        ['locations', 'x'.repeat(513)],
      ]);
      for (const f of failed) expect(f.reason).toMatch(/\S/);
      await index.refresh();
      expect([
        await index.count('users'),
        await index.count('hashtags'),
        await index.count('locations'),
      ]).toEqual([2, 1, 1]);
      expect(await index.get('users', 'keep')).toEqual({
        id: 'keep',
        username: 'keeper',
        fullName: 'Keeper',
        followerCount: 5,
      });
      expect([
        await ids('users', 'okay'),
        await ids('hashtags', 'okay'),
        await ids('locations', 'okay'),
      ]).toEqual([['ok1'], ['ok2'], ['ok3']]);
    });

    it.each([0, -1, 1.5, 1001, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined])(
      'rejects limit %p with a ValidationError on field limit',
      async (limit) => {
        const err = await index.suggest('users', 'a', { limit: limit as number }).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ValidationError);
        expect((err as ValidationError).issues.map((i) => i.field)).toEqual(['limit']);
      },
    );

    it('matches a brute-force oracle over random upserts and removes', async () => {
      const ID_POOL = ['1', '2', '9', '10', 'a', 'B', 'b', 'é', 'x1'];
      const TOKENS = [
        'an',
        'An',
        'Án',
        'ña',
        'ß',
        'ss',
        'Σ',
        'σ',
        'ς',
        'é',
        'e\u0301',
        'E',
        'ガ',
        'カ',
        'ka',
      ];
      const SEPARATORS = [' ', '_', '.', '-', '  '];
      const text = fc
        .array(fc.oneof(fc.constantFrom(...TOKENS), fc.constantFrom(...SEPARATORS)), { maxLength: 5 })
        .map((parts) => parts.join(''));
      const count = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(2 ** 24, 2 ** 24 + 1, 1e12));
      const id = fc.constantFrom(...ID_POOL);
      const entry: fc.Arbitrary<SearchEntry> = fc.oneof(
        fc.tuple(id, text, text, count).map(([i, u, f, n]) => user(i, u, f, n)),
        fc.tuple(id, text, count).map(([i, d, n]) => tag(i, d, n)),
        fc.tuple(id, text, count).map(([i, n, c]) => place(i, n, c)),
      );
      const kind = fc.constantFrom<SuggestKind>('users', 'hashtags', 'locations');
      // A recount re-sends existing entries' names with a new count, as the counters do.
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ upsert: fc.array(entry, { minLength: 1, maxLength: 6 }) }),
        fc.record({ remove: kind, ids: fc.subarray(ID_POOL) }),
        fc.record({ recount: kind, ids: fc.subarray(ID_POOL, { minLength: 1 }), count }),
      );
      const query = fc.record({
        kind,
        text: fc
          .array(fc.constantFrom(...TOKENS, ' ', '_'), { minLength: 1, maxLength: 3 })
          .map((t) => t.join('')),
        limit: fc.integer({ min: 1, max: 6 }),
        onlyIds: fc.option(fc.subarray([...ID_POOL, 'nope']), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(op, fc.array(query, { maxLength: 3 })), { maxLength: 10 }),
          async (steps) => {
            const fresh = await factory();
            try {
              const model: Record<SuggestKind, Map<string, Model>> = {
                users: new Map(),
                hashtags: new Map(),
                locations: new Map(),
              };
              for (const [o, queries] of steps) {
                await applyOp(fresh.index, model, o);
                for (const q of queries) {
                  const { limit, onlyIds } = q;
                  const got = (await fresh.index.suggest(q.kind, q.text, { limit, onlyIds })).map(
                    (h) => h.id,
                  );
                  expect([q, got]).toEqual([
                    q,
                    bruteForceSuggest(model[q.kind].values(), q.text, limit, onlyIds),
                  ]);
                }
              }
              for (const k of ['users', 'hashtags', 'locations'] as const) {
                expect(await fresh.index.count(k)).toBe(model[k].size);
                for (const i of ID_POOL)
                  expect((await fresh.index.get(k, i)) !== undefined).toBe(model[k].has(i));
              }
            } finally {
              await fresh.cleanup();
            }
          },
        ),
        { numRuns: options.propertyRuns ?? 150 },
      );
    });
  });
}
