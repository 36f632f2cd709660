import type { SearchEntry } from '../../platform/ports/search-index';
import { place, tag, user, type FreshSearchIndex } from './search-index-fixtures';

/** Writing the index: renames, recounts, removals, and refusing invalid entries one by one. */
export function searchIndexWriteCases(subject: FreshSearchIndex): void {
  const { load, ids } = subject;

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
    expect(await subject.index.suggest('users', 'bob j', { limit: 5 })).toEqual([
      { id: 'u', entry: { id: 'u', username: 'BOB', fullName: 'BOB JONES', followerCount: 11 } },
    ]);
    await load([user('u', '', '', 11)]);
    expect(await ids('users', 'bob')).toEqual([]);
    expect(await subject.index.get('users', 'u')).toEqual({
      id: 'u',
      username: '',
      fullName: '',
      followerCount: 11,
    });
    expect(await subject.index.count('users')).toBe(1);
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
    expect(await subject.index.count('hashtags')).toBe(3);
    // In one batch the last write of an id wins.
    await load([tag('xb', 'xb', 1), tag('xb', 'yb', 99), tag('xb', 'xb', 5)]);
    expect(await ids('hashtags', 'x')).toEqual(['xa', 'xc', 'xb']);
    expect(await subject.index.get('hashtags', 'xb')).toEqual({
      tag: 'xb',
      displayName: 'xb',
      totalPosts: 5,
    });
    expect(await ids('hashtags', 'y')).toEqual([]);
  });

  it('removes entries per kind; unknown ids are a no-op; removed ids can come back', async () => {
    await load([user('1', 'same', 'Same', 1), place('1', 'Same', 1), user('2', 'same2', 'Same', 2)]);
    await subject.index.remove('users', ['1', 'never-there']);
    await subject.index.remove('hashtags', ['1']);
    await subject.index.remove('locations', []);
    await subject.index.refresh();
    expect(await ids('users', 'same')).toEqual(['2']);
    expect(await ids('locations', 'same')).toEqual(['1']);
    expect(await subject.index.get('users', '1')).toBeUndefined();
    expect([await subject.index.count('users'), await subject.index.count('locations')]).toEqual([1, 1]);
    await load([user('1', 'back', 'Again', 5)]);
    expect([await ids('users', 'same'), await ids('users', 'back')]).toEqual([['2'], ['1']]);
  });

  it('returns invalid entries in failed and indexes the rest', async () => {
    await load([user('keep', 'keeper', 'Keeper', 5)]);
    const bad = (e: unknown) => e as SearchEntry;
    const { failed } = await subject.index.upsert([
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
    await subject.index.refresh();
    expect([
      await subject.index.count('users'),
      await subject.index.count('hashtags'),
      await subject.index.count('locations'),
    ]).toEqual([2, 1, 1]);
    expect(await subject.index.get('users', 'keep')).toEqual({
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
}
