import type { KvScanOptions } from '../../ports/kv-store';
import { ValidationError } from '../../errors';

/** Table names become LMDB sub-database and SQL table names, so keep them to a safe alphabet. */
const TABLE_NAME = /^[a-z0-9_]{1,48}$/;
/** In `u` mode a well-formed surrogate pair is one code point, so this only matches lone halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function validateTable(table: unknown, field = 'table'): string {
  if (typeof table !== 'string' || !TABLE_NAME.test(table)) {
    throw new ValidationError(`invalid table name ${JSON.stringify(table)}`, [
      { field, reason: 'must match [a-z0-9_]{1,48}' },
    ]);
  }
  return table;
}

/**
 * Keys are compared as UTF-8 bytes, so a lone surrogate (which UTF-8 cannot
 * represent and would silently become U+FFFD) is refused rather than aliased.
 */
export function validateKey(key: unknown, maxKeyBytes: number, field = 'key'): string {
  if (typeof key !== 'string') {
    throw new ValidationError(`key must be a string, got ${typeof key}`, [{ field, reason: 'not a string' }]);
  }
  if (key.length === 0) throw new ValidationError('key must not be empty', [{ field, reason: 'empty' }]);
  if (LONE_SURROGATE.test(key)) {
    throw new ValidationError('key contains a lone surrogate', [
      { field, reason: 'not well-formed UTF-16 (lone surrogate)' },
    ]);
  }
  if (key.length * 3 > maxKeyBytes) {
    const bytes = Buffer.byteLength(key, 'utf8');
    if (bytes > maxKeyBytes) {
      throw new ValidationError(`key is ${bytes} bytes, the store allows at most ${maxKeyBytes}`, [
        { field, reason: `longer than ${maxKeyBytes} UTF-8 bytes` },
      ]);
    }
  }
  return key;
}

export function validateKeys(keys: unknown, maxKeyBytes: number): string[] {
  if (!Array.isArray(keys)) {
    throw new ValidationError('keys must be an array', [{ field: 'keys', reason: 'not an array' }]);
  }
  for (let i = 0; i < keys.length; i++) validateKey(keys[i], maxKeyBytes, `keys[${i}]`);
  return keys as string[];
}

export interface ScanBounds {
  prefix: string;
  /** Where the cursor starts: the later (in byte order) of `prefix` and `after`. */
  start: string;
  /** True when `start` is `after`, which is itself excluded. */
  exclusive: boolean;
  limit: number;
}

/** Bounds are well-formed strings no longer than a key; an empty prefix or `after` means "from the start". */
export function validateScanOptions(options: KvScanOptions | undefined, maxKeyBytes: number): ScanBounds {
  const { prefix = '', after, limit = Number.POSITIVE_INFINITY } = options ?? {};
  for (const [field, value] of [
    ['prefix', prefix],
    ['after', after],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'string' || LONE_SURROGATE.test(value)) {
      throw new ValidationError(`scan ${field} must be a well-formed string`, [
        { field, reason: 'not a well-formed string' },
      ]);
    }
    if (Buffer.byteLength(value, 'utf8') > maxKeyBytes) {
      throw new ValidationError(`scan ${field} is longer than any key can be`, [
        { field, reason: `longer than ${maxKeyBytes} UTF-8 bytes` },
      ]);
    }
  }
  if (limit !== Number.POSITIVE_INFINITY && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new ValidationError(`scan limit must be a non-negative integer, got ${String(limit)}`, [
      { field: 'limit', reason: 'not a non-negative integer' },
    ]);
  }
  const afterWins = after !== undefined && Buffer.compare(Buffer.from(after), Buffer.from(prefix)) >= 0;
  return afterWins
    ? { prefix, start: after, exclusive: true, limit }
    : { prefix, start: prefix, exclusive: false, limit };
}
