import { normalizeHashtag } from '../../indexer/hashtags/normalize-hashtag';
import { QueryError } from '../engine/query-error';

export interface SearchBoxToken {
  kind: 'tag' | 'user';
  /** Tag key, or the username as typed (without `@`). */
  value: string;
  negated: boolean;
  pos: number;
}

const USERNAME = /^[\p{L}\p{N}_.]{1,64}$/u;

/** True for text in the engine's own language rather than the search box's. */
export function isEngineQuery(text: string): boolean {
  const t = text.trim();
  return t.startsWith('(') || /^[a-z]+:/i.test(t);
}

/**
 * The search box's syntax: `#sunset #beach -#nsfw @alice` means every tag,
 * none of the negated ones, by that user. Anything else is a SYNTAX_ERROR at
 * its position, so a typo never silently widens the result.
 */
export function parseSearchBox(text: string): SearchBoxToken[] {
  const tokens: SearchBoxToken[] = [];
  for (const m of text.matchAll(/\S+/gu)) {
    const pos = m.index;
    let word = m[0];
    const negated = word.startsWith('-');
    if (negated) word = word.slice(1);
    const sigil = word[0];
    const body = word.slice(1);
    if (sigil === '#' || sigil === '＃') {
      const key = normalizeHashtag(body);
      if (key === '') throw new QueryError('SYNTAX_ERROR', `${JSON.stringify(m[0])} is not a hashtag`, pos);
      tokens.push({ kind: 'tag', value: key, negated, pos });
    } else if (sigil === '@') {
      if (!USERNAME.test(body))
        throw new QueryError('SYNTAX_ERROR', `${JSON.stringify(m[0])} is not a username`, pos);
      tokens.push({ kind: 'user', value: body, negated, pos });
    } else {
      throw new QueryError(
        'SYNTAX_ERROR',
        `expected #tag, -#tag, @user or -@user, got ${JSON.stringify(m[0])}`,
        pos,
      );
    }
  }
  if (tokens.length === 0) throw new QueryError('EMPTY_QUERY', 'the query is empty', 0);
  return tokens;
}
