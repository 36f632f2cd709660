import fc from 'fast-check';
import { byteOrder, collect, keysOf, puts, type FreshKvStore } from './kv-store-fixtures';

/** Keys whose UTF-16 order, UTF-8 order and lmdb's default key encoding disagree. */
const TRICKY_KEYS = [
  '\u0001',
  '\u0000x',
  '\u001B',
  '\u0003',
  'a',
  'a\u0003',
  'a\u0000',
  'aa',
  'b',
  'é',
  '\uE000',
  '\uFFFF',
  '\u{10000}',
  '😀',
];

/** Scans: UTF-8 byte order, prefix, after and limit, paging through a large table. */
export function kvStoreScanCases(subject: FreshKvStore): void {
  const { freshTable } = subject;

  it('scans in UTF-8 byte order, not UTF-16 order', async () => {
    const t = freshTable('tricky');
    await subject.store.batch(
      puts(
        t,
        [...TRICKY_KEYS].reverse().map((k) => [k, k.length] as [string, unknown]),
      ),
    );
    // Hand-sorted by UTF-8 bytes: U+FFFF (EF BF BF) sorts before U+10000 (F0 90 80 80).
    expect(await keysOf(subject.store, t)).toEqual([
      '\u0000x',
      '\u0001',
      '\u0003',
      '\u001B',
      'a',
      'a\u0000',
      'a\u0003',
      'aa',
      'b',
      'é',
      '\uE000',
      '\uFFFF',
      '\u{10000}',
      '😀',
    ]);
  });

  it('scans random keys in the order of a byte-sorted oracle, with their values', async () => {
    const key = fc.oneof(
      fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }),
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }),
      fc.constantFrom(...TRICKY_KEYS),
    );
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(key, { maxLength: 60 }), async (keys) => {
        const t = freshTable('oracle');
        await subject.store.batch(
          puts(
            t,
            keys.map((k, i) => [k, { i, k }]),
          ),
        );
        const scanned = await collect(subject.store.scan(t));
        const oracle = [...keys].sort(byteOrder);
        expect(scanned.map(([k]) => k)).toEqual(oracle);
        expect(scanned.map(([k, v]) => [k, v])).toEqual(oracle.map((k) => [k, { i: keys.indexOf(k), k }]));
      }),
      { numRuns: 25 },
    );
  });

  it('scans with prefix, after and limit', async () => {
    const t = freshTable('bounds');
    const keys = [
      'use',
      'user',
      'user:',
      'user:1',
      'user:10',
      'user:2',
      'user;',
      'users',
      'v',
      'é',
      'éa',
      'éé',
      'f',
    ];
    await subject.store.batch(
      puts(
        t,
        keys.map((k) => [k, k]),
      ),
    );
    expect(await keysOf(subject.store, t, { prefix: 'user:' })).toEqual([
      'user:',
      'user:1',
      'user:10',
      'user:2',
    ]);
    expect(await keysOf(subject.store, t, { prefix: 'user' })).toEqual([
      'user',
      'user:',
      'user:1',
      'user:10',
      'user:2',
      'user;',
      'users',
    ]);
    expect(await keysOf(subject.store, t, { prefix: 'é' })).toEqual(['é', 'éa', 'éé']);
    expect(await keysOf(subject.store, t, { prefix: 'nothing' })).toEqual([]);
    expect(await keysOf(subject.store, t, { prefix: '' })).toEqual([...keys].sort(byteOrder));
    expect(await keysOf(subject.store, t, { after: 'user:10' })).toEqual([
      'user:2',
      'user;',
      'users',
      'v',
      'é',
      'éa',
      'éé',
    ]);
    expect(await keysOf(subject.store, t, { after: 'user:0' })).toEqual([
      'user:1',
      'user:10',
      'user:2',
      'user;',
      'users',
      'v',
      'é',
      'éa',
      'éé',
    ]);
    expect(await keysOf(subject.store, t, { after: 'éé' })).toEqual([]);
    expect(await keysOf(subject.store, t, { after: '' })).toEqual([...keys].sort(byteOrder));
    expect(await keysOf(subject.store, t, { prefix: 'user:', after: 'user:1' })).toEqual([
      'user:10',
      'user:2',
    ]);
    expect(await keysOf(subject.store, t, { prefix: 'user:', after: 'a' })).toEqual([
      'user:',
      'user:1',
      'user:10',
      'user:2',
    ]);
    expect(await keysOf(subject.store, t, { prefix: 'user:', after: 'user:9' })).toEqual([]);
    expect(await keysOf(subject.store, t, { prefix: 'user:', after: 'zzz' })).toEqual([]);
    expect(await keysOf(subject.store, t, { limit: 3 })).toEqual(['f', 'use', 'user']);
    expect(await keysOf(subject.store, t, { limit: 0 })).toEqual([]);
    expect(await keysOf(subject.store, t, { limit: 100 })).toHaveLength(keys.length);
    expect(await keysOf(subject.store, t, { prefix: 'user', after: 'user:', limit: 2 })).toEqual([
      'user:1',
      'user:10',
    ]);
    expect(await collect(subject.store.scan(t, { prefix: 'éa' }))).toEqual([['éa', 'éa']]);
  });

  it('pages through a large table by `after` and counts it', async () => {
    const t = freshTable('paging');
    const keys = fc.sample(
      fc.uniqueArray(fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }), {
        minLength: 2500,
        maxLength: 2500,
      }),
      { numRuns: 1, seed: 7 },
    )[0]!;
    for (let i = 0; i < keys.length; i += 1000) {
      await subject.store.batch(
        puts(
          t,
          keys.slice(i, i + 1000).map((k) => [k, { k }]),
        ),
      );
    }
    expect(await subject.store.count(t)).toBe(2500);
    const paged: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await keysOf(subject.store, t, { after, limit: 97 });
      paged.push(...page);
      if (page.length < 97) break;
      after = page[page.length - 1];
    }
    expect(paged).toEqual([...keys].sort(byteOrder));
    expect(await keysOf(subject.store, t)).toEqual(paged);
  });
}
