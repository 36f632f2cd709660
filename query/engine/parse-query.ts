import {
  OPERATORS,
  type Operator,
  type QueryNode,
  TERM_KINDS,
  APPLY_KINDS,
  type TermKind,
  type ApplyKind,
} from './query-ast';
import { QueryError } from './query-error';
import { defaultQueryLimits, type QueryLimits } from './query-limits';

interface Token {
  type: '(' | ')' | 'atom';
  text: string;
  pos: number;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/u.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ type: ch, text: ch, pos: i });
      i++;
    } else {
      const start = i;
      while (i < text.length && !/[\s()]/u.test(text[i]!)) i++;
      tokens.push({ type: 'atom', text: text.slice(start, i), pos: start });
    }
  }
  return tokens;
}

/**
 * Parses the s-expression language, e.g.
 * `(and tag:sunset (or tag:beach tag:sea) (not tag:nsfw))`, into a tree whose
 * nodes carry character positions. Semantic checks (ids, types, limits on
 * terms) happen in checkQuery, shared with the JSON form.
 */
export function parseQuery(text: string, limits: Partial<QueryLimits> = {}): QueryNode {
  const { maxQueryLength, maxDepth } = { ...defaultQueryLimits, ...limits };
  if (text.length > maxQueryLength) {
    throw new QueryError(
      'LIMIT_EXCEEDED',
      `query is longer than ${maxQueryLength} characters`,
      maxQueryLength,
      {
        details: { limit: 'maxQueryLength', max: maxQueryLength },
      },
    );
  }
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new QueryError('EMPTY_QUERY', 'the query is empty', 0);
  let at = 0;

  const parseExpr = (depth: number): QueryNode => {
    const tok = tokens[at];
    if (!tok) throw new QueryError('SYNTAX_ERROR', 'expected a term or "(" but the query ended', text.length);
    if (tok.type === ')')
      throw new QueryError('UNBALANCED_PAREN', 'unexpected ")" with no matching "("', tok.pos);
    if (tok.type === 'atom') {
      at++;
      return parseTerm(tok);
    }
    if (depth >= maxDepth) {
      throw new QueryError('LIMIT_EXCEEDED', `operators are nested deeper than ${maxDepth}`, tok.pos, {
        details: { limit: 'maxDepth', max: maxDepth },
      });
    }
    const open = tok;
    at++;
    const opTok = tokens[at];
    if (!opTok) throw unclosed(open);
    if (opTok.type !== 'atom') {
      throw new QueryError('SYNTAX_ERROR', 'expected an operator after "("', opTok.pos);
    }
    const op = opTok.text.toLowerCase();
    if (!(OPERATORS as readonly string[]).includes(op)) {
      throw new QueryError(
        'UNKNOWN_OPERATOR',
        `unknown operator "${opTok.text}"; expected one of ${OPERATORS.join(', ')}`,
        opTok.pos,
      );
    }
    at++;
    let k: number | undefined;
    let applyKind: ApplyKind | undefined;
    if (op === 'atleast') k = parseCount(tokens[at], open);
    if (op === 'apply') applyKind = parseApplyKind(tokens[at], open);
    const args: QueryNode[] = [];
    for (;;) {
      const next = tokens[at];
      if (!next) throw unclosed(open);
      if (next.type === ')') {
        at++;
        break;
      }
      args.push(parseExpr(depth + 1));
    }
    return build(op as Operator, args, open.pos, k, applyKind);
  };

  const parseCount = (tok: Token | undefined, open: Token): number => {
    if (!tok) throw unclosed(open);
    if (tok.type !== 'atom' || !/^[0-9]{1,6}$/.test(tok.text)) {
      throw new QueryError('BAD_ARGUMENT', 'atleast needs a whole number k before its operands', tok.pos);
    }
    at++;
    return Number(tok.text);
  };

  const parseApplyKind = (tok: Token | undefined, open: Token): ApplyKind => {
    if (!tok) throw unclosed(open);
    const m = tok.type === 'atom' ? /^([a-z]+):$/i.exec(tok.text) : null;
    if (!m) {
      throw new QueryError(
        'SYNTAX_ERROR',
        'apply needs a term kind such as "author:" before its operand',
        tok.pos,
      );
    }
    const kind = m[1]!.toLowerCase();
    if (!(kind in APPLY_KINDS)) {
      throw new QueryError(
        'UNKNOWN_TERM_KIND',
        `apply cannot expand "${kind}:"; expected one of ${Object.keys(APPLY_KINDS).join(', ')}`,
        tok.pos,
      );
    }
    at++;
    return kind as ApplyKind;
  };

  const root = parseExpr(0);
  const rest = tokens[at];
  if (rest) {
    if (rest.type === ')')
      throw new QueryError('UNBALANCED_PAREN', 'unexpected ")" with no matching "("', rest.pos);
    throw new QueryError(
      'SYNTAX_ERROR',
      'unexpected input after the end of the query; combine terms with (and ...)',
      rest.pos,
    );
  }
  return root;
}

function unclosed(open: Token): QueryError {
  return new QueryError('UNBALANCED_PAREN', 'this "(" is never closed', open.pos);
}

function parseTerm(tok: Token): QueryNode {
  const colon = tok.text.indexOf(':');
  if (colon <= 0) {
    const hint = (OPERATORS as readonly string[]).includes(tok.text.toLowerCase())
      ? `operators go inside parentheses: (${tok.text} ...)`
      : 'a term looks like kind:value, e.g. tag:sunset';
    throw new QueryError('SYNTAX_ERROR', `"${tok.text}" is not a term; ${hint}`, tok.pos);
  }
  const kind = tok.text.slice(0, colon).toLowerCase();
  if (!(kind in TERM_KINDS)) {
    throw new QueryError(
      'UNKNOWN_TERM_KIND',
      `unknown term kind "${tok.text.slice(0, colon)}"; expected one of ${Object.keys(TERM_KINDS).join(', ')}`,
      tok.pos,
    );
  }
  return { op: 'term', kind: kind as TermKind, value: tok.text.slice(colon + 1), pos: tok.pos };
}

function build(op: Operator, args: QueryNode[], pos: number, k?: number, applyKind?: ApplyKind): QueryNode {
  switch (op) {
    case 'not':
      if (args.length !== 1)
        throw new QueryError('ARITY', `not takes exactly one operand, got ${args.length}`, pos);
      return { op, arg: args[0]!, pos };
    case 'apply':
      if (args.length !== 1)
        throw new QueryError('ARITY', `apply takes exactly one operand, got ${args.length}`, pos);
      return { op, kind: applyKind!, arg: args[0]!, pos };
    case 'atleast':
      return { op, k: k!, args, pos };
    default:
      return { op, args, pos };
  }
}
