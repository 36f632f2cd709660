import { QueryError } from './query-error';

interface CursorState {
  /** Results continue strictly below this dense id. */
  before: number;
  /** Fingerprint of the query the cursor belongs to. */
  query: string;
}

/** FNV-1a: enough to notice a cursor pasted onto another query. */
export function queryFingerprint(canonical: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < canonical.length; i++) {
    h ^= canonical.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

export function encodeCursor(state: CursorState): string {
  return Buffer.from(JSON.stringify({ v: 1, b: state.before, q: state.query })).toString('base64url');
}

/** Opaque to clients; anything we did not issue for this query is BAD_CURSOR. */
export function decodeCursor(cursor: string, expectedQuery: string): CursorState {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new QueryError('BAD_CURSOR', 'the cursor is not one this service issued', null, { path: 'cursor' });
  }
  const c = parsed as { v?: unknown; b?: unknown; q?: unknown };
  if (
    c.v !== 1 ||
    typeof c.b !== 'number' ||
    !Number.isInteger(c.b) ||
    c.b < 0 ||
    c.b > 0xffffffff ||
    typeof c.q !== 'string'
  ) {
    throw new QueryError('BAD_CURSOR', 'the cursor is not one this service issued', null, { path: 'cursor' });
  }
  if (c.q !== expectedQuery) {
    throw new QueryError('BAD_CURSOR', 'the cursor belongs to a different query', null, { path: 'cursor' });
  }
  return { before: c.b, query: c.q };
}
