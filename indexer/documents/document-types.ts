/** The four denormalized documents. Ids are external decimal strings. */
export interface UserDoc {
  id: string;
  username: string;
  fullName: string;
  isPrivate: boolean;
  followerCount: number;
  followingCount: number;
  mediaCount: number;
}

export interface LocationDoc {
  id: string;
  name: string;
  lat: number | null;
  lon: number | null;
  mediaCount: number;
}

export interface MediaDoc {
  id: string;
  authorId: string;
  /** Null until the author's user.upserted arrives. */
  authorUsername: string | null;
  caption: string;
  imageUrl: string;
  /** Hashtag keys, in order of first appearance. */
  tags: string[];
  locationId: string | null;
  locationName: string | null;
  createdAt: string;
}

export interface TopPost {
  id: string;
  imageUrl: string;
}

/** The hashtag-page document: about 16 KB at 100 top posts. */
export interface HashtagDoc {
  tag: string;
  displayName: string;
  totalPosts: number;
  topPosts: TopPost[];
}

export const MAX_TOP_POSTS = 100;
