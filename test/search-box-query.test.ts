import { QueryError } from '../query/engine/query-error';
import { isEngineQuery, parseSearchBox, type SearchBoxToken } from '../query/search/search-box-query';

const tag = (value: string, pos: number, negated = false): SearchBoxToken => ({
  kind: 'tag',
  value,
  negated,
  pos,
});
const user = (value: string, pos: number, negated = false): SearchBoxToken => ({
  kind: 'user',
  value,
  negated,
  pos,
});

describe('parseSearchBox', () => {
  it.each<[string, SearchBoxToken[]]>([
    ['#sunset', [tag('sunset', 0)]],
    [
      '#Sunset #beach -#nsfw @alice',
      [tag('sunset', 0), tag('beach', 8), tag('nsfw', 15, true), user('alice', 22)],
    ],
    ['   #a\t\t#b\n-@bob  ', [tag('a', 3), tag('b', 7), user('bob', 10, true)]],
    ['#SUNSET', [tag('sunset', 0)]],
    ['＃Sunset', [tag('sunset', 0)]],
    ['-＃NSFW', [tag('nsfw', 0, true)]],
    ['#Café', [tag('café', 0)]],
    ['#Cafe\u0301', [tag('café', 0)]],
    ['#café #x', [tag('café', 0), tag('x', 6)]],
    ['#東京 #İstanbul', [tag('東京', 0), tag('i\u0307stanbul', 4)]],
    ['#a_1 #_b', [tag('a_1', 0), tag('_b', 5)]],
    ['@ALICE', [user('ALICE', 0)]],
    ['@josé @Ünal.k_9 @名前', [user('josé', 0), user('Ünal.k_9', 6), user('名前', 16)]],
    ['-@ghost', [user('ghost', 0, true)]],
    [`@${'a'.repeat(64)}`, [user('a'.repeat(64), 0)]],
    ['#a #a', [tag('a', 0), tag('a', 3)]],
  ])('%j', (text, tokens) => {
    expect(parseSearchBox(text)).toEqual(tokens);
  });

  it.each<[string, string, number]>([
    ['', 'EMPTY_QUERY', 0],
    ['   ', 'EMPTY_QUERY', 0],
    ['foo', 'SYNTAX_ERROR', 0],
    ['#a foo', 'SYNTAX_ERROR', 3],
    ['#16', 'SYNTAX_ERROR', 0],
    ['#a #16', 'SYNTAX_ERROR', 3],
    ['#', 'SYNTAX_ERROR', 0],
    ['-#', 'SYNTAX_ERROR', 0],
    ['-', 'SYNTAX_ERROR', 0],
    ['--#a', 'SYNTAX_ERROR', 0],
    ['#a-b', 'SYNTAX_ERROR', 0],
    ['#a #b @', 'SYNTAX_ERROR', 6],
    ['@a-b', 'SYNTAX_ERROR', 0],
    ['@a@b', 'SYNTAX_ERROR', 0],
    [`@${'a'.repeat(65)}`, 'SYNTAX_ERROR', 0],
    [`#${'a'.repeat(101)}`, 'SYNTAX_ERROR', 0],
    ['#a 😀', 'SYNTAX_ERROR', 3],
    ['#café tag:x', 'SYNTAX_ERROR', 6],
    ['#a (b)', 'SYNTAX_ERROR', 3],
    ['#a,#b', 'SYNTAX_ERROR', 0],
  ])('%j is %s at %i', (text, code, position) => {
    let caught: unknown;
    try {
      parseSearchBox(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QueryError);
    const err = caught as QueryError;
    expect([err.code, err.position, err.details]).toEqual([code, position, { position }]);
  });
});

describe('isEngineQuery', () => {
  it.each<[string, boolean]>([
    ['(and tag:a tag:b)', true],
    ['  (or tag:a)', true],
    ['tag:sunset', true],
    ['is:live', true],
    ['author:101', true],
    ['foo:bar', true],
    ['#sunset', false],
    ['-#sunset', false],
    ['@alice', false],
    ['＃sunset', false],
    ['sunset', false],
    ['', false],
    ['#a (and tag:b)', false],
  ])('%j → %s', (text, expected) => {
    expect(isEngineQuery(text)).toBe(expected);
  });
});
