import fc from 'fast-check';
import { ValidationError } from '../../platform/errors';
import { byteOrder, collect, keysOf, puts, type FreshKvStore } from './kv-store-fixtures';

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

/** Single keys: missing keys, value round trips, overwrites and deletes, getMany, count, bad reads, a Map model. */
export function kvStoreReadWriteCases(subject: FreshKvStore): void {
  const { freshTable } = subject;

  it('returns undefined for a missing key, in a missing and in an existing table', async () => {
    const t = freshTable('missing');
    expect(await subject.store.get(t, 'nope')).toBeUndefined();
    await subject.store.batch(puts(t, [['other', 1]]));
    expect(await subject.store.get(t, 'nope')).toBeUndefined();
    expect(await subject.store.count(freshTable('never'))).toBe(0);
    expect(await keysOf(subject.store, freshTable('never'))).toEqual([]);
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
    await subject.store.batch(puts(t, values));
    for (const [key, expected] of values) {
      expect([key, await subject.store.get(t, key)]).toEqual([key, expected]);
    }
    const buffer = await subject.store.get<Uint8Array>(t, 'buffer');
    expect(buffer).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(buffer!).equals(Buffer.from([0, 1, 127, 128, 255]))).toBe(true);
    expect(await subject.store.count(t)).toBe(values.length);
  });

  it('overwrites a key and deletes it', async () => {
    const t = freshTable('overwrite');
    await subject.store.batch(puts(t, [['k', { v: 1 }]]));
    await subject.store.batch(puts(t, [['k', { v: 2, extra: true }]]));
    expect(await subject.store.get(t, 'k')).toEqual({ v: 2, extra: true });
    expect(await subject.store.count(t)).toBe(1);
    await subject.store.batch([{ type: 'delete', table: t, key: 'k' }]);
    expect(await subject.store.get(t, 'k')).toBeUndefined();
    expect(await subject.store.count(t)).toBe(0);
    await expect(
      subject.store.batch([{ type: 'delete', table: t, key: 'never-there' }]),
    ).resolves.toBeUndefined();
  });

  it('getMany answers in request order, with undefined for missing keys', async () => {
    const t = freshTable('many');
    await subject.store.batch(
      puts(t, [
        ['a', 1],
        ['b', { two: 2 }],
        ['c', [3]],
      ]),
    );
    expect(await subject.store.getMany(t, ['c', 'missing', 'a', 'b', 'a', 'zzz'])).toEqual([
      [3],
      undefined,
      1,
      { two: 2 },
      1,
      undefined,
    ]);
    expect(await subject.store.getMany(t, [])).toEqual([]);
    expect(await subject.store.getMany(freshTable('many_missing'), ['a', 'b'])).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('counts puts, overwrites and deletes', async () => {
    const t = freshTable('count');
    expect(await subject.store.count(t)).toBe(0);
    await subject.store.batch(
      puts(t, [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]),
    );
    await subject.store.batch([
      ...puts(t, [
        ['a', 10],
        ['d', 4],
      ]),
      { type: 'delete', table: t, key: 'b' },
    ]);
    expect(await subject.store.count(t)).toBe(3);
    expect(await subject.store.count(freshTable('count'))).toBe(0);
  });

  it('rejects bad reads with a ValidationError naming the field', async () => {
    const t = freshTable('reads');
    const fieldOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (err: unknown) => (err instanceof ValidationError ? err.issues.map((i) => i.field).join(',') : err),
      );
    expect(await fieldOf(subject.store.get(t, ''))).toBe('key');
    expect(await fieldOf(subject.store.get('Bad', 'k'))).toBe('table');
    expect(await fieldOf(subject.store.get('', 'k'))).toBe('table');
    expect(await fieldOf(subject.store.get('x'.repeat(49), 'k'))).toBe('table');
    expect(await fieldOf(subject.store.getMany(t, ['a', '']))).toBe('keys[1]');
    expect(await fieldOf(subject.store.count('no-dash'))).toBe('table');
    expect(await fieldOf(collect(subject.store.scan(t, { limit: -1 })))).toBe('limit');
    expect(await fieldOf(collect(subject.store.scan(t, { limit: 1.5 })))).toBe('limit');
    expect(await fieldOf(collect(subject.store.scan('BAD')))).toBe('table');
    expect(await subject.store.get('x'.repeat(48), 'k')).toBeUndefined();
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
          await subject.store.batch(batch.map((o) => ({ ...o, table: t })));
          for (const o of batch) {
            if (o.type === 'put') model.set(o.key, o.value);
            else model.delete(o.key);
          }
        }
        for (const key of pool) expect([key, await subject.store.get(t, key)]).toEqual([key, model.get(key)]);
        const expected = [...model.entries()].sort(([a], [b]) => byteOrder(a, b));
        expect(await collect(subject.store.scan(t))).toEqual(expected);
        expect(await subject.store.count(t)).toBe(model.size);
        expect(await subject.store.getMany(t, pool)).toEqual(pool.map((k) => model.get(k)));
      }),
      { numRuns: 60 },
    );
  });
}
