/** Term kinds of the query language and the set type each yields. */
export const TERM_KINDS = {
  tag: 'media',
  author: 'media',
  loc: 'media',
  follows: 'user',
  followers: 'user',
  user: 'user',
  is: 'media',
} as const;
export type TermKind = keyof typeof TERM_KINDS;

/** `is:` values: universe sets. */
export const UNIVERSE_TERMS = { live: 'media', public: 'media', user: 'user' } as const;
export type UniverseTerm = keyof typeof UNIVERSE_TERMS;

/** `(apply K: <user set>)`: the union of term `K:u` over every user u. */
export const APPLY_KINDS = { author: 'media', follows: 'user', followers: 'user' } as const;
export type ApplyKind = keyof typeof APPLY_KINDS;

export const OPERATORS = ['and', 'or', 'not', 'difference', 'atleast', 'apply'] as const;
export type Operator = (typeof OPERATORS)[number];

interface Positioned {
  /** Character offset in the query text, when parsed from text. */
  pos?: number;
}

export interface TermNode extends Positioned {
  op: 'term';
  kind: TermKind;
  value: string;
}
export interface AndNode extends Positioned {
  op: 'and';
  args: QueryNode[];
}
export interface OrNode extends Positioned {
  op: 'or';
  args: QueryNode[];
}
export interface NotNode extends Positioned {
  op: 'not';
  arg: QueryNode;
}
export interface DifferenceNode extends Positioned {
  op: 'difference';
  args: QueryNode[];
}
export interface AtLeastNode extends Positioned {
  op: 'atleast';
  k: number;
  args: QueryNode[];
}
export interface ApplyNode extends Positioned {
  op: 'apply';
  kind: ApplyKind;
  arg: QueryNode;
}

export type QueryNode = TermNode | AndNode | OrNode | NotNode | DifferenceNode | AtLeastNode | ApplyNode;

/** Renders a tree back to the s-expression language (canonical spacing). */
export function formatQuery(node: QueryNode): string {
  switch (node.op) {
    case 'term':
      return `${node.kind}:${node.value}`;
    case 'not':
      return `(not ${formatQuery(node.arg)})`;
    case 'apply':
      return `(apply ${node.kind}: ${formatQuery(node.arg)})`;
    case 'atleast':
      return `(atleast ${node.k} ${node.args.map(formatQuery).join(' ')})`;
    default:
      return `(${node.op} ${node.args.map(formatQuery).join(' ')})`;
  }
}
