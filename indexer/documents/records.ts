import type { LocationDoc, MediaDoc, TopPost, UserDoc } from './document-types';

/**
 * What the KV store holds. A user or location can be referenced (by a post or
 * a follow) before its upsert arrives: it is then stored with `known: false`
 * so its counters have a home, and the upsert fills in the rest.
 */
export interface UserRecord extends UserDoc {
  known: boolean;
  /** POST_PUBLISH offset of the last upsert applied (-1: none); older ones replayed later are ignored. */
  at: number;
}

export interface LocationRecord extends LocationDoc {
  known: boolean;
  /** Offset of the last upsert applied (-1: none). */
  at: number;
}

export type MediaRecord =
  /** `at`: offset of the last event applied to the post, so a replayed older edit is ignored. */
  | { id: string; deleted: false; dense: number; at: number; doc: MediaDoc }
  /** A tombstone: the post was deleted (possibly before its publish arrived, which is then ignored). */
  | { id: string; deleted: true; deletedAt: string };

export interface HashtagNameRecord {
  tag: string;
  /** The first-seen spelling. */
  displayName: string;
}

/** A follow edge, kept after removal so that a replayed older add is ignored. */
export interface FollowRecord {
  on: boolean;
  at: number;
}

/**
 * A curated top list from the ranking team, hydrated with image URLs. Only
 * the curated-top consumer writes it; readers drop posts deleted since.
 */
export interface CuratedTopRecord {
  tag: string;
  posts: TopPost[];
  updatedAt: string;
}
