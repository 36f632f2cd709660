import type {
  EntryOf,
  HashtagEntry,
  LocationEntry,
  SearchIndex,
  SuggestKind,
} from '../../platform/ports/search-index';
import { foldText } from '../../platform/text/fold-text';
import { IdBuffer } from '../engine/id-buffer';
import type { PostingIndex } from '../engine/posting-index';

export type Proximity = 'following' | 'second' | 'none';

export interface UserSuggestion {
  id: string;
  username: string;
  fullName: string;
  followerCount: number;
  proximity: Proximity;
}

export interface TypeaheadResult {
  users: UserSuggestion[];
  hashtags: HashtagEntry[];
  locations: LocationEntry[];
}

export interface TypeaheadOptions {
  search: SearchIndex;
  /** The current bitmap replica, for the viewer's follow graph. */
  index: () => PostingIndex;
}

/** Tiers up to this size are sent to the index as an id filter. */
const MAX_ID_FILTER = 5000;
/** How many overall matches a larger tier is filtered from. */
const WIDE_SCAN = 1000;

export interface TypeaheadRequest {
  q: string;
  viewer?: string;
  limit: number;
}

/**
 * The search box. Users rank as Unicorn's typeahead ranks them: people the
 * viewer follows, then people those follow, then everyone by follower
 * count. Each tier is its own suggest call restricted to the tier's ids, so
 * a close match with few followers is never crowded out by famous strangers.
 */
export class Typeahead {
  /** Reused by tiers(), which runs without yielding, so concurrent requests never share it mid-use. */
  private readonly scratch = new IdBuffer();

  constructor(private readonly options: TypeaheadOptions) {}

  async suggest(request: TypeaheadRequest): Promise<TypeaheadResult> {
    const raw = request.q.trim();
    const only = raw.startsWith('#') ? 'hashtags' : raw.startsWith('@') ? 'users' : undefined;
    const q = only ? raw.slice(1) : raw;
    const empty: TypeaheadResult = { users: [], hashtags: [], locations: [] };
    if (foldText(q) === '') return empty;
    const { search } = this.options;
    const wanted = (kind: SuggestKind) => only === undefined || only === kind;
    const [users, hashtags, locations] = await Promise.all([
      wanted('users') ? this.users(q, request) : [],
      wanted('hashtags') ? entries(search, 'hashtags', q, request.limit) : [],
      wanted('locations') ? entries(search, 'locations', q, request.limit) : [],
    ]);
    return { users, hashtags, locations };
  }

  private async users(q: string, request: TypeaheadRequest): Promise<UserSuggestion[]> {
    const { limit } = request;
    const out: UserSuggestion[] = [];
    const seen = new Set<string>();
    const take = (hits: { id: string; entry: EntryOf['users'] }[], proximity: Proximity) => {
      for (const h of hits) {
        if (out.length >= limit || seen.has(h.id)) continue;
        seen.add(h.id);
        out.push({ ...h.entry, proximity });
      }
    };
    const tiers = request.viewer === undefined ? undefined : this.tiers(request.viewer);
    for (const [proximity, tier] of tiers ?? []) {
      if (out.length < limit && tier.length > 0) take(await this.within(q, tier, limit), proximity);
    }
    // Ask for enough to fill the page even if every earlier hit comes back again.
    if (out.length < limit) {
      take(await this.options.search.suggest('users', q, { limit: limit + out.length }), 'none');
    }
    return out;
  }

  /**
   * Best matches among a tier's users (sorted dense ids). A small tier goes
   * to the index as an id filter; a huge one (thousands of friends of
   * friends) would cost more to send than to check, so the best overall
   * matches are filtered instead.
   */
  private async within(q: string, tier: Uint32Array, limit: number) {
    const index = this.options.index();
    if (tier.length <= MAX_ID_FILTER) {
      const onlyIds = new Array<string>(tier.length);
      for (let i = 0; i < tier.length; i++) onlyIds[i] = index.ids.user.external(tier[i]!);
      return this.options.search.suggest('users', q, { limit, onlyIds });
    }
    const hits = await this.options.search.suggest('users', q, { limit: WIDE_SCAN });
    return hits.filter((h) => {
      const dense = index.ids.user.get(h.id);
      return dense !== undefined && sortedHas(tier, dense);
    });
  }

  /**
   * The viewer's followees, and the people they follow (minus the viewer and
   * the first tier), as sorted dense ids: copies, so the replica may change
   * while the tiers are searched. The lists are read straight into one
   * reused buffer rather than as a bitmap per followee: those native
   * objects were most of each request's GC cost.
   */
  private tiers(viewer: string): [Proximity, Uint32Array][] | undefined {
    const index = this.options.index();
    const me = index.ids.user.get(viewer);
    if (me === undefined) return undefined;
    const buf = this.scratch;
    buf.clear();
    index.appendByDenseId('follows', me, buf);
    const following = buf.view().slice();
    buf.clear();
    for (let i = 0; i < following.length; i++) index.appendByDenseId('follows', following[i]!, buf);
    buf.sortUnique();
    const all = buf.view();
    let n = 0;
    for (let i = 0; i < all.length; i++) {
      const id = all[i]!;
      if (id !== me && !sortedHas(following, id)) all[n++] = id;
    }
    const second = all.slice(0, n);
    buf.clear();
    return [
      ['following', following],
      ['second', second],
    ];
  }
}

/** Binary search in ascending dense ids. */
function sortedHas(ids: Uint32Array, id: number): boolean {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo] === id;
}

async function entries<K extends 'hashtags' | 'locations'>(
  search: SearchIndex,
  kind: K,
  q: string,
  limit: number,
): Promise<EntryOf[K][]> {
  return (await search.suggest(kind, q, { limit })).map((h) => h.entry);
}
