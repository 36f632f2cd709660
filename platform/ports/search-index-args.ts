import { ValidationError } from '../errors';
import { isSuggestKind } from './prepare-search-entry';
import type { SuggestKind, SuggestOptions } from './search-index';

/** The most hits one suggest call may ask for, in every adapter. */
export const MAX_SUGGEST_LIMIT = 1000;

export function requireString(value: unknown, field: string): void {
  if (typeof value !== 'string') {
    throw new ValidationError(`${field} must be a string`, [{ field, reason: 'not a string' }]);
  }
}

export function requireSuggestKind(kind: unknown): asserts kind is SuggestKind {
  if (!isSuggestKind(kind)) {
    throw new ValidationError(`unknown kind ${JSON.stringify(kind)}`, [
      { field: 'kind', reason: 'must be users, hashtags or locations' },
    ]);
  }
}

/** The ids of a `remove` call. */
export function requireIds(ids: unknown): asserts ids is string[] {
  if (!Array.isArray(ids)) {
    throw new ValidationError('ids must be an array', [{ field: 'ids', reason: 'not an array' }]);
  }
  ids.forEach((id, i) => requireString(id, `ids[${i}]`));
}

/** Checks a suggest call's arguments the same way in every adapter, so all refuse the same calls. */
export function checkSuggestArgs(query: unknown, options: unknown): SuggestOptions {
  requireString(query, 'query');
  const { limit, onlyIds } = (options ?? {}) as Partial<SuggestOptions>;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_SUGGEST_LIMIT) {
    throw new ValidationError(`limit must be an integer from 1 to ${MAX_SUGGEST_LIMIT}`, [
      { field: 'limit', reason: `not an integer in 1..${MAX_SUGGEST_LIMIT}` },
    ]);
  }
  if (onlyIds !== undefined) {
    if (!Array.isArray(onlyIds)) {
      throw new ValidationError('onlyIds must be an array', [{ field: 'onlyIds', reason: 'not an array' }]);
    }
    for (let i = 0; i < onlyIds.length; i++) {
      if (typeof onlyIds[i] !== 'string') requireString(onlyIds[i], `onlyIds[${i}]`);
    }
  }
  return { limit, onlyIds };
}
