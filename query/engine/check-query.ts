import { normalizeHashtag } from '../../indexer/hashtags/normalize-hashtag';
import { isExternalId } from './external-id';
import { APPLY_KINDS, type QueryNode, TERM_KINDS, UNIVERSE_TERMS } from './query-ast';
import { QueryError } from './query-error';
import { defaultQueryLimits, type QueryLimits } from './query-limits';
import type { SetType } from './set-type';

export interface CheckedQuery {
  root: QueryNode;
  type: SetType;
  terms: number;
}

/**
 * Validates a query tree from either front end: term values, arity, types and
 * the size limits. Returns a copy with tag values normalised to index keys.
 */
export function checkQuery(root: QueryNode, limits: Partial<QueryLimits> = {}): CheckedQuery {
  const { maxDepth, maxTerms } = { ...defaultQueryLimits, ...limits };
  let terms = 0;

  const fail = (
    code: QueryError['code'],
    message: string,
    node: QueryNode,
    path: string,
    details?: Record<string, unknown>,
  ) => new QueryError(code, message, node.pos ?? null, { path: path || '(root)', details });

  const visit = (node: QueryNode, depth: number, path: string): { node: QueryNode; type: SetType } => {
    if (depth > maxDepth) {
      throw fail('LIMIT_EXCEEDED', `operators are nested deeper than ${maxDepth}`, node, path, {
        limit: 'maxDepth',
        max: maxDepth,
      });
    }
    const sub = (p: string) => (path ? `${path}.${p}` : p);
    switch (node.op) {
      case 'term': {
        terms++;
        if (!Object.hasOwn(TERM_KINDS, node.kind)) {
          throw fail(
            'UNKNOWN_TERM_KIND',
            `unknown term kind "${String(node.kind)}"; expected one of ${Object.keys(TERM_KINDS).join(', ')}`,
            node,
            path,
          );
        }
        if (terms > maxTerms) {
          throw fail('LIMIT_EXCEEDED', `a query may have at most ${maxTerms} terms`, node, path, {
            limit: 'maxTerms',
            max: maxTerms,
          });
        }
        const type: SetType = TERM_KINDS[node.kind];
        if (node.kind === 'tag') {
          const key = normalizeHashtag(node.value);
          if (!key) throw fail('BAD_ARGUMENT', `"${node.value}" is not a valid hashtag`, node, path);
          return { node: { ...node, value: key }, type };
        }
        if (node.kind === 'is') {
          if (!Object.hasOwn(UNIVERSE_TERMS, node.value)) {
            throw fail(
              'BAD_ARGUMENT',
              `is:${node.value} is unknown; expected one of ${Object.keys(UNIVERSE_TERMS)
                .map((v) => `is:${v}`)
                .join(', ')}`,
              node,
              path,
            );
          }
          return { node, type: UNIVERSE_TERMS[node.value as keyof typeof UNIVERSE_TERMS] };
        }
        if (!isExternalId(node.value)) {
          throw fail('BAD_ID', `"${node.value}" is not a 64-bit decimal id`, node, path);
        }
        return { node, type };
      }
      case 'not': {
        const inner = visit(node.arg, depth + 1, sub('arg'));
        return { node: { ...node, arg: inner.node }, type: inner.type };
      }
      case 'apply': {
        if (!Object.hasOwn(APPLY_KINDS, node.kind)) {
          throw fail(
            'UNKNOWN_TERM_KIND',
            `apply cannot expand "${String(node.kind)}:"; expected one of ${Object.keys(APPLY_KINDS).join(', ')}`,
            node,
            path,
          );
        }
        const inner = visit(node.arg, depth + 1, sub('arg'));
        if (inner.type !== 'user') {
          throw fail(
            'TYPE_MISMATCH',
            `apply ${node.kind}: needs a set of users, got a set of ${setName(inner.type)}`,
            node.arg,
            sub('arg'),
          );
        }
        return { node: { ...node, arg: inner.node }, type: APPLY_KINDS[node.kind] };
      }
      default: {
        const min = node.op === 'difference' ? 2 : 1;
        if (node.args.length < min) {
          throw fail(
            'ARITY',
            `${node.op} needs at least ${min} operand${min > 1 ? 's' : ''}, got ${node.args.length}`,
            node,
            path,
          );
        }
        const args = node.args.map((a, i) => visit(a, depth + 1, sub(`args.${i}`)));
        const type = args[0]!.type;
        const odd = args.findIndex((a) => a.type !== type);
        if (odd >= 0) {
          throw fail(
            'TYPE_MISMATCH',
            `${node.op} mixes a set of ${setName(type)} with a set of ${setName(args[odd]!.type)}`,
            node.args[odd]!,
            sub(`args.${odd}`),
          );
        }
        if (node.op === 'atleast' && (!Number.isInteger(node.k) || node.k < 1 || node.k > node.args.length)) {
          throw fail(
            'BAD_ARGUMENT',
            `atleast k must be between 1 and the number of operands (${node.args.length}), got ${node.k}`,
            node,
            path,
          );
        }
        return { node: { ...node, args: args.map((a) => a.node) }, type };
      }
    }
  };

  const { node, type } = visit(root, 0, '');
  return { root: node, type, terms };
}

function setName(type: SetType): string {
  return type === 'user' ? 'users' : 'media';
}
