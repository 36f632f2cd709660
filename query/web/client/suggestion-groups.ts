import type { TypeaheadResult } from './api-client.js';
import { formatCount } from './format-count.js';
import { searchPath, tagPath } from './router.js';

export interface SuggestionTarget {
  primary: string;
  secondary: string;
  /** The page a pick opens. */
  path: string;
}

export interface SuggestionGroup {
  key: 'people' | 'hashtags' | 'places';
  label: string;
  items: SuggestionTarget[];
}

const PROXIMITY_LABEL = { following: 'Following', second: 'In your network', none: '' } as const;

function plural(n: number, one: string, many: string): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** Typeahead matches as labelled, linkable groups, in the order the search box shows them. */
export function suggestionGroups(result: TypeaheadResult): SuggestionGroup[] {
  return [
    {
      key: 'people',
      label: 'People',
      items: result.users.map((u) => ({
        primary: `@${u.username}`,
        secondary: [
          u.fullName,
          plural(u.followerCount, 'follower', 'followers'),
          PROXIMITY_LABEL[u.proximity],
        ]
          .filter(Boolean)
          .join(' · '),
        path: searchPath(`@${u.username}`),
      })),
    },
    {
      key: 'hashtags',
      label: 'Hashtags',
      items: result.hashtags.map((h) => ({
        primary: `#${h.displayName}`,
        secondary: plural(h.totalPosts, 'post', 'posts'),
        path: tagPath(h.tag),
      })),
    },
    {
      key: 'places',
      label: 'Places',
      items: result.locations.map((l) => ({
        primary: l.name,
        secondary: plural(l.mediaCount, 'post', 'posts'),
        path: searchPath(`loc:${l.id}`),
      })),
    },
  ];
}
