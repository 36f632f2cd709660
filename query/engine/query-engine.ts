import type { RoaringBitmap32 } from 'roaring';
import { type ReadonlyRoaringBitmap32 } from 'roaring';
import { checkQuery, type CheckedQuery } from './check-query';
import { evaluateQuery } from './evaluate-query';
import { parseQuery } from './parse-query';
import { formatQuery, type QueryNode } from './query-ast';
import { parseQueryAst } from './query-ast-schema';
import { QueryError } from './query-error';
import { defaultQueryLimits, type QueryLimits } from './query-limits';
import type { PostingIndex } from './posting-index';
import { decodeCursor, encodeCursor, queryFingerprint } from './result-cursor';
import type { SetType } from './set-type';

export interface SearchOptions {
  limit?: number;
  cursor?: string;
  /** Extra filter (e.g. what the viewer may see), applied before counting. */
  restrictTo?: ReadonlyRoaringBitmap32;
  /** Map the page to external ids (default true); benchmarks comparing dense work turn it off. */
  externalIds?: boolean;
}

export interface SearchPage {
  type: SetType;
  /** Exact size of the whole result, not just this page. */
  total: number;
  /** Dense ids, newest (highest) first. */
  dense: number[];
  /** External ids, in the same order. */
  ids: string[];
  nextCursor: string | null;
}

export interface QueryEngineOptions {
  limits?: Partial<QueryLimits>;
}

/** The read side of the engine: parse, check, evaluate and page. */
export class QueryEngine {
  readonly limits: QueryLimits;

  constructor(
    readonly index: PostingIndex,
    options: QueryEngineOptions = {},
  ) {
    this.limits = { ...defaultQueryLimits, ...options.limits };
  }

  parse(text: string): CheckedQuery {
    return checkQuery(parseQuery(text, this.limits), this.limits);
  }

  fromAst(json: unknown): CheckedQuery {
    return checkQuery(parseQueryAst(json), this.limits);
  }

  check(node: QueryNode): CheckedQuery {
    return checkQuery(node, this.limits);
  }

  /** The full result as a new bitmap the caller owns. */
  evaluate(query: CheckedQuery): RoaringBitmap32 {
    return evaluateQuery(this.index, query.root, query.type, { maxApplyFanout: this.limits.maxApplyFanout });
  }

  search(query: string | CheckedQuery, options: SearchOptions = {}): SearchPage {
    const checked = typeof query === 'string' ? this.parse(query) : query;
    const limit = options.limit ?? 20;
    if (!Number.isInteger(limit) || limit < 1 || limit > this.limits.maxResultLimit) {
      throw new QueryError(
        'LIMIT_EXCEEDED',
        `limit must be an integer from 1 to ${this.limits.maxResultLimit}`,
        null,
        {
          path: 'limit',
          details: { limit: 'maxResultLimit', max: this.limits.maxResultLimit },
        },
      );
    }
    const fingerprint = queryFingerprint(formatQuery(checked.root));
    const before =
      options.cursor === undefined ? undefined : decodeCursor(options.cursor, fingerprint).before;
    const result = this.evaluate(checked);
    if (options.restrictTo) result.andInPlace(options.restrictTo);
    const total = result.size;
    // rank(x) counts members <= x, so this is how many lie below the cursor.
    const below = before === undefined ? total : before === 0 ? 0 : result.rank(before - 1);
    const start = Math.max(0, below - limit);
    const count = below - start;
    const page =
      count === 0 ? new Uint32Array(0) : result.rangeUint32Array(new Uint32Array(count), start, count);
    const dense = Array.from(page).reverse();
    // Free the result's native memory now rather than at the next GC: large results otherwise pile up as external memory and force full collections.
    result.dispose();
    const space = checked.type === 'media' ? this.index.ids.media : this.index.ids.user;
    return {
      type: checked.type,
      total,
      dense,
      ids: options.externalIds === false ? [] : dense.map((d) => space.external(d)),
      nextCursor:
        start > 0 && dense.length > 0
          ? encodeCursor({ before: dense[dense.length - 1]!, query: fingerprint })
          : null,
    };
  }
}
