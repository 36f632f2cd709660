import type { MediaRecord } from '../../indexer/documents/records';
import { KV, usernameKey } from '../../indexer/kv-tables';
import type { KvStore } from '../../platform/ports/kv-store';
import type { CheckedQuery } from '../engine/check-query';
import type { QueryNode } from '../engine/query-ast';
import { QueryError } from '../engine/query-error';
import type { QueryEngine } from '../engine/query-engine';
import { isEngineQuery, parseSearchBox } from './search-box-query';

export interface MediaItem {
  id: string;
  imageUrl: string;
  authorId: string;
  createdAt: string;
}

export interface MediaPage {
  total: number;
  items: MediaItem[];
  nextCursor: string | null;
}

export interface MediaSearchRequest {
  /** Search-box syntax or the engine's language; or `ast` instead. */
  q?: string;
  ast?: unknown;
  viewer?: string;
  limit: number;
  cursor?: string;
}

export interface MediaSearchOptions {
  kv: KvStore;
  /** The engine over the current bitmap replica. */
  engine: () => QueryEngine;
}

const EMPTY: MediaPage = { total: 0, items: [], nextCursor: null };

/**
 * Set-operation search over media: the query, intersected with what the
 * viewer may see, newest first, hydrated from the media documents.
 */
export class MediaSearch {
  constructor(private readonly options: MediaSearchOptions) {}

  async search(request: MediaSearchRequest): Promise<MediaPage> {
    const engine = this.options.engine();
    const query =
      request.ast !== undefined ? engine.fromAst(request.ast) : await this.parse(engine, request.q ?? '');
    if (query === undefined) return EMPTY;
    if (query.type !== 'media') {
      throw new QueryError(
        'TYPE_MISMATCH',
        'a media search needs a media query, not a set of users',
        query.root.pos ?? null,
        { path: '(root)' },
      );
    }
    const visible = engine.evaluate(engine.check(visibleTo(request.viewer)));
    try {
      const page = engine.search(query, {
        limit: request.limit,
        cursor: request.cursor,
        restrictTo: visible,
      });
      const records = await this.options.kv.getMany<MediaRecord>(KV.media, page.ids);
      const items: MediaItem[] = [];
      for (const rec of records) {
        // The replica can be a moment ahead of the documents; skip rather than fail.
        if (rec && !rec.deleted) {
          const { id, imageUrl, authorId, createdAt } = rec.doc;
          items.push({ id, imageUrl, authorId, createdAt });
        }
      }
      return { total: page.total, items, nextCursor: page.nextCursor };
    } finally {
      visible.dispose();
    }
  }

  /** Parses either syntax; undefined when a required @user does not exist (an empty result). */
  private async parse(engine: QueryEngine, q: string): Promise<CheckedQuery | undefined> {
    if (isEngineQuery(q)) return engine.parse(q);
    const tokens = parseSearchBox(q);
    const names = tokens.filter((t) => t.kind === 'user').map((t) => usernameKey(t.value));
    const ids = await this.options.kv.getMany<string>(KV.usernames, names);
    const idOf = new Map(names.map((n, i) => [n, ids[i]]));
    const args: QueryNode[] = [];
    for (const t of tokens) {
      let node: QueryNode;
      if (t.kind === 'tag') node = { op: 'term', kind: 'tag', value: t.value, pos: t.pos };
      else {
        const id = idOf.get(usernameKey(t.value));
        if (id === undefined) {
          if (t.negated) continue;
          return undefined;
        }
        node = { op: 'term', kind: 'author', value: id, pos: t.pos };
      }
      args.push(t.negated ? { op: 'not', arg: node, pos: t.pos } : node);
    }
    if (!args.some((a) => a.op !== 'not')) args.push({ op: 'term', kind: 'is', value: 'live' });
    return engine.check(args.length === 1 ? args[0]! : { op: 'and', args });
  }
}

/**
 * Media a viewer may see: public posts, their own, and those of accounts
 * they follow (the only way to see a private account's posts).
 */
function visibleTo(viewer: string | undefined): QueryNode {
  const pub: QueryNode = { op: 'term', kind: 'is', value: 'public' };
  if (viewer === undefined) return pub;
  return {
    op: 'or',
    args: [
      pub,
      { op: 'term', kind: 'author', value: viewer },
      { op: 'apply', kind: 'author', arg: { op: 'term', kind: 'follows', value: viewer } },
    ],
  };
}
