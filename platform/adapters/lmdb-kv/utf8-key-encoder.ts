/**
 * Keys stored as their raw UTF-8 bytes, so LMDB's memcmp order is UTF-8 byte
 * order. lmdb's default ordered-binary encoding escapes strings starting with
 * a control character and cannot hold '\0', which would break both.
 */
export const utf8KeyEncoder = {
  writeKey(key: string, target: Buffer, start: number): number {
    return start + target.write(key, start, 'utf8');
  },
  readKey(source: Buffer, start: number, end: number): string {
    return source.toString('utf8', start, end);
  },
};

/** LMDB's limit with the default page size (lmdb-js caps it there unless pageSize is set). */
export const LMDB_MAX_KEY_BYTES = 1978;
