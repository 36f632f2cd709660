import { pack, unpack } from 'msgpackr';
import { StorageError } from '../../platform/errors';
import { isUniverseKind, type PostingOp, type TermRef } from '../../query/engine/posting-index';
import type { IdSpace } from '../../query/engine/set-type';
import type { Assignment } from '../consumer/id-assigner';

/**
 * A POSTINGS record: the dense ids one index-consumer batch assigned, then
 * its posting changes, in order. Replicas apply these to reach the same
 * bitmaps and the same dense ids as every other replica.
 */
export interface PostingChange {
  assignments: readonly Assignment[];
  ops: readonly PostingOp[];
}

const SPACES: IdSpace[] = ['media', 'user', 'location'];
const KINDS = ['tag', 'author', 'loc', 'follows', 'followers', 'live', 'public', 'users'] as const;

type WireOp = [op: 0 | 1, kind: number, key: string | number, member: number];

export function encodePostingChange(change: PostingChange): Buffer {
  const a = change.assignments.map((x) => [SPACES.indexOf(x.space), x.dense, x.external]);
  const o: WireOp[] = change.ops.map((op) => {
    const term = op.term;
    const key = term.kind === 'tag' ? term.tag : 'id' in term ? term.id : 0;
    return [op.op === 'add' ? 1 : 0, KINDS.indexOf(term.kind), key, op.member];
  });
  return pack({ v: 1, a, o });
}

export function decodePostingChange(buf: Buffer): PostingChange {
  const raw = unpack(buf) as { v?: number; a?: [number, number, string][]; o?: WireOp[] };
  if (raw.v !== 1 || !Array.isArray(raw.a) || !Array.isArray(raw.o)) {
    throw new StorageError('BAD_POSTING_CHANGE', 'POSTINGS record is not a version-1 posting change');
  }
  return {
    assignments: raw.a.map(([s, dense, external]) => ({ space: SPACES[s]!, dense, external })),
    ops: raw.o.map(([op, k, key, member]) => {
      const kind = KINDS[k];
      let term: TermRef;
      if (kind === 'tag') term = { kind, tag: String(key) };
      else if (kind && isUniverseKind(kind)) term = { kind };
      else if (kind) term = { kind, id: Number(key) };
      else throw new StorageError('BAD_POSTING_CHANGE', `unknown term kind code ${k}`);
      return { op: op === 1 ? 'add' : 'remove', term, member };
    }),
  };
}
