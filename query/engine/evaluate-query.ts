import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';
import { unionOfLists } from './list-union';
import { EMPTY_BITMAP, type PostingIndex } from './posting-index';
import type { ApplyKind, ApplyNode, QueryNode, TermNode } from './query-ast';
import { QueryError } from './query-error';
import type { SetType } from './set-type';

/** A bitmap the evaluator may mutate (`owned`) or must copy first (borrowed from the index or a caller). */
interface Value {
  bm: ReadonlyRoaringBitmap32;
  owned: boolean;
}

export interface EvaluateOptions {
  maxApplyFanout: number;
}

const EMPTY: Value = { bm: EMPTY_BITMAP, owned: false };
/** croaring keeps a container as a sorted array up to this many members, as a bitset above. */
const ARRAY_MAX = 4096;

/**
 * Evaluates a checked query tree against the posting index. Synchronous by
 * design: a query never spans an event-loop turn, so it sees one version of
 * the index.
 */
export function evaluateQuery(
  index: PostingIndex,
  root: QueryNode,
  type: SetType,
  options: EvaluateOptions,
): RoaringBitmap32 {
  const value = new Evaluator(index, options).eval(root, type);
  const bm = value.owned ? (value.bm as RoaringBitmap32) : value.bm.clone();
  // Deleted media may linger in lists nobody told us about; the universe is the authority.
  index.restrictToUniverse(bm, type);
  return bm;
}

/**
 * `acc \ minus`. In place only when acc is mostly bitsets: croaring's
 * in-place array-minus-array is a scalar merge, about twice the cost of the
 * vectorised copy for the small arrays an AND leaves behind.
 */
function subtract(acc: Value, minus: ReadonlyRoaringBitmap32): Value {
  if (acc.owned && averagePerContainer(acc.bm) > ARRAY_MAX) {
    (acc.bm as RoaringBitmap32).andNotInPlace(minus);
    return acc;
  }
  const bm = RoaringBitmap32.andNot(acc.bm, minus);
  release(acc);
  return { bm, owned: true };
}

/** Members per 2^16-id container over the set's key range (non-empty sets). */
function averagePerContainer(bm: ReadonlyRoaringBitmap32): number {
  return bm.size / ((bm.maximum() >>> 16) - (bm.minimum() >>> 16) + 1);
}

function release(v: Value, keep?: ReadonlyRoaringBitmap32): void {
  if (v.owned && v.bm !== keep) (v.bm as RoaringBitmap32).dispose();
}

/**
 * Every method takes an optional `within` and then returns `node ∧ within`.
 * An AND passes its running result down as `within`, so an OR or apply under
 * it only ever builds the part that survives the AND, rather than the whole
 * operand (a popular OR can be far larger than the AND it feeds).
 */
class Evaluator {
  constructor(
    private readonly index: PostingIndex,
    private readonly options: EvaluateOptions,
  ) {}

  eval(node: QueryNode, type: SetType, within?: ReadonlyRoaringBitmap32): Value {
    switch (node.op) {
      case 'term':
        return within ? this.cut(this.term(node), within) : this.term(node);
      case 'and':
        return this.and(node.args, type, within);
      case 'or':
        return this.or(node.args, type, within);
      case 'not':
        return this.complement(node.arg, type, within);
      case 'difference':
        return this.and(
          [node.args[0]!, ...node.args.slice(1).map((arg): QueryNode => ({ op: 'not', arg }))],
          type,
          within,
        );
      case 'atleast':
        return this.atLeast(node.k, node.args, type, within);
      case 'apply':
        return this.apply(node, within);
    }
  }

  /** `v ∧ within` as a new value; `v` is released. */
  private cut(v: Value, within: ReadonlyRoaringBitmap32): Value {
    if (v.bm.isEmpty) {
      release(v);
      return EMPTY;
    }
    const bm = RoaringBitmap32.and(v.bm, within);
    release(v);
    return { bm, owned: true };
  }

  private term(node: TermNode): Value {
    const { index } = this;
    switch (node.kind) {
      case 'tag':
        return { bm: index.tag(node.value), owned: false };
      case 'is':
        return {
          bm: index.universe(node.value === 'user' ? 'users' : (node.value as 'live' | 'public')),
          owned: false,
        };
      case 'user': {
        const id = index.ids.user.get(node.value);
        return id === undefined ? EMPTY : { bm: new RoaringBitmap32([id]), owned: true };
      }
      case 'loc': {
        const id = index.ids.location.get(node.value);
        return { bm: id === undefined ? EMPTY_BITMAP : index.byDenseId('loc', id), owned: false };
      }
      default: {
        const id = index.ids.user.get(node.value);
        return { bm: id === undefined ? EMPTY_BITMAP : index.byDenseId(node.kind, id), owned: false };
      }
    }
  }

