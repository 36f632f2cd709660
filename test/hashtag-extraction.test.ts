import fc from 'fast-check';
import { ValidationError } from '../platform/errors';
import {
  MAX_TAG_LENGTH,
  MAX_TAGS_PER_POST,
  extractHashtags,
  type ExtractedHashtag,
} from '../indexer/hashtags/extract-hashtags';
import { isValidHashtagKey, normalizeHashtag } from '../indexer/hashtags/normalize-hashtag';

type Case = [name: string, text: string, expected: [key: string, display: string][]];

const same = (...tags: string[]): [string, string][] => tags.map((t) => [t, t]);
const pairs = (found: ExtractedHashtag[]) => found.map((t): [string, string] => [t.key, t.display]);

// Expected values are written by hand from the rules, never taken from the code.
const cases: Case[] = [
  // Scripts
  [
    'Latin with accents',
    '#café au lait, #Crème_Brûlée',
    [
      ['café', 'café'],
      ['crème_brûlée', 'Crème_Brûlée'],
    ],
  ],
  [
    'German, ß is not case-folded',
    '#München #STRASSE #Straße',
    [
      ['münchen', 'München'],
      ['strasse', 'STRASSE'],
      ['straße', 'Straße'],
    ],
  ],
  ['Korean', '오늘 #트위터 좋아요', same('트위터')],
  ['Korean typed as conjoining jamo', '#\u1110\u1173\u110B\u1171\u1110\u1165', same('트위터')],
  ['Japanese katakana and hiragana', '#カタカナ と #ひらがな', same('カタカナ', 'ひらがな')],
  ['katakana with a combining voiced mark', '#\u30AB\u3099', same('\u30AC')],
  ['Cyrillic', '#Ашок и #ашок', [['ашок', 'Ашок']]],
  ['Arabic', 'مرحبا #مرحبا_بكم', same('مرحبا_بكم')],
  ['Arabic with harakat (marks)', '#مَرْحَبًا', same('مَرْحَبًا')],
  ['Persian ZWNJ inside a word', '#می\u200Cخواهم', same('می\u200Cخواهم')],
  ['Thai', '#ภาษาไทย #สวัสดี', same('ภาษาไทย', 'สวัสดี')],
  ['Devanagari with vowel signs and virama', '#हिन्दी', same('हिन्दी')],
  ['Devanagari ZWJ after virama', '#क्\u200Dष', same('क्\u200Dष')],
  ['Hebrew with and without niqqud', '#שלום #שָׁלוֹם', same('שלום', 'שָׁלוֹם')],
  [
    'Greek, final sigma',
    '#Ελλάδα #ΟΔΟΣ',
    [
      ['ελλάδα', 'Ελλάδα'],
      ['οδο\u03C2', 'ΟΔΟΣ'],
    ],
  ],
  ['CJK ideographs', '#東京 #北京', same('東京', '北京')],
  ['CJK after ideographic punctuation', '今天。#开心', same('开心')],
  ['CJK directly after a letter is word-internal', '今天#开心', []],
  ['astral letters', '#𝒜𝒷𝒸', same('𝒜𝒷𝒸')],
  // Fullwidth hash
  [
    'fullwidth hash',
    '＃全角 and ＃ＴＡＧ',
    [
      ['全角', '全角'],
      ['ｔａｇ', 'ＴＡＧ'],
    ],
  ],
  ['fullwidth and ASCII hash give one key', '#Tag ＃tag', [['tag', 'Tag']]],
  // Emoji
  ['tag right after an emoji', '✌#peace 😀#fun', same('peace', 'fun')],
  ['emoji with a presentation selector before', '✌️#peace', same('peace')],
  ['emoji with a skin tone before', '👍🏽#nice', same('nice')],
  ['ZWJ emoji sequence before', '👨‍👩‍👧#family', same('family')],
  ['emoji ends a tag', '#fun😀#more #love❤️', same('fun', 'more', 'love')],
  ['keycap emoji ends a tag before its digit', '#day1️⃣ #day2\u20E3', same('day')],
  ['keycap hash is not a tag', '#️⃣ #\uFE0Ftag', []],
  ['a pictographic letter ends a tag', '#infoℹ️', same('info')],
  // Punctuation
  ['full stop', '#sun.', same('sun')],
  ['comma between tags', '#sun,#sea', same('sun', 'sea')],
  ['parentheses', '(#x)', same('x')],
  ['exclamation', '#a!', same('a')],
  ['quotes, hyphen, apostrophe', '"#quoted" #a-b #it\'s', same('quoted', 'a', 'it')],
  ['second hash of a chain is word-internal', '#one#two', same('one')],
  ['double hash', '##double', same('double')],
  ['trailing joiner is not part of the tag', '#a\u200D #b\u200C\u200Dc', same('a', 'b')],
  ['underscores', '#__init__ #_', same('__init__')],
  [
    'ASCII run going on into other scripts',
    '#a_жa #Tokyo東京 #x1_é',
    [
      ['a_жa', 'a_жa'],
      ['tokyo東京', 'Tokyo東京'],
      ['x1_é', 'x1_é'],
    ],
  ],
  // Preceding character
  ['HTML entity', 'it&#39;s &#x27;s', []],
  ['after a letter', 'foo#bar', []],
  ['after underscore', '_#x', []],
  ['after a digit', '1#x', []],
  ['after a combining mark (NFD é)', 'e\u0301#x', []],
  ['after a colon', 'x:#y', same('y')],
  // Numbers
  ['all-numeric', '#16 #2024 #1_2 #٣٤ #Ⅻ', []],
  ['numbers with a letter', '#16th #2024_summer #16', same('16th', '2024_summer')],
  ['a mark counts as a letter', '#1\u0301', same('1\u0301')],
  // URLs
  ['fragment after a slash', 'example.com/#top and/#or', []],
  ['fragment inside a URL', 'https://x.com/a#frag x.com/b.html#s', []],
  [
    'fragment after punctuation inside a URL',
    'see https://x.com/page?q=1&b=(#frag) www.example.com?x=#frag',
    [],
  ],
  ['host with a path', 'example.org/path?a=.#frag', []],
  ['tags around a URL', '#before https://x.com/a#frag (see https://x.com) #after', same('before', 'after')],
  ['dots without a path are not a URL', 'a.m.#early', same('early')],
  ['long URL with several fragments', `https://x.com/${'p'.repeat(200)}.#a.#b`, []],
  ['token turns into a URL after a tag', `${'q'.repeat(100)}.#one.x.com/.#two`, same('one')],
  // The second check re-reads only the tail of the token; `www` inside a word is still no URL.
  ['www inside a long word', `${'q'.repeat(100)}www.${'z'.repeat(75)}.#one.#two`, same('one', 'two')],
  ['www at a word start', `${'q'.repeat(100)}.www.${'z'.repeat(75)}.#one`, []],
  ['tag followed by ://', '#http://example.com #tag:// #ftp://x #ok', same('ok')],
  ['colon alone is a boundary', '#time: now', same('time')],
  // Normalisation and case
  ['NFD input gives the NFC key and display', '#cafe\u0301 and #CAFÉ', [['café', 'café']]],
  ['case folding keeps the first spelling', '#SunSet #sunset #SUNSET', [['sunset', 'SunSet']]],
  [
    'Turkish dotted capital I',
    '#İstanbul #ISTANBUL',
    [
      ['i\u0307stanbul', 'İstanbul'],
      ['istanbul', 'ISTANBUL'],
    ],
  ],
  // Nothing
  ['empty', '', []],
  ['bare hashes', '# ## ＃ #.', []],
];

