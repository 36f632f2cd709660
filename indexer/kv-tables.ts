/** KV tables the indexer writes; the API and the scripts read them. */
export const KV = {
  users: 'users',
  locations: 'locations',
  media: 'media',
  /** `<followerId>:<followeeId>` → 1. */
  follows: 'follows',
  /** `<authorId>:<postId>` → 1, to propagate renames and privacy to an author's posts. */
  authorMedia: 'author_media',
  /** `<locationId>:<postId>` → 1, to propagate location renames. */
  locationMedia: 'location_media',
  /** usernameKey(username) → user id, for `@name` in searches. */
  usernames: 'usernames',
  hashtagNames: 'hashtag_names',
  hashtagCounts: 'hashtag_counts',
  hashtagTop: 'hashtag_top',
  /** `<space>:<dense, zero-padded>` → external id, in assignment order. */
  denseIds: 'dense_ids',
  /** eventId → where it was first seen; drops duplicate publishes. */
  eventIds: 'event_ids',
  /** `<consumer>:<topic>:<partition>` → next offset; written in the same batch as the state it covers. */
  checkpoints: 'checkpoints',
} as const;

export function checkpointKey(consumer: string, topic: string, partition: number): string {
  return `${consumer}:${topic}:${partition}`;
}

/** Usernames match case-insensitively. */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
