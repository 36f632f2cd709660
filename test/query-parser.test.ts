import {
  PostingIndex,
  QueryEngine,
  QueryError,
  parseQuery,
  formatQuery,
  type QueryErrorCode,
} from '../query/engine';

const engine = new QueryEngine(new PostingIndex(), {
  limits: { maxDepth: 4, maxTerms: 5, maxQueryLength: 200 },
});

function errorOf(fn: () => unknown): QueryError {
  try {
    fn();
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
  throw new Error('expected a QueryError');
}

describe('query parser', () => {
  it('parses the example query into a positioned tree', () => {
    const text = '(and tag:sunset (or tag:beach tag:sea) (not tag:nsfw))';
    const tree = parseQuery(text);
    expect(tree).toMatchObject({
      op: 'and',
      pos: 0,
      args: [
        { op: 'term', kind: 'tag', value: 'sunset', pos: 5 },
        {
          op: 'or',
          pos: 16,
          args: [
            { value: 'beach', pos: 20 },
            { value: 'sea', pos: 30 },
          ],
        },
        { op: 'not', pos: 39, arg: { value: 'nsfw', pos: 44 } },
      ],
    });
    expect(formatQuery(tree)).toBe(text);
  });

  it('parses apply, atleast and difference', () => {
    expect(formatQuery(parseQuery('( apply  author:  (apply follows: follows:42) )'))).toBe(
      '(apply author: (apply follows: follows:42))',
    );
    expect(parseQuery('(atleast 2 tag:a tag:b tag:c)')).toMatchObject({ op: 'atleast', k: 2 });
    expect(parseQuery('(DIFFERENCE tag:a tag:b)')).toMatchObject({ op: 'difference' });
  });

  it('normalises tag values to index keys', () => {
    const checked = engine.parse('tag:#SunSet');
    expect(checked.root).toMatchObject({ kind: 'tag', value: 'sunset' });
    expect(engine.parse('tag:Cafe\u0301').root).toMatchObject({ value: 'caf\u00e9' });
  });

  // Every error code, with the character position it points at.
  const cases: [string, QueryErrorCode, number | null][] = [
    ['', 'EMPTY_QUERY', 0],
    ['   ', 'EMPTY_QUERY', 0],
    ['(and tag:a', 'UNBALANCED_PAREN', 0],
    ['(and tag:a (or tag:b tag:c)', 'UNBALANCED_PAREN', 0],
    ['(and tag:a (or tag:b', 'UNBALANCED_PAREN', 11],
    ['(and tag:a))', 'UNBALANCED_PAREN', 11],
    [')', 'UNBALANCED_PAREN', 0],
    ['(and tag:a ) tag:b', 'SYNTAX_ERROR', 13],
    ['tag:a tag:b', 'SYNTAX_ERROR', 6],
    ['sunset', 'SYNTAX_ERROR', 0],
    ['and', 'SYNTAX_ERROR', 0],
    ['(  (and tag:a))', 'SYNTAX_ERROR', 3],
    ['(and ', 'UNBALANCED_PAREN', 0],
    ['(xor tag:a tag:b)', 'UNKNOWN_OPERATOR', 1],
    ['(and tag:a (nand tag:b))', 'UNKNOWN_OPERATOR', 12],
    ['(and tag:a hashtag:b)', 'UNKNOWN_TERM_KIND', 11],
    ['(apply tag: follows:1)', 'UNKNOWN_TERM_KIND', 7],
    ['(apply follows:1)', 'SYNTAX_ERROR', 7],
    ['author:abc', 'BAD_ID', 0],
    ['(or tag:a author:0123)', 'BAD_ID', 10],
    ['follows:18446744073709551616', 'BAD_ID', 0],
    ['follows:-5', 'BAD_ID', 0],
    ['tag:#', 'BAD_ARGUMENT', 0],
    ['is:everything', 'BAD_ARGUMENT', 0],
    ['(atleast x tag:a)', 'BAD_ARGUMENT', 9],
    ['(atleast 3 tag:a tag:b)', 'BAD_ARGUMENT', 0],
    ['(atleast 0 tag:a)', 'BAD_ARGUMENT', 0],
    ['(not tag:a tag:b)', 'ARITY', 0],
    ['(and)', 'ARITY', 0],
    ['(difference tag:a)', 'ARITY', 0],
    ['(apply author: follows:1 follows:2)', 'ARITY', 0],
    ['(and tag:a follows:1)', 'TYPE_MISMATCH', 11],
    ['(or follows:1 (not tag:x))', 'TYPE_MISMATCH', 14],
    ['(apply author: tag:a)', 'TYPE_MISMATCH', 15],
    ['(and (and (and (and (and tag:a)))))', 'LIMIT_EXCEEDED', 20],
    ['(or tag:a tag:b tag:c tag:d tag:e tag:f)', 'LIMIT_EXCEEDED', 34],
    [`tag:${'a'.repeat(300)}`, 'LIMIT_EXCEEDED', 200],
  ];

  it.each(cases)('%j fails with %s at %p', (text, code, position) => {
    const err = errorOf(() => engine.parse(text));
    expect(err.code).toBe(code);
    expect(err.position).toBe(position);
    expect(err.retriable).toBe(false);
    expect(err.message.length).toBeGreaterThan(5);
  });

  it('bounds apply fan-out at execution time', () => {
    const index = new PostingIndex();
    const ops = [];
    for (let i = 1; i <= 20; i++)
      ops.push({
        op: 'add' as const,
        term: { kind: 'users' as const },
        member: index.ids.user.getOrAssign(String(i)),
      });
    index.apply(ops);
    const small = new QueryEngine(index, { limits: { maxApplyFanout: 10 } });
    const err = errorOf(() => small.search('(apply author: is:user)'));
    expect(err.code).toBe('LIMIT_EXCEEDED');
    expect(err.position).toBe(0);
    expect(err.details).toMatchObject({ limit: 'maxApplyFanout', actual: 20 });
  });

  it('rejects bad limits and cursors', () => {
    expect(errorOf(() => engine.search('tag:a', { limit: 0 })).code).toBe('LIMIT_EXCEEDED');
    expect(errorOf(() => engine.search('tag:a', { cursor: 'not a cursor!' })).code).toBe('BAD_CURSOR');
    expect(
      errorOf(() => engine.search('tag:a', { cursor: Buffer.from('{"v":1}').toString('base64url') })).code,
    ).toBe('BAD_CURSOR');
  });
});

describe('JSON AST form', () => {
  it('accepts the same tree as the text form', () => {
    const checked = engine.fromAst({
      op: 'and',
      args: [
        { op: 'term', kind: 'tag', value: 'sunset' },
        { op: 'not', arg: { op: 'term', kind: 'tag', value: 'nsfw' } },
      ],
    });
    expect(formatQuery(checked.root)).toBe('(and tag:sunset (not tag:nsfw))');
  });

  const bad: [unknown, QueryErrorCode, string][] = [
    [{ op: 'and' }, 'INVALID_AST', 'args'],
    [{ op: 'and', args: [{ op: 'term', kind: 'tag' }] }, 'INVALID_AST', 'args.0.value'],
    [{ op: 'and', args: [], extra: 1 }, 'INVALID_AST', '(root)'],
    [{ op: 'xor', args: [] }, 'UNKNOWN_OPERATOR', 'op'],
    [{ op: 'or', args: [{ op: 'term', kind: 'hashtag', value: 'x' }] }, 'UNKNOWN_TERM_KIND', 'args.0'],
    [{ op: 'term', kind: 'author', value: '12x' }, 'BAD_ID', '(root)'],
    [
      {
        op: 'and',
        args: [
          { op: 'term', kind: 'tag', value: 'a' },
          { op: 'term', kind: 'follows', value: '1' },
        ],
      },
      'TYPE_MISMATCH',
      'args.1',
    ],
    [
      { op: 'apply', kind: 'loc', arg: { op: 'term', kind: 'user', value: '1' } },
      'UNKNOWN_TERM_KIND',
      '(root)',
    ],
    ['(and tag:a)', 'INVALID_AST', '(root)'],
  ];
  it.each(bad)('%j fails with %s at %s', (ast, code, path) => {
    const err = errorOf(() => engine.fromAst(ast));
    expect(err.code).toBe(code);
    expect(err.path).toBe(path);
  });
});
