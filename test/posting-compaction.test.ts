import fc from 'fast-check';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { PostingIndex, type PostingOp, type TermRef } from '../query/engine';
import { decodeSnapshot, encodeSnapshot } from '../query/engine/snapshot-file';
import { expectRejectsWithCode } from './support/expect-rejects-with-code';

/** The independent model: every list as a set of members, keyed by a readable term name. */
type Model = Map<string, Set<number>>;

function keyOf(term: TermRef): string {
  return term.kind === 'tag' ? `tag:${term.tag}` : 'id' in term ? `${term.kind}:${term.id}` : term.kind;
}

function applyToModel(model: Model, ops: PostingOp[]): void {
  for (const op of ops) {
    const key = keyOf(op.term);
    let set = model.get(key);
    if (!set) model.set(key, (set = new Set()));
    if (op.op === 'add') set.add(op.member);
    else set.delete(op.member);
  }
}

function modelDump(model: Model): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [key, set] of model) if (set.size > 0) out[key] = [...set].sort((a, b) => a - b);
  return out;
}

function dump(index: PostingIndex): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [term, bm] of index.entries()) if (!bm.isEmpty) out[keyOf(term)] = bm.toArray();
  return out;
}

const termArb: fc.Arbitrary<TermRef> = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((i) => ({ kind: 'tag' as const, tag: `t${i}` })),
  fc.record({
    kind: fc.constantFrom('author' as const, 'loc' as const, 'follows' as const, 'followers' as const),
    id: fc.integer({ min: 0, max: 30 }),
  }),
  fc.constantFrom<TermRef>({ kind: 'live' }, { kind: 'users' }),
);

/** Mostly adds, so lists grow across rounds; members span several roaring containers. */
const opArb: fc.Arbitrary<PostingOp> = fc.record({
  op: fc.constantFrom('add' as const, 'add' as const, 'remove' as const),
  term: termArb,
  member: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300_000 })),
});

const roundsArb = fc.array(
  fc.record({
    ops: fc.array(opArb, { maxLength: 300 }),
    sliced: fc.boolean(),
    sliceMs: fc.constantFrom(0, 1, 5),
  }),
  { minLength: 1, maxLength: 4 },
);

/** Many lists, so a compaction has several slices. */
function bigIndex(lists: number): { index: PostingIndex; model: Model } {
  const index = new PostingIndex();
  const model: Model = new Map();
  const ops: PostingOp[] = [];
  for (let i = 0; i < lists; i++) {
    for (let m = 0; m < 3; m++)
      ops.push({ op: 'add', term: { kind: 'tag', tag: `tag${i}` }, member: i * 7 + m * 70_001 });
  }
  index.apply(ops);
  applyToModel(model, ops);
  return { index, model };
}

describe('posting index compaction', () => {
  it('sync and sliced compactions, round after round, keep every list equal to the model', async () => {
    await fc.assert(
      fc.asyncProperty(roundsArb, async (rounds) => {
        const index = new PostingIndex();
        const model: Model = new Map();
        for (const { ops, sliced, sliceMs } of rounds) {
          index.apply(ops);
          applyToModel(model, ops);
          // Later rounds copy the lists they did not touch from the previous base, byte for byte.
          if (sliced) await index.compactInSlices({ sliceMs });
          else index.compact();
          expect(index.deltaLists).toBe(0);
          expect(dump(index)).toEqual(modelDump(model));
        }
        const extra: PostingOp[] = [{ op: 'add', term: { kind: 'tag', tag: 't0' }, member: 123_456 }];
        index.apply(extra);
        applyToModel(model, extra);
        expect(dump(index)).toEqual(modelDump(model));
      }),
      { numRuns: 60 },
    );
  });

  it('readers between slices see the lists as they were, and writes are refused until the swap', async () => {
    const { index, model } = bigIndex(2000);
    const before = modelDump(model);
    const seen: Record<string, number[]>[] = [];
    const refused: string[] = [];
    await index.compactInSlices({
      sliceMs: 0,
      pause: async () => {
        seen.push(dump(index));
        try {
          index.apply([{ op: 'add', term: { kind: 'tag', tag: 'late' }, member: 1 }]);
        } catch (err) {
          refused.push((err as { code: string }).code);
        }
        await nextTurn();
      },
    });
    expect(seen.length).toBeGreaterThan(2);
    for (const view of seen) expect(view).toEqual(before);
    expect(new Set(refused)).toEqual(new Set(['INDEX_LOCKED']));
    expect(refused).toHaveLength(seen.length);
    expect(index.deltaLists).toBe(0);
    expect(dump(index)).toEqual(before);
    index.apply([{ op: 'add', term: { kind: 'tag', tag: 'late' }, member: 1 }]);
    expect(index.tag('late').toArray()).toEqual([1]);
  });

  it('lets the event loop turn between slices', async () => {
    const { index } = bigIndex(20_000);
    let turns = 0;
    let running = true;
    const tick = (): void => {
      if (!running) return;
      turns++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await index.compactInSlices({ sliceMs: 0 });
    running = false;
    expect(turns).toBeGreaterThan(2);
  });

  it('a snapshot taken during a pause is of the lists before the compaction, and the next slice waits for it', async () => {
    const { index, model } = bigIndex(5000);
    const change: PostingOp[] = [
      { op: 'remove', term: { kind: 'tag', tag: 'tag0' }, member: 0 },
      { op: 'add', term: { kind: 'author', id: 3 }, member: 9 },
    ];
    index.compact();
    index.apply(change);
    applyToModel(model, change);
    const events: string[] = [];
    let snapshot: Promise<Buffer> | undefined;
    let reader: Promise<void> | undefined;
    await index.compactInSlices({
      sliceMs: 0,
      pause: async () => {
        events.push('pause');
        if (!snapshot) {
          snapshot = encodeSnapshot(index, { at: 1 }).then(({ bytes }) => bytes);
          // A reader like the snapshot's, holding on over several turns of the loop.
          reader = index.withWritesBlocked(async () => {
            events.push('reader start');
            for (let i = 0; i < 5; i++) await nextTurn();
            events.push('reader end');
          });
        }
        await nextTurn();
      },
    });
    await reader;
    const loaded = decodeSnapshot(await snapshot!, 'during compaction');
    expect(dump(loaded.index)).toEqual(modelDump(model));
    expect(dump(index)).toEqual(modelDump(model));
    // No slice ran while the reader held on: the next pause came only after it let go.
    const from = events.indexOf('reader start');
    const to = events.indexOf('reader end');
    expect(from).toBeGreaterThan(-1);
    expect(to).toBeGreaterThan(from);
    expect(events.slice(from, to)).not.toContain('pause');
    expect(events.lastIndexOf('pause')).toBeGreaterThan(to);
  });

  it('a second compaction or a sync compact during one is refused with INDEX_LOCKED', async () => {
    const { index } = bigIndex(3000);
    const outcomes: string[] = [];
    const running = index.compactInSlices({
      sliceMs: 0,
      pause: async () => {
        if (outcomes.length === 0) {
          try {
            index.compact();
          } catch (err) {
            outcomes.push((err as { code: string }).code);
          }
          await expectRejectsWithCode(index.compactInSlices(), 'INDEX_LOCKED');
          outcomes.push('second refused');
        }
        await nextTurn();
      },
    });
    await running;
    expect(outcomes).toEqual(['INDEX_LOCKED', 'second refused']);
  });
});
