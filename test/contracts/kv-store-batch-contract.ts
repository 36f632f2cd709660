import type { KvOp } from '../../platform/ports/kv-store';
import { ValidationError } from '../../platform/errors';
import { keysOf, puts, type FreshKvStore } from './kv-store-fixtures';

/** Batches: applied in order, all or nothing, with or without a writer, independent of each other. */
export function kvStoreBatchCases(subject: FreshKvStore): void {
  const { freshTable } = subject;

  it('applies the ops of one batch in order, across tables', async () => {
    const t = freshTable('order');
    const u = freshTable('order');
    await subject.store.batch([
      { type: 'put', table: t, key: 'k', value: 1 },
      { type: 'delete', table: t, key: 'k' },
      { type: 'put', table: t, key: 'k', value: 3 },
      { type: 'put', table: t, key: 'gone', value: 1 },
      { type: 'delete', table: t, key: 'gone' },
      { type: 'put', table: u, key: 'k', value: 'other table' },
    ]);
    expect(await subject.store.get(t, 'k')).toBe(3);
    expect(await subject.store.get(t, 'gone')).toBeUndefined();
    expect(await subject.store.get(u, 'k')).toBe('other table');
    await expect(subject.store.batch([])).resolves.toBeUndefined();
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
    await subject.store.batch(puts(t, [['existing', 'before']]));
    const batch: KvOp[] = [
      { type: 'put', table: t, key: 'existing', value: 'after' },
      { type: 'put', table: t, key: 'new1', value: 1 },
      { type: 'delete', table: t, key: 'existing' },
      bad(t),
      { type: 'put', table: t, key: 'new2', value: 2 },
    ];
    const failure = await subject.store.batch(batch).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(ValidationError);
    expect((failure as ValidationError).issues).toEqual([expect.objectContaining({ field })]);
    expect(await subject.store.get(t, 'existing')).toBe('before');
    expect(await subject.store.get(t, 'new1')).toBeUndefined();
    expect(await subject.store.get(t, 'new2')).toBeUndefined();
    expect(await subject.store.count(t)).toBe(1);
  });

  it('applies a batch with a writer like any other; recover finds nothing left to finish', async () => {
    const [t1, t2] = [freshTable('writer_a'), freshTable('writer_b')];
    const keys = Array.from({ length: 40 }, (_, i) => `w${i}:${i}`);
    await subject.store.batch(
      [t1, t2].flatMap((t) => keys.map((key, i) => ({ type: 'put' as const, table: t, key, value: i }))),
      { writer: 'contract-writer' },
    );
    expect(await subject.store.getMany(t1, keys)).toEqual(keys.map((_, i) => i));
    expect(await subject.store.getMany(t2, keys)).toEqual(keys.map((_, i) => i));
    expect(await subject.store.recover('contract-writer')).toBe(false);
    expect(await subject.store.recover('never-wrote')).toBe(false);
    await expect(subject.store.recover('')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('keeps concurrent batches independent when one of them fails', async () => {
    const t = freshTable('concurrent');
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        subject.store.batch(
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
    expect(await keysOf(subject.store, t)).toEqual(expected);
  });
}
