import { ValidationError } from '../../errors';
import type { IndexKind } from '../../ports/search-index';

/** Lower case, and no character Elasticsearch refuses in an index name. */
const PREFIX = /^(?:[a-z0-9][a-z0-9._-]*)?$/;
const MAX_PREFIX_LENGTH = 200;

/**
 * Names of one deployment's indices: readers and writers use the alias
 * `<prefix><kind>`, which points at one physical `<prefix><kind>_v<n>`.
 */
export class IndexNames {
  readonly prefix: string;

  constructor(prefix = '') {
    if (typeof prefix !== 'string' || !PREFIX.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
      throw new ValidationError(
        'indexPrefix must be lower-case letters, digits, ".", "_" or "-", not starting with a symbol',
        [{ field: 'indexPrefix', reason: `not a valid index name prefix (at most ${MAX_PREFIX_LENGTH})` }],
      );
    }
    this.prefix = prefix;
  }

  alias(kind: IndexKind): string {
    return `${this.prefix}${kind}`;
  }

  physical(kind: IndexKind, version: number): string {
    return `${this.prefix}${kind}_v${version}`;
  }

  /** The version of a physical index name of `kind`, or undefined for any other name. */
  versionOf(kind: IndexKind, name: string): number | undefined {
    const head = `${this.prefix}${kind}_v`;
    if (!name.startsWith(head)) return undefined;
    const digits = name.slice(head.length);
    if (!/^[1-9][0-9]{0,8}$/.test(digits)) return undefined;
    return Number(digits);
  }
}
