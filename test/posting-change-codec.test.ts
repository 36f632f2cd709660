import fc from 'fast-check';
import { pack } from 'msgpackr';
import {
  decodePostingChange,
  encodePostingChange,
  type PostingChange,
} from '../indexer/postings/posting-change';
import { StorageError } from '../platform/errors';
import type { PostingOp, TermRef } from '../query/engine/posting-index';

const dense = fc.nat({ max: 0xfffffffe });
const termArb: fc.Arbitrary<TermRef> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 10, unit: 'grapheme' }).map((tag) => ({ kind: 'tag' as const, tag })),
  fc.record({
    kind: fc.constantFrom('author' as const, 'loc' as const, 'follows' as const, 'followers' as const),
    id: dense,
  }),
  fc.constantFrom('live' as const, 'public' as const, 'users' as const).map((kind) => ({ kind })),
);
const opArb: fc.Arbitrary<PostingOp> = fc.record({
  op: fc.constantFrom('add' as const, 'remove' as const),
  term: termArb,
  member: dense,
});
const changeArb: fc.Arbitrary<PostingChange> = fc.record({
  assignments: fc.array(
    fc.record({
      space: fc.constantFrom('media' as const, 'user' as const, 'location' as const),
      dense,
      external: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String),
    }),
    { maxLength: 5 },
  ),
  ops: fc.array(opArb, { maxLength: 40 }),
});

/** Format 1, as the index consumer wrote it before: msgpack arrays. */
function encodeFormat1(change: PostingChange): Buffer {
  const spaces = ['media', 'user', 'location'];
  const kinds = ['tag', 'author', 'loc', 'follows', 'followers', 'live', 'public', 'users'];
  return pack({
    v: 1,
    a: change.assignments.map((a) => [spaces.indexOf(a.space), a.dense, a.external]),
    o: change.ops.map((op) => [
      op.op === 'add' ? 1 : 0,
      kinds.indexOf(op.term.kind),
      op.term.kind === 'tag' ? op.term.tag : 'id' in op.term ? op.term.id : 0,
      op.member,
    ]),
  });
}

describe('POSTINGS record codec', () => {
  it('round-trips every change, ops in order', () => {
    fc.assert(
      fc.property(changeArb, (change) => {
        expect(decodePostingChange(encodePostingChange(change))).toEqual(change);
      }),
      { numRuns: 2000 },
    );
  });

  it('still reads format 1 records as they were written', () => {
    fc.assert(
      fc.property(changeArb, (change) => {
        expect(decodePostingChange(encodeFormat1(change))).toEqual(change);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses a cut or extended record with BAD_POSTING_CHANGE rather than misreading it', () => {
    fc.assert(
      fc.property(changeArb, fc.nat(), fc.boolean(), (change, where, extend) => {
        const bytes = encodePostingChange(change);
        const damaged = extend
          ? Buffer.concat([bytes, Buffer.from([0])])
          : bytes.subarray(0, 1 + (where % (bytes.length - 1)));
        let error: unknown;
        try {
          decodePostingChange(damaged);
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(StorageError);
        expect((error as StorageError).code).toBe('BAD_POSTING_CHANGE');
      }),
      { numRuns: 1000 },
    );
  });
});
