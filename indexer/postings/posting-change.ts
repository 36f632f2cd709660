import { unpack } from 'msgpackr';
import { StorageError } from '../../platform/errors';
import { isUniverseKind, type PostingOp, type TermRef } from '../../query/engine/posting-index';
import type { IdSpace } from '../../query/engine/set-type';
import type { Assignment } from '../consumer/id-assigner';
import { GrowableBuffer } from './growable-buffer';

/**
 * A POSTINGS record: the dense ids one index-consumer batch assigned, then
 * its posting changes, in order. Replicas apply these to reach the same
 * bitmaps and the same dense ids as every other replica.
 *
 * Bytes (format 2, little-endian): u8 format; u32 assignment count, each
 * u8 space, u32 dense, u16 length + external id; u32 op count, each u8
 * (op << 4 | kind), the key (tag: u16 length + UTF-8; id kinds: u32; the
 * universes: none), u32 member. Format 1 (msgpack) is still read.
 */
export interface PostingChange {
  assignments: readonly Assignment[];
  ops: readonly PostingOp[];
}

const FORMAT = 2;
const SPACES: IdSpace[] = ['media', 'user', 'location'];
const KINDS = ['tag', 'author', 'loc', 'follows', 'followers', 'live', 'public', 'users'] as const;
const KIND_CODES = new Map<string, number>(KINDS.map((k, i) => [k, i]));
const TAG = 0;
const FIRST_UNIVERSE = 5;
const ADD = 1;

/**
 * Builds one POSTINGS record while the handlers run: each op is written as
 * it is made, so a batch's tens of thousands of ops never exist as objects.
 */
export class PostingChangeWriter {
  private readonly out = new GrowableBuffer(64 * 1024);
  private ops = 0;

  get count(): number {
    return this.ops;
  }

  add(term: TermRef, member: number): void {
    this.write(ADD, term, member);
  }

  remove(term: TermRef, member: number): void {
    this.write(0, term, member);
  }

  /** The record: the assignments first, then every op written so far. */
  finish(assignments: readonly Assignment[]): Buffer {
    const head = new GrowableBuffer(16 + assignments.length * 24);
    head.u8(FORMAT);
    head.u32(assignments.length);
    for (const a of assignments) {
      head.u8(SPACES.indexOf(a.space));
      head.u32(a.dense);
      head.string16(a.external);
    }
    head.u32(this.ops);
    return Buffer.concat([head.bytes(), this.out.bytes()]);
  }

  private write(op: number, term: TermRef, member: number): void {
    const kind = KIND_CODES.get(term.kind);
    if (kind === undefined) throw new StorageError('BAD_POSTING_CHANGE', `unknown term kind ${term.kind}`);
    const out = this.out;
    out.u8((op << 4) | kind);
    if (term.kind === 'tag') out.string16(term.tag);
    else if ('id' in term) out.u32(term.id);
    out.u32(member);
    this.ops++;
  }
}

export function encodePostingChange(change: PostingChange): Buffer {
  const writer = new PostingChangeWriter();
  for (const op of change.ops) {
    if (op.op === 'add') writer.add(op.term, op.member);
    else writer.remove(op.term, op.member);
  }
  return writer.finish(change.assignments);
}

export function decodePostingChange(buf: Buffer): PostingChange {
  if (buf.length > 0 && buf[0] === FORMAT) return decodeBinary(buf);
  return decodeMsgpack(buf);
}

function bad(reason: string): never {
  throw new StorageError('BAD_POSTING_CHANGE', `POSTINGS record ${reason}`);
}

function decodeBinary(buf: Buffer): PostingChange {
  let pos = 1;
  const need = (n: number) => {
    if (pos + n > buf.length) bad('ends early');
  };
  need(4);
  const assignmentCount = buf.readUInt32LE(pos);
  pos += 4;
  const assignments: Assignment[] = [];
  for (let i = 0; i < assignmentCount; i++) {
    need(7);
    const space = SPACES[buf[pos]!] ?? bad(`has unknown id space ${buf[pos]}`);
    const dense = buf.readUInt32LE(pos + 1);
    const length = buf.readUInt16LE(pos + 5);
    pos += 7;
    need(length);
    assignments.push({ space, dense, external: buf.toString('utf8', pos, pos + length) });
    pos += length;
  }
  need(4);
  const opCount = buf.readUInt32LE(pos);
  pos += 4;
  const ops: PostingOp[] = new Array<PostingOp>(opCount);
  for (let i = 0; i < opCount; i++) {
    need(1);
    const head = buf[pos++]!;
    const code = head & 0x0f;
    const kind = KINDS[code] ?? bad(`has unknown term kind code ${code}`);
    let term: TermRef;
    if (code === TAG) {
      need(2);
      const length = buf.readUInt16LE(pos);
      pos += 2;
      need(length);
      term = { kind: 'tag', tag: buf.toString('utf8', pos, pos + length) };
      pos += length;
    } else if (code >= FIRST_UNIVERSE) {
      term = UNIVERSE_TERMS[code - FIRST_UNIVERSE]!;
    } else {
      need(4);
      term = {
        kind: kind as Exclude<TermRef['kind'], 'tag' | 'live' | 'public' | 'users'>,
        id: buf.readUInt32LE(pos),
      };
      pos += 4;
    }
    need(4);
    ops[i] = { op: head >> 4 === ADD ? 'add' : 'remove', term, member: buf.readUInt32LE(pos) };
    pos += 4;
  }
  if (pos !== buf.length) bad('has bytes after its last op');
  return { assignments, ops };
}

/** Shared, never mutated: replicas only read terms. */
const UNIVERSE_TERMS: readonly TermRef[] = Object.freeze([
  Object.freeze({ kind: 'live' as const }),
  Object.freeze({ kind: 'public' as const }),
  Object.freeze({ kind: 'users' as const }),
]);

type WireOp = [op: 0 | 1, kind: number, key: string | number, member: number];

/** Format 1, as logs written before the binary format hold it. */
function decodeMsgpack(buf: Buffer): PostingChange {
  const raw = unpack(buf) as { v?: number; a?: [number, number, string][]; o?: WireOp[] };
  if (raw.v !== 1 || !Array.isArray(raw.a) || !Array.isArray(raw.o)) {
    bad('is not a version-1 posting change');
  }
  return {
    assignments: raw.a.map(([s, dense, external]) => ({ space: SPACES[s]!, dense, external })),
    ops: raw.o.map(([op, k, key, member]) => {
      const kind = KINDS[k];
      let term: TermRef;
      if (kind === 'tag') term = { kind, tag: String(key) };
      else if (kind && isUniverseKind(kind)) term = { kind };
      else if (kind) term = { kind, id: Number(key) };
      else bad(`has unknown term kind code ${k}`);
      return { op: op === 1 ? 'add' : 'remove', term, member };
    }),
  };
}
