import type { TermRef } from '../../query/engine/posting-index';
import { deltaSeq, type HashtagDelta } from '../hashtag-delta';
import { extractHashtags, type ExtractedHashtag } from '../hashtags/extract-hashtags';
import { KV } from '../kv-tables';
import { PostingChangeWriter } from '../postings/posting-change';
import type { LocationRecord, MediaRecord, UserRecord } from '../documents/records';
import type { BatchState } from './batch-state';
import type { IdAssigner } from './id-assigner';

/** Where the event being applied sits in POST_PUBLISH. */
export interface EventPosition {
  partition: number;
  offset: number;
  /** occurredAt, ms since the epoch. */
  at: number;
}

/**
 * What handlers share while applying one batch: the batch's KV view, the id
 * assigner, and the effects they accumulate (posting changes for the
 * bitmaps, hashtag deltas for the counters).
 */
export class ApplyContext {
  /** The batch's posting changes, encoded as they are made. */
  readonly postings = new PostingChangeWriter();
  readonly deltas: HashtagDelta[] = [];
  private deltaIndex = 0;
  position: EventPosition = { partition: 0, offset: 0, at: 0 };
  private readonly tagsByCaption = new Map<string, ExtractedHashtag[]>();

  constructor(
    readonly state: BatchState,
    readonly ids: IdAssigner,
  ) {}

  /** A caption's hashtags, extracted once per batch: the prefetch and the handler both need them. */
  hashtags(caption: string): ExtractedHashtag[] {
    let tags = this.tagsByCaption.get(caption);
    if (tags === undefined) {
      tags = extractHashtags(caption);
      this.tagsByCaption.set(caption, tags);
    }
    return tags;
  }

  /** Starts a new event: its deltas get seq numbers from its own offset. */
  begin(position: EventPosition): void {
    this.position = position;
    this.deltaIndex = 0;
  }

  add(term: TermRef, member: number): void {
    this.postings.add(term, member);
  }

  remove(term: TermRef, member: number): void {
    this.postings.remove(term, member);
  }

  delta(tag: string, postId: string, delta: 1 | -1, display?: string): void {
    const { partition, offset, at } = this.position;
    const seq = deltaSeq(offset, this.deltaIndex++);
    this.deltas.push({ tag, postId, delta, source: partition, seq, at, ...(display ? { display } : {}) });
  }

  /**
   * Whether the post may have a media record. Every record has a dense id (a
   * delete before its publish takes one too), so a post without one has none
   * and costs no read: the usual case for a publish.
   */
  mayHaveMedia(id: string): boolean {
    return this.ids.lookup('media', id) !== undefined;
  }

  /** The post's record as of this batch. */
  media(id: string): MediaRecord | undefined {
    return this.mayHaveMedia(id) ? this.state.peek<MediaRecord>(KV.media, id) : undefined;
  }

  /**
   * The user's record (prefetched), or a placeholder (known: false) that holds
   * its counters until the upsert arrives.
   */
  user(id: string): UserRecord {
    return (
      this.state.peek<UserRecord>(KV.users, id) ?? {
        id,
        username: '',
        fullName: '',
        isPrivate: false,
        followerCount: 0,
        followingCount: 0,
        mediaCount: 0,
        known: false,
        at: -1,
      }
    );
  }

  location(id: string): LocationRecord {
    return (
      this.state.peek<LocationRecord>(KV.locations, id) ?? {
        id,
        name: '',
        lat: null,
        lon: null,
        mediaCount: 0,
        known: false,
        at: -1,
      }
    );
  }
}