describe('extractHashtags', () => {
  it.each(cases)('%s', (_name, text, expected) => {
    expect(pairs(extractHashtags(text))).toEqual(expected);
  });

  it('reports UTF-16 offsets into the original text', () => {
    const text = '😀 #SunSet, cafe\u0301 ＃cafe\u0301! #sunset';
    expect(extractHashtags(text)).toEqual([
      { key: 'sunset', display: 'SunSet', start: 3, end: 10 },
      { key: 'café', display: 'café', start: 18, end: 24 },
    ]);
  });

  it('keeps the first 30 distinct tags, duplicates not counted', () => {
    const names = Array.from({ length: 35 }, (_, i) => `tag${i}`);
    // Repeat earlier tags (in other cases) before the 30th distinct one.
    const words = names.flatMap((n, i) => (i > 0 && i < 30 ? [`#${n}`, `#TAG${i - 1}`] : [`#${n}`]));
    const found = extractHashtags(words.join(' '));
    expect(MAX_TAGS_PER_POST).toBe(30);
    expect(found.map((t) => t.key)).toEqual(names.slice(0, 30));
  });

  it('ignores tags over 100 code points without truncating or counting them', () => {
    const a100 = 'a'.repeat(100);
    const a101 = 'a'.repeat(101);
    expect(MAX_TAG_LENGTH).toBe(100);
    expect(pairs(extractHashtags(`#${a100} #${a101}`))).toEqual([[a100, a100]]);
    expect(extractHashtags(`#${a101}`)).toEqual([]);

    const long = `#${a101} #${'é'.repeat(101)} #${'e\u0301'.repeat(101)} #${'𝒜'.repeat(101)}`;
    const names = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const found = extractHashtags(`${long} ${names.map((n) => `#${n}`).join(' ')}`);
    expect(found.map((t) => t.key)).toEqual(names);
  });

  it('counts code points of the NFC form, not UTF-16 units', () => {
    const nfd = 'e\u0301'.repeat(100); // 200 units, 100 code points once composed
    const astral = '𝒜'.repeat(100); // 200 units
    expect(pairs(extractHashtags(`#${nfd} #${astral}`))).toEqual([
      ['é'.repeat(100), 'é'.repeat(100)],
      [astral, astral],
    ]);
  });

  it('measures the key, which İ makes one code point longer', () => {
    expect(extractHashtags(`#${'a'.repeat(99)}İ`)).toEqual([]);
    expect(extractHashtags(`#${'a'.repeat(98)}İ`)).toHaveLength(1);
  });

  it('honours maxTags and maxLength', () => {
    expect(pairs(extractHashtags('#a #b #c', { maxTags: 2 }))).toEqual(same('a', 'b'));
    expect(extractHashtags('#a', { maxTags: 0 })).toEqual([]);
    expect(pairs(extractHashtags('#abcdef #abc #ÄÖÜÄÖÜ #äöü', { maxLength: 3 }))).toEqual([
      ['abc', 'abc'],
      ['äöü', 'äöü'],
    ]);
  });

  it.each([
    [{ maxTags: -1 }, 'maxTags'],
    [{ maxTags: 1.5 }, 'maxTags'],
    [{ maxLength: 0 }, 'maxLength'],
    [{ maxLength: 101 }, 'maxLength'],
    [{ maxLength: Number.NaN }, 'maxLength'],
  ])('rejects options %p', (options, field) => {
    let caught: unknown;
    try {
      extractHashtags('#a', options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).issues.map((i) => i.field)).toEqual([field]);
  });

  it('does not depend on the host locale', () => {
    // A Turkish locale would map I to dotless ı; the key must not notice.
    const turkish = jest.spyOn(String.prototype, 'toLocaleLowerCase').mockImplementation(function (
      this: string,
    ) {
      return this.replace(/I/g, 'ı').replace(/İ/g, 'i').toLowerCase();
    });
    try {
      expect(pairs(extractHashtags('#IĞDIR #İSKELE'))).toEqual([
        ['iğdir', 'IĞDIR'],
        ['i\u0307skele', 'İSKELE'],
      ]);
      expect(normalizeHashtag('IRMAK')).toBe('irmak');
    } finally {
      turkish.mockRestore();
    }
  });
});

describe('normalizeHashtag and isValidHashtagKey', () => {
  it.each([
    ['SunSet', 'sunset'],
    ['#SunSet', 'sunset'],
    ['＃SunSet', 'sunset'],
    ['##SunSet', ''],
    ['Cafe\u0301', 'café'],
    ['#트위터', '트위터'],
    ['İstanbul', 'i\u0307stanbul'],
    ['İ\u094D', 'i\u094D\u0307'],
    ['16th', '16th'],
    ['16', ''],
    ['_', ''],
    ['', ''],
    ['#', ''],
    ['sun set', ''],
    ['sun.', ''],
    [' sunset', ''],
    ['a\u200D', ''],
    ['a\u200Db', 'a\u200Db'],
    ['fun😀', ''],
    ['a'.repeat(100), 'a'.repeat(100)],
    ['a'.repeat(101), ''],
  ])('normalizeHashtag(%p) is %p', (raw, key) => {
    expect(normalizeHashtag(raw)).toBe(key);
  });

  it.each([
    ['sunset', true],
    ['café', true],
    ['cafe\u0301', false],
    ['SunSet', false],
    ['#sunset', false],
    ['16', false],
    ['', false],
    ['a'.repeat(101), false],
  ])('isValidHashtagKey(%p) is %p', (key, valid) => {
    expect(isValidHashtagKey(key)).toBe(valid);
  });
});

describe('hashtag properties', () => {
  // Pieces that hit every rule, mixed with arbitrary text.
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom('#', '＃', '#', ' ', '.', '/', '&', '_', '1', '٣', ':', '://') },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        'a',
        'Z',
        'é',
        'e\u0301',
        'İ',
        'Σ',
        'ß',
        'क',
        '्',
        'ั',
        'ภ',
        '트',
        '\u1110',
        '\u1173',
        '東',
      ),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom('\u200C', '\u200D', '\uFE0F', '\u20E3', '😀', 'ℹ', '🏽', 'x.com/', 'www.'),
    },
    { weight: 1, arbitrary: fc.constantFrom('a'.repeat(60), 'é'.repeat(60)) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  );
  const text = fc.array(piece, { maxLength: 120 }).map((p) => p.join(''));

  it('extracts only valid, distinct keys that match their source text', () => {
    fc.assert(
      fc.property(text, (t) => {
        const found = extractHashtags(t);
        expect(found.length).toBeLessThanOrEqual(MAX_TAGS_PER_POST);
        expect(new Set(found.map((f) => f.key)).size).toBe(found.length);
        let last = -1;
        for (const f of found) {
          expect(isValidHashtagKey(f.key)).toBe(true);
          expect(f.start).toBeGreaterThan(last);
          last = f.start;
          const src = t.slice(f.start, f.end);
          expect(src[0] === '#' || src[0] === '＃').toBe(true);
          // NFC again after lower-casing: İ becomes i + U+0307, which can need reordering.
          expect(('#' + src.slice(1)).normalize('NFC').toLowerCase().normalize('NFC')).toBe('#' + f.key);
          expect(f.display).toBe(src.slice(1).normalize('NFC'));
          expect(normalizeHashtag(f.display)).toBe(f.key);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('normalises idempotently, and validity agrees with normalising', () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.string({ unit: 'binary' })), (raw) => {
        const key = normalizeHashtag(raw);
        expect(normalizeHashtag(key)).toBe(key);
        if (key !== '') expect(isValidHashtagKey(key)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds every tag written between spaces', () => {
    const word = fc
      .array(fc.constantFrom('a', 'B', 'é', '1', '_', '東', 'ж'), { minLength: 1, maxLength: 8 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(fc.array(word, { maxLength: 40 }), (words) => {
        // Oracle: a word is a tag unless it is only digits and underscores.
        const keys: string[] = [];
        for (const w of words) {
          const k = w.toLowerCase();
          if (/[^0-9_]/.test(w) && !keys.includes(k)) keys.push(k);
        }
        const found = extractHashtags(words.map((w) => `#${w}`).join(' '));
        expect(found.map((f) => f.key)).toEqual(keys.slice(0, MAX_TAGS_PER_POST));
      }),
      { numRuns: 500 },
    );
  });
});