  /**
   * Terms (and `within`) smallest first, stopping at the first empty one;
   * then compound operands and applies evaluated within the running result;
   * negated operands become andNot, so no complement is built inside an AND.
   */
  private and(args: QueryNode[], type: SetType, within?: ReadonlyRoaringBitmap32): Value {
    const terms: { v: Value; size: number }[] = [];
    const negatives: QueryNode[] = [];
    const rest: QueryNode[] = [];
    for (const arg of args) {
      if (arg.op === 'not') negatives.push(arg.arg);
      else if (arg.op === 'term') {
        const v = this.term(arg);
        terms.push({ v, size: v.bm.size });
        if (v.bm.isEmpty) {
          for (const t of terms) release(t.v);
          return EMPTY;
        }
      } else rest.push(arg);
    }
    if (within) terms.push({ v: { bm: within, owned: false }, size: within.size });
    // Terms cost nothing to look at, so compound operands wait until the cheap checks pass; applies go last.
    rest.sort((a, b) => Number(a.op === 'apply') - Number(b.op === 'apply'));
    terms.sort((a, b) => a.size - b.size);
    let acc: Value | undefined = terms[0]?.v;
    for (let i = 1; i < terms.length && !acc!.bm.isEmpty; i++) acc = this.intersect(acc!, terms[i]!.v);
    for (let i = 1; i < terms.length; i++) release(terms[i]!.v, acc?.bm);
    for (const arg of rest) {
      if (acc?.bm.isEmpty) break;
      const v = this.eval(arg, type, acc?.bm);
      // An operand that keeps all of `within` may hand it back as is.
      if (v.bm === acc?.bm) continue;
      if (acc) release(acc);
      acc = v;
    }
    acc ??= { bm: this.index.universeOf(type), owned: false };
    for (const neg of negatives) {
      if (acc.bm.isEmpty) break;
      // A term is subtracted as it is; anything else is first cut down to what it could remove.
      const v: Value = neg.op === 'term' ? this.term(neg) : this.eval(neg, type, acc.bm);
      if (v.bm === acc.bm) {
        release(acc);
        return EMPTY;
      }
      if (!v.bm.isEmpty) acc = subtract(acc, v.bm);
      release(v, acc.bm);
    }
    if (!acc.bm.isEmpty) return acc;
    release(acc);
    return EMPTY;
  }

  /** `acc ∧ next`; `next` stays the caller's to release. */
  private intersect(acc: Value, next: Value): Value {
    if (acc.owned) {
      (acc.bm as RoaringBitmap32).andInPlace(next.bm);
      return acc;
    }
    return { bm: RoaringBitmap32.and(acc.bm, next.bm), owned: true };
  }

  /** A chain of orInPlace: measured faster here than RoaringBitmap32.orMany. */
  private or(args: QueryNode[], type: SetType, within?: ReadonlyRoaringBitmap32): Value {
    // Cutting each operand pays off against a sparse `within`; against a dense one (bitsets) it
    // only adds a pass per operand, so take the union first and cut it once.
    if (within && averagePerContainer(within) > ARRAY_MAX) return this.cut(this.or(args, type), within);
    let acc: Value | undefined;
    for (const arg of args) {
      const v = this.eval(arg, type, within);
      if (v.bm.isEmpty) {
        release(v);
        continue;
      }
      if (!acc) acc = v;
      else if (acc.owned) {
        (acc.bm as RoaringBitmap32).orInPlace(v.bm);
        release(v, acc.bm);
      } else if (v.owned) {
        (v.bm as RoaringBitmap32).orInPlace(acc.bm);
        acc = v;
      } else acc = { bm: RoaringBitmap32.or(acc.bm, v.bm), owned: true };
    }
    return acc ?? EMPTY;
  }

  /** A complement is built only where the caller needs the set itself (top level, inside OR). */
  private complement(arg: QueryNode, type: SetType, within?: ReadonlyRoaringBitmap32): Value {
    if (arg.op === 'not') return this.eval(arg.arg, type, within);
    const v = this.eval(arg, type, within);
    const rest = RoaringBitmap32.andNot(within ?? this.index.universeOf(type), v.bm);
    release(v);
    return { bm: rest, owned: true };
  }

  /**
   * Members of at least k operands. levels[i] holds members seen in at least
   * i+1 operands so far; each operand lifts the lower level into the next.
   */
  private atLeast(k: number, args: QueryNode[], type: SetType, within?: ReadonlyRoaringBitmap32): Value {
    if (k === 1) return this.or(args, type, within);
    if (k === args.length) return this.and(args, type, within);
    const levels: RoaringBitmap32[] = Array.from({ length: k }, () => new RoaringBitmap32());
    for (const arg of args) {
      const v = this.eval(arg, type, within);
      if (v.bm.isEmpty) {
        release(v);
        continue;
      }
      for (let i = k - 1; i >= 1; i--) {
        if (levels[i - 1]!.isEmpty) continue;
        const both = RoaringBitmap32.and(levels[i - 1]!, v.bm);
        levels[i]!.orInPlace(both);
        both.dispose();
      }
      levels[0]!.orInPlace(v.bm);
      release(v);
    }
    for (let i = 0; i < k - 1; i++) levels[i]!.dispose();
    return { bm: levels[k - 1]!, owned: true };
  }

  /** `(apply K: S)`: the union of K's list for every member of S, cut to `within` (see unionOfLists). */
  private apply(node: ApplyNode, within?: ReadonlyRoaringBitmap32): Value {
    const users = this.fanOut(node.kind, node.arg, node.pos);
    const lists: ReadonlyRoaringBitmap32[] = [];
    for (const user of users.bm.toUint32Array()) lists.push(this.index.byDenseId(node.kind, user));
    release(users);
    return { bm: unionOfLists(lists, within), owned: true };
  }

  private fanOut(kind: ApplyKind, arg: QueryNode, pos: number | undefined): Value {
    const users = this.eval(arg, 'user');
    const max = this.options.maxApplyFanout;
    const count = users.bm.size;
    if (count > max) {
      release(users);
      throw new QueryError(
        'LIMIT_EXCEEDED',
        `apply ${kind}: would expand ${count} users; the limit is ${max}`,
        pos ?? null,
        {
          details: { limit: 'maxApplyFanout', max, actual: count },
        },
      );
    }
    return users;
  }
}
