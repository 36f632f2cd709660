import fc from 'fast-check';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  PostingIndex,
  QueryEngine,
  readSnapshot,
  writeSnapshot,
  type PostingIndex as Index,
} from '../query/engine';
import { buildIndex, worldArb } from './support/engine-world';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'snap-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Every list as plain arrays, keyed by a readable term name. */
function dump(index: Index): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [term, bm] of index.entries()) {
    const key =
      term.kind === 'tag' ? `tag:${term.tag}` : 'id' in term ? `${term.kind}:${term.id}` : term.kind;
    out[key] = bm.toArray();
  }
  return out;
}

describe('bitmap snapshots', () => {
  it('round-trip random indexes, including deletes, with the position they cover', async () => {
    await fc.assert(
      fc.asyncProperty(worldArb, fc.nat(), async (world, offset) => {
        const index = buildIndex(world);
        const file = path.join(dir, 'index.snap');
        await writeSnapshot(index, file, { POST_PUBLISH: [{ partition: 0, offset }] });
        const loaded = await readSnapshot(file);
        expect(loaded.meta.position).toEqual({ POST_PUBLISH: [{ partition: 0, offset }] });
        expect(dump(loaded.index)).toEqual(dump(index));
        const q = '(or is:live (apply author: is:user))';
        expect(new QueryEngine(loaded.index).search(q, { limit: 1000 }).ids).toEqual(
          new QueryEngine(index).search(q, { limit: 1000 }).ids,
        );
      }),
      { numRuns: 40 },
    );
  });

  it('a deleted post stays gone after a reload', async () => {
    const index = new PostingIndex();
    const m = index.ids.media.getOrAssign('100');
    index.apply([
      { op: 'add', term: { kind: 'tag', tag: 'sun' }, member: m },
      { op: 'add', term: { kind: 'live' }, member: m },
    ]);
    index.apply([
      { op: 'remove', term: { kind: 'tag', tag: 'sun' }, member: m },
      { op: 'remove', term: { kind: 'live' }, member: m },
    ]);
    const file = path.join(dir, 's.snap');
    await writeSnapshot(index, file, null);
    const { index: loaded } = await readSnapshot(file);
    expect(new QueryEngine(loaded).search('tag:sun').total).toBe(0);
    expect(loaded.ids.media.get('100')).toBe(0);
  });

  it('detects a damaged or truncated file instead of loading part of it', async () => {
    const index = buildIndex(fc.sample(worldArb, { numRuns: 1, seed: 7 })[0]!);
    const file = path.join(dir, 'x.snap');
    await writeSnapshot(index, file, 1);
    const bytes = await readFile(file);
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0xff;
    await writeFile(file, flipped);
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'SNAPSHOT_CORRUPT' });
    await writeFile(file, bytes.subarray(0, bytes.length - 3));
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'SNAPSHOT_CORRUPT' });
  });

  it('replaces the old snapshot atomically and leaves no temp files', async () => {
    const index = new PostingIndex();
    const file = path.join(dir, 'a.snap');
    await writeSnapshot(index, file, 'old');
    index.apply([{ op: 'add', term: { kind: 'live' }, member: index.ids.media.getOrAssign('1') }]);
    await writeSnapshot(index, file, 'new');
    expect((await readSnapshot(file)).meta.position).toBe('new');
    expect(await readdir(dir)).toEqual(['a.snap']);
  });

  it('blocks writers while a snapshot is written', async () => {
    const index = new PostingIndex();
    const pending = writeSnapshot(index, path.join(dir, 'b.snap'), 0);
    expect(() => index.apply([{ op: 'add', term: { kind: 'live' }, member: 1 }])).toThrow(
      expect.objectContaining({ code: 'INDEX_LOCKED' }),
    );
    await pending;
    index.apply([{ op: 'add', term: { kind: 'live' }, member: 1 }]);
    expect(index.universe('live').toArray()).toEqual([1]);
  });
});

describe('posting batches', () => {
  it('apply all of a batch or none of it', () => {
    const index = new PostingIndex();
    index.apply([{ op: 'add', term: { kind: 'tag', tag: 'a' }, member: 1 }]);
    const gen = index.generation;
    expect(() =>
      index.apply([
        { op: 'add', term: { kind: 'tag', tag: 'a' }, member: 2 },
        { op: 'add', term: { kind: 'author', id: -1 }, member: 2 },
      ]),
    ).toThrow(expect.objectContaining({ code: 'BAD_TERM' }));
    expect(index.tag('a').toArray()).toEqual([1]);
    expect(index.generation).toBe(gen);
  });
});
