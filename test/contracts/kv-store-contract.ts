import fc from 'fast-check';
import type { KvOp, KvScanOptions, KvStore } from '../../platform/ports/kv-store';
import { ValidationError } from '../../platform/errors';

/** UTF-8 byte order, the order the port promises; an oracle independent of any store. */
export const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function collect<T>(it: AsyncIterable<[string, T]>): Promise<[string, T][]> {
  const out: [string, T][] = [];
  for await (const entry of it) out.push(entry);
  return out;
}

const keysOf = async (store: KvStore, table: string, options?: KvScanOptions): Promise<string[]> =>
  (await collect(store.scan(table, options))).map(([k]) => k);

const puts = (table: string, entries: [string, unknown][]): KvOp[] =>
  entries.map(([key, value]) => ({ type: 'put', table, key, value }));

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
/** JSON-like values plus binary; -0 is left out because msgpack stores it as the integer 0. */
const leafValue = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
);
const anyValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    leafValue,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), tie('value'), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

/**
 * The behaviour every KvStore adapter owes its callers, exercised only through
 * the port. `factory` gives each test a fresh store; tables are unique per test anyway.
 */
export function kvStoreContract(
  name: string,
  factory: () => Promise<{ store: KvStore; cleanup(): Promise<void> }>,
): void {
  describe(`KvStore contract: ${name}`, () => {
    let store: KvStore;
    let cleanup: () => Promise<void>;
    let tableSeq = 0;
    const freshTable = (label: string) => `${label}_${++tableSeq}`;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('returns undefined for a missing key, in a missing and in an existing table', async () => {
      const t = freshTable('missing');
      expect(await store.get(t, 'nope')).toBeUndefined();
      await store.batch(puts(t, [['other', 1]]));
      expect(await store.get(t, 'nope')).toBeUndefined();
      expect(await store.count(freshTable('never'))).toBe(0);
      expect(await keysOf(store, freshTable('never'))).toEqual([]);
    });

    it('round-trips nested objects, arrays, unicode, numbers, booleans, null and buffers', async () => {
      const t = freshTable('roundtrip');
      const values: [string, unknown][] = [
        ['nested', { a: { b: [1, { c: 'x', d: [] }] }, empty: {}, list: [[], [[]]] }],
        ['array', [1, 'two', null, true, false, [3, [4]], { five: 5 }]],
        ['latin', 'héllo wörld'],
        ['cjk', '日本語のテキスト'],
        ['emoji', '😀👍🏽👨‍👩‍👧'],
        ['combining', 'e\u0301'],
        ['nul', 'a\u0000b'],
        ['max-code-point', '\u{10FFFF}'],
        ['empty-string', ''],
        ['zero', 0],
        ['max-safe', 2 ** 53 - 1],
        ['min-safe', -(2 ** 53 - 1)],
        ['negative', -42],
        ['int32-edge', -(2 ** 31) - 1],
        ['uint32-edge', 2 ** 32],
        ['float', 0.1],
        ['negative-float', -3.75],
        ['huge', 1e300],
        ['tiny', 5e-324],
        ['true', true],
        ['false', false],
        ['null', null],
        ['buffer', Buffer.from([0, 1, 127, 128, 255])],
        ['empty-buffer', Buffer.alloc(0)],
        ['object-with-buffer', { id: 7, blob: Buffer.from('bytes'), tags: ['a', 'b'] }],
        ['large', 'x'.repeat(100_000)],
      ];
      await store.batch(puts(t, values));
      for (const [key, expected] of values) {
        expect([key, await store.get(t, key)]).toEqual([key, expected]);
      }
      const buffer = await store.get<Uint8Array>(t, 'buffer');
      expect(buffer).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(buffer!).equals(Buffer.from([0, 1, 127, 128, 255]))).toBe(true);
      expect(await store.count(t)).toBe(values.length);
    });

    it('overwrites a key and deletes it', async () => {
      const t = freshTable('overwrite');
      await store.batch(puts(t, [['k', { v: 1 }]]));
      await store.batch(puts(t, [['k', { v: 2, extra: true }]]));
      expect(await store.get(t, 'k')).toEqual({ v: 2, extra: true });
      expect(await store.count(t)).toBe(1);
      await store.batch([{ type: 'delete', table: t, key: 'k' }]);
      expect(await store.get(t, 'k')).toBeUndefined();
      expect(await store.count(t)).toBe(0);
      await expect(store.batch([{ type: 'delete', table: t, key: 'never-there' }])).resolves.toBeUndefined();
    });

    it('applies the ops of one batch in order, across tables', async () => {
      const t = freshTable('order');
      const u = freshTable('order');
      await store.batch([
        { type: 'put', table: t, key: 'k', value: 1 },
        { type: 'delete', table: t, key: 'k' },
        { type: 'put', table: t, key: 'k', value: 3 },
        { type: 'put', table: t, key: 'gone', value: 1 },
        { type: 'delete', table: t, key: 'gone' },
        { type: 'put', table: u, key: 'k', value: 'other table' },
      ]);
      expect(await store.get(t, 'k')).toBe(3);
      expect(await store.get(t, 'gone')).toBeUndefined();
      expect(await store.get(u, 'k')).toBe('other table');
      await expect(store.batch([])).resolves.toBeUndefined();
    });

    const badOps: [string, (t: string) => KvOp, string][] = [
      ['an empty key', (t) => ({ type: 'put', table: t, key: '', value: 1 }), '[3].key'],
      ['a lone surrogate key', (t) => ({ type: 'put', table: t, key: 'a\uD800', value: 1 }), '[3].key'],
      ['an invalid table name', () => ({ type: 'put', table: 'Bad-Name', key: 'k', value: 1 }), '[3].table'],
      ['an unknown op type', (t) => ({ type: 'upsert', table: t, key: 'k' }) as unknown as KvOp, '[3].type'],
      ['an undefined value', (t) => ({ type: 'put', table: t, key: 'k', value: undefined }), '[3].value'],
      [
        'an unencodable value',
        (t) => ({ type: 'put', table: t, key: 'k', value: { s: Symbol('x') } }),
        '[3].value',
      ],
    ];
    it.each(badOps)('applies nothing of a batch containing %s', async (_label, bad, field) => {
      const t = freshTable('atomic');
      await store.batch(puts(t, [['existing', 'before']]));
      const batch: KvOp[] = [
        { type: 'put', table: t, key: 'existing', value: 'after' },
        { type: 'put', table: t, key: 'new1', value: 1 },
        { type: 'delete', table: t, key: 'existing' },
        bad(t),
        { type: 'put', table: t, key: 'new2', value: 2 },
      ];
      const failure = await store.batch(batch).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(failure).toBeInstanceOf(ValidationError);
      expect((failure as ValidationError).issues).toEqual([expect.objectContaining({ field })]);
      expect(await store.get(t, 'existing')).toBe('before');
      expect(await store.get(t, 'new1')).toBeUndefined();
      expect(await store.get(t, 'new2')).toBeUndefined();
      expect(await store.count(t)).toBe(1);
    });

    it('applies a batch with a writer like any other; recover finds nothing left to finish', async () => {
      const [t1, t2] = [freshTable('writer_a'), freshTable('writer_b')];
      const keys = Array.from({ length: 40 }, (_, i) => `w${i}:${i}`);
      await store.batch(
        [t1, t2].flatMap((t) => keys.map((key, i) => ({ type: 'put' as const, table: t, key, value: i }))),
        { writer: 'contract-writer' },
      );
      expect(await store.getMany(t1, keys)).toEqual(keys.map((_, i) => i));
      expect(await store.getMany(t2, keys)).toEqual(keys.map((_, i) => i));
      expect(await store.recover('contract-writer')).toBe(false);
      expect(await store.recover('never-wrote')).toBe(false);
      await expect(store.recover('')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('keeps concurrent batches independent when one of them fails', async () => {
      const t = freshTable('concurrent');
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          store.batch(
            i === 7
              ? [
                  { type: 'put', table: t, key: 'bad-7', value: i },
                  { type: 'put', table: t, key: '', value: i },
                ]
              : puts(t, [[`ok-${String(i).padStart(2, '0')}`, i]]),
          ),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(
        Array.from({ length: 20 }, (_, i) => (i === 7 ? 'rejected' : 'fulfilled')),
      );
      const expected = Array.from({ length: 20 }, (_, i) => i)
        .filter((i) => i !== 7)
        .map((i) => `ok-${String(i).padStart(2, '0')}`);
      expect(await keysOf(store, t)).toEqual(expected);
    });

    it('getMany answers in request order, with undefined for missing keys', async () => {
      const t = freshTable('many');
      await store.batch(
        puts(t, [
          ['a', 1],
          ['b', { two: 2 }],
          ['c', [3]],
        ]),
      );
      expect(await store.getMany(t, ['c', 'missing', 'a', 'b', 'a', 'zzz'])).toEqual([
        [3],
        undefined,
        1,
        { two: 2 },
        1,
        undefined,
      ]);
      expect(await store.getMany(t, [])).toEqual([]);
      expect(await store.getMany(freshTable('many_missing'), ['a', 'b'])).toEqual([undefined, undefined]);
    });

    it('scans in UTF-8 byte order, not UTF-16 order', async () => {
      const t = freshTable('tricky');
      await store.batch(
        puts(
          t,
          [...TRICKY_KEYS].reverse().map((k) => [k, k.length] as [string, unknown]),
        ),
      );
      // Hand-sorted by UTF-8 bytes: U+FFFF (EF BF BF) sorts before U+10000 (F0 90 80 80).
      expect(await keysOf(store, t)).toEqual([
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
          await store.batch(
            puts(
              t,
              keys.map((k, i) => [k, { i, k }]),
            ),
          );
          const scanned = await collect(store.scan(t));
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
      await store.batch(
        puts(
          t,
          keys.map((k) => [k, k]),
        ),
      );
      expect(await keysOf(store, t, { prefix: 'user:' })).toEqual(['user:', 'user:1', 'user:10', 'user:2']);
      expect(await keysOf(store, t, { prefix: 'user' })).toEqual([
        'user',
        'user:',
        'user:1',
        'user:10',
        'user:2',
        'user;',
        'users',
      ]);
      expect(await keysOf(store, t, { prefix: 'é' })).toEqual(['é', 'éa', 'éé']);
      expect(await keysOf(store, t, { prefix: 'nothing' })).toEqual([]);
      expect(await keysOf(store, t, { prefix: '' })).toEqual([...keys].sort(byteOrder));
      expect(await keysOf(store, t, { after: 'user:10' })).toEqual([
        'user:2',
        'user;',
        'users',
        'v',
        'é',
        'éa',
        'éé',
      ]);
      expect(await keysOf(store, t, { after: 'user:0' })).toEqual([
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
      expect(await keysOf(store, t, { after: 'éé' })).toEqual([]);
      expect(await keysOf(store, t, { after: '' })).toEqual([...keys].sort(byteOrder));
      expect(await keysOf(store, t, { prefix: 'user:', after: 'user:1' })).toEqual(['user:10', 'user:2']);
      expect(await keysOf(store, t, { prefix: 'user:', after: 'a' })).toEqual([
        'user:',
        'user:1',
        'user:10',
        'user:2',
      ]);
      expect(await keysOf(store, t, { prefix: 'user:', after: 'user:9' })).toEqual([]);
      expect(await keysOf(store, t, { prefix: 'user:', after: 'zzz' })).toEqual([]);
      expect(await keysOf(store, t, { limit: 3 })).toEqual(['f', 'use', 'user']);
      expect(await keysOf(store, t, { limit: 0 })).toEqual([]);
      expect(await keysOf(store, t, { limit: 100 })).toHaveLength(keys.length);
      expect(await keysOf(store, t, { prefix: 'user', after: 'user:', limit: 2 })).toEqual([
        'user:1',
        'user:10',
      ]);
      expect(await collect(store.scan(t, { prefix: 'éa' }))).toEqual([['éa', 'éa']]);
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
        await store.batch(
          puts(
            t,
            keys.slice(i, i + 1000).map((k) => [k, { k }]),
          ),
        );
      }
      expect(await store.count(t)).toBe(2500);
      const paged: string[] = [];
      let after: string | undefined;
      for (;;) {
        const page = await keysOf(store, t, { after, limit: 97 });
        paged.push(...page);
        if (page.length < 97) break;
        after = page[page.length - 1];
      }
      expect(paged).toEqual([...keys].sort(byteOrder));
      expect(await keysOf(store, t)).toEqual(paged);
    });

    it('counts puts, overwrites and deletes', async () => {
      const t = freshTable('count');
      expect(await store.count(t)).toBe(0);
      await store.batch(
        puts(t, [
          ['a', 1],
          ['b', 2],
          ['c', 3],
        ]),
      );
      await store.batch([
        ...puts(t, [
          ['a', 10],
          ['d', 4],
        ]),
        { type: 'delete', table: t, key: 'b' },
      ]);
      expect(await store.count(t)).toBe(3);
      expect(await store.count(freshTable('count'))).toBe(0);
    });

    it('rejects bad reads with a ValidationError naming the field', async () => {
      const t = freshTable('reads');
      const fieldOf = (p: Promise<unknown>) =>
        p.then(
          () => 'resolved',
          (err: unknown) => (err instanceof ValidationError ? err.issues.map((i) => i.field).join(',') : err),
        );
      expect(await fieldOf(store.get(t, ''))).toBe('key');
      expect(await fieldOf(store.get('Bad', 'k'))).toBe('table');
      expect(await fieldOf(store.get('', 'k'))).toBe('table');
      expect(await fieldOf(store.get('x'.repeat(49), 'k'))).toBe('table');
      expect(await fieldOf(store.getMany(t, ['a', '']))).toBe('keys[1]');
      expect(await fieldOf(store.count('no-dash'))).toBe('table');
      expect(await fieldOf(collect(store.scan(t, { limit: -1 })))).toBe('limit');
      expect(await fieldOf(collect(store.scan(t, { limit: 1.5 })))).toBe('limit');
      expect(await fieldOf(collect(store.scan('BAD')))).toBe('table');
      expect(await store.get('x'.repeat(48), 'k')).toBeUndefined();
    });

    it('matches a Map model over random batches of puts and deletes', async () => {
      const pool = ['k1', 'k2', 'k10', 'a', 'b', 'é', '😀', '\uFFFF', 'x\u0000', 'zz'];
      const op = fc.oneof(
        fc.record({ type: fc.constant('put' as const), key: fc.constantFrom(...pool), value: anyValue }),
        fc.record({ type: fc.constant('delete' as const), key: fc.constantFrom(...pool) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.array(op, { maxLength: 8 }), { maxLength: 8 }), async (batches) => {
          const t = freshTable('model');
          const model = new Map<string, unknown>();
          for (const batch of batches) {
            await store.batch(batch.map((o) => ({ ...o, table: t })));
            for (const o of batch) {
              if (o.type === 'put') model.set(o.key, o.value);
              else model.delete(o.key);
            }
          }
          for (const key of pool) expect([key, await store.get(t, key)]).toEqual([key, model.get(key)]);
          const expected = [...model.entries()].sort(([a], [b]) => byteOrder(a, b));
          expect(await collect(store.scan(t))).toEqual(expected);
          expect(await store.count(t)).toBe(model.size);
          expect(await store.getMany(t, pool)).toEqual(pool.map((k) => model.get(k)));
        }),
        { numRuns: 60 },
      );
    });
  });
}
