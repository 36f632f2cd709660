import type { IndexFailure, SearchEntry, SuggestKind } from './search-index';

/** Elasticsearch refuses longer document ids; every adapter refuses them alike. */
export const MAX_ID_BYTES = 512;

interface KindFields {
  id: string;
  names: readonly string[];
  count: string;
}

const FIELDS: Record<SuggestKind, KindFields> = {
  users: { id: 'id', names: ['username', 'fullName'], count: 'followerCount' },
  hashtags: { id: 'tag', names: ['displayName'], count: 'totalPosts' },
  locations: { id: 'id', names: ['name'], count: 'mediaCount' },
};

export const isSuggestKind = (kind: unknown): kind is SuggestKind =>
  kind === 'users' || kind === 'hashtags' || kind === 'locations';

export type Prepared = { ok: true; entry: SearchEntry } | { ok: false; failure: IndexFailure };

/**
 * Checks one upsert input and copies the port's fields into a frozen entry
 * (extra fields dropped, later caller mutations not seen). Ids are non-empty
 * strings of at most 512 UTF-8 bytes, names strings (empty is allowed and
 * matches nothing), counts non-negative integers.
 */
export function prepareSearchEntry(raw: unknown): Prepared {
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as { kind?: unknown; entry?: unknown };
  const kind = input.kind;
  if (!isSuggestKind(kind)) {
    return fail(String(kind), '', `kind must be one of users, hashtags, locations`);
  }
  const fields = FIELDS[kind];
  if (typeof input.entry !== 'object' || input.entry === null) {
    return fail(kind, '', 'entry must be an object');
  }
  const e = input.entry as Record<string, unknown>;
  const id = e[fields.id];
  const reasons: string[] = [];
  if (typeof id !== 'string' || id === '') reasons.push(`${fields.id} must be a non-empty string`);
  else if (id.length * 3 > MAX_ID_BYTES && Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) {
    reasons.push(`${fields.id} must be at most ${MAX_ID_BYTES} UTF-8 bytes`);
  }
  for (const name of fields.names) {
    if (typeof e[name] !== 'string') reasons.push(`${name} must be a string`);
  }
  const count = e[fields.count];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
    reasons.push(`${fields.count} must be a non-negative integer (got ${describe(count)})`);
  }
  const idText = typeof id === 'string' ? id : '';
  if (reasons.length > 0) return fail(kind, idText, reasons.join('; '));

  switch (kind) {
    case 'users':
      return ok({
        kind,
        entry: Object.freeze({
          id: idText,
          username: e.username as string,
          fullName: e.fullName as string,
          followerCount: count as number,
        }),
      });
    case 'hashtags':
      return ok({
        kind,
        entry: Object.freeze({
          tag: idText,
          displayName: e.displayName as string,
          totalPosts: count as number,
        }),
      });
    case 'locations':
      return ok({
        kind,
        entry: Object.freeze({ id: idText, name: e.name as string, mediaCount: count as number }),
      });
  }
}

const ok = (entry: SearchEntry): Prepared => ({ ok: true, entry });

const fail = (kind: string, id: string, reason: string): Prepared => ({
  ok: false,
  failure: { kind: kind as SuggestKind, id, reason },
});

function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
