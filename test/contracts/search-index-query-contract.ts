import { ValidationError } from '../../platform/errors';
import type { SearchEntry, SuggestKind } from '../../platform/ports/search-index';
import { bruteForceSuggest, modelOf, place, tag, user, type FreshSearchIndex } from './search-index-fixtures';

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

/** Reading the index: folded prefix matching, the stored entries, ranking, limits and onlyIds. */
export function searchIndexQueryCases(subject: FreshSearchIndex): void {
  const { load, ids } = subject;

  it('matches folded prefixes of whole names and words, in every script of the table', async () => {
    await load(FIXTURE);
    const actual: [string, string[]][] = [];
    for (const [why, kind, query] of MATCH_CASES) actual.push([why, await ids(kind, query)]);
    expect(actual).toEqual(MATCH_CASES.map(([why, , , expected]) => [why, expected]));
  });

  it('returns the stored entry with each hit', async () => {
    await load(FIXTURE);
    expect(await subject.index.suggest('users', 'zoe', { limit: 5 })).toEqual([
      { id: 'u01', entry: { id: 'u01', username: 'cafe_lover', fullName: 'Zoë Café', followerCount: 500 } },
    ]);
    expect(await subject.index.suggest('hashtags', 'vibes', { limit: 5 })).toEqual([
      { id: 'summer_vibes', entry: { tag: 'summer_vibes', displayName: 'summer_vibes', totalPosts: 700 } },
    ]);
    expect(await subject.index.get('locations', 'l2')).toEqual({
      id: 'l2',
      name: 'Πάστα Φρέσκα',
      mediaCount: 500,
    });
    expect(await subject.index.get('locations', 'nope')).toBeUndefined();
    expect(await subject.index.get('users', 'l2')).toBeUndefined();
    expect([
      await subject.index.count('users'),
      await subject.index.count('hashtags'),
      await subject.index.count('locations'),
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

  it.each([0, -1, 1.5, 1001, Number.NaN, Number.POSITIVE_INFINITY, '10', undefined])(
    'rejects limit %p with a ValidationError on field limit',
    async (limit) => {
      const err = await subject.index
        .suggest('users', 'a', { limit: limit as number })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).issues.map((i) => i.field)).toEqual(['limit']);
    },
  );
}
