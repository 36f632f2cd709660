import type {
  EntryOf,
  HashtagEntry,
  LocationEntry,
  SearchIndex,
  SuggestKind,
} from '../../platform/ports/search-index';
import { foldText } from '../../platform/text/fold-text';
import type { PostingIndex } from '../engine/posting-index';
import { RoaringBitmap32 } from 'roaring';

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
    try {
      for (const [proximity, tier] of tiers ?? []) {
        if (out.length < limit && tier.size > 0) take(await this.within(q, tier, limit), proximity);
      }
    } finally {
      for (const [, tier] of tiers ?? []) tier.dispose();
    }
    // Ask for enough to fill the page even if every earlier hit comes back again.
    if (out.length < limit) {
      take(await this.options.search.suggest('users', q, { limit: limit + out.length }), 'none');
    }
    return out;
  }

  /**
   * Best matches among a tier's users. A small tier goes to the index as an
   * id filter; a huge one (thousands of friends of friends) would cost more
   * to send than to check, so the best overall matches are filtered instead.
   */
  private async within(q: string, tier: RoaringBitmap32, limit: number) {
    const index = this.options.index();
    if (tier.size <= MAX_ID_FILTER) {
      const onlyIds = Array.from(tier, (d) => index.ids.user.external(d));
      return this.options.search.suggest('users', q, { limit, onlyIds });
    }
    const hits = await this.options.search.suggest('users', q, { limit: WIDE_SCAN });
    return hits.filter((h) => {
      const dense = index.ids.user.get(h.id);
      return dense !== undefined && tier.has(dense);
    });
  }

  /** The viewer's followees, and the people they follow (minus the viewer and the first tier). */
  private tiers(viewer: string): [Proximity, RoaringBitmap32][] | undefined {
    const index = this.options.index();
    const me = index.ids.user.get(viewer);
    if (me === undefined) return undefined;
    const following = index.byDenseId('follows', me).clone();
    const second = new RoaringBitmap32();
    for (const f of following) second.orInPlace(index.byDenseId('follows', f));
    second.andNotInPlace(following);
    second.remove(me);
    return [
      ['following', following],
      ['second', second],
    ];
  }
}

async function entries<K extends 'hashtags' | 'locations'>(
  search: SearchIndex,
  kind: K,
  q: string,
  limit: number,
): Promise<EntryOf[K][]> {
  return (await search.suggest(kind, q, { limit })).map((h) => h.entry);
}
