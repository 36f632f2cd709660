import { z } from 'zod';
import type { QueryNode } from './query-ast';
import { QueryError } from './query-error';

/**
 * The JSON form of a query. The shape is checked here; operator and kind
 * names are plain strings so that checkQuery can answer with the same codes
 * as the text parser.
 */
type RawNode = {
  op: string;
  kind?: string;
  value?: string;
  k?: number;
  arg?: RawNode;
  args?: RawNode[];
};

const rawNodeSchema: z.ZodType<RawNode> = z.lazy(() =>
  z
    .object({
      op: z.string(),
      kind: z.string().optional(),
      value: z.string().optional(),
      k: z.number().optional(),
      arg: rawNodeSchema.optional(),
      args: z.array(rawNodeSchema).optional(),
    })
    .strict(),
);

const KNOWN_OPS = ['term', 'and', 'or', 'not', 'difference', 'atleast', 'apply'];

/** Turns an untrusted JSON value into a query tree, or throws a QueryError naming the path. */
export function parseQueryAst(input: unknown, maxNodes = 1000): QueryNode {
  const parsed = rawNodeSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.') || '(root)';
    throw new QueryError('INVALID_AST', `invalid query AST at ${path}: ${issue.message}`, null, { path });
  }
  let nodes = 0;
  const convert = (raw: RawNode, path: string): QueryNode => {
    if (++nodes > maxNodes) {
      throw new QueryError('LIMIT_EXCEEDED', `query AST has more than ${maxNodes} nodes`, null, {
        path,
        details: { limit: 'maxNodes' },
      });
    }
    const at = (p: string) => (path ? `${path}.${p}` : p);
    const need = <T>(value: T | undefined, field: string): T => {
      if (value === undefined) {
        throw new QueryError('INVALID_AST', `${raw.op} node needs "${field}"`, null, { path: at(field) });
      }
      return value;
    };
    if (!KNOWN_OPS.includes(raw.op)) {
      throw new QueryError(
        'UNKNOWN_OPERATOR',
        `unknown operator "${raw.op}"; expected one of ${KNOWN_OPS.join(', ')}`,
        null,
        {
          path: at('op'),
        },
      );
    }
    switch (raw.op) {
      case 'term':
        return { op: 'term', kind: need(raw.kind, 'kind') as never, value: need(raw.value, 'value') };
      case 'not':
        return { op: 'not', arg: convert(need(raw.arg, 'arg'), at('arg')) };
      case 'apply':
        return {
          op: 'apply',
          kind: need(raw.kind, 'kind') as never,
          arg: convert(need(raw.arg, 'arg'), at('arg')),
        };
      default: {
        const args = need(raw.args, 'args').map((a, i) => convert(a, at(`args.${i}`)));
        if (raw.op === 'atleast') return { op: 'atleast', k: need(raw.k, 'k'), args };
        return { op: raw.op as 'and' | 'or' | 'difference', args };
      }
    }
  };
  return convert(parsed.data, '');
}
