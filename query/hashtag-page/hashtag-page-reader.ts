import { RoaringBitmap32, type ReadonlyRoaringBitmap32 } from 'roaring';
import { ValidationError } from '../../platform/errors';
import type { KvStore } from '../../platform/ports/kv-store';
import type { HashtagCountRecord } from '../../indexer/counting/read-hashtag-count';
import { MAX_TOP_POSTS, type HashtagDoc, type TopPost } from '../../indexer/documents/document-types';
import type { CuratedTopRecord, HashtagNameRecord, MediaRecord } from '../../indexer/documents/records';
import { normalizeHashtag } from '../../indexer/hashtags/normalize-hashtag';
import { KV } from '../../indexer/kv-tables';
import type { PostingIndex } from '../engine/posting-index';

export interface HashtagPageReaderOptions {
  kv: KvStore;
  /** The current bitmap replica (a getter: a restored snapshot replaces it). */
  index: () => PostingIndex;
}

/**
 * Assembles the hashtag-page document from what each writer keeps: the
 * first-seen spelling (index consumer), the count (counting worker), and the
 * top posts, either the ranking team's curated list or, by default, the 100
 * newest public posts in the tag's posting list. Posts deleted or made
 * private since a curated list arrived are dropped here, so no list shows
 * them whichever writer ran last.
 */
export class HashtagPageReader {
  constructor(private readonly options: HashtagPageReaderOptions) {}

  /** The canonical key of a page name, or a ValidationError naming the field. */
  static keyOf(name: string): string {
    const key = normalizeHashtag(name);
    if (key === '') {
      throw new ValidationError('not a hashtag name', [
        {
          field: 'name',
          reason: 'must be letters, combining marks, numbers and _, with at least one letter',
        },
      ]);
    }
    return key;
  }

  /** The page for a raw name, or undefined for a tag never seen. */
  async read(name: string): Promise<HashtagDoc | undefined> {
    const tag = HashtagPageReader.keyOf(name);
    const { kv } = this.options;
    const [nameRecord, countRecord, curated] = await Promise.all([
      kv.get<HashtagNameRecord>(KV.hashtagNames, tag),
      kv.get<HashtagCountRecord>(KV.hashtagCounts, tag),
      kv.get<CuratedTopRecord>(KV.hashtagTop, tag),
    ]);
    if (!nameRecord) return undefined;
    const index = this.options.index();
    const visible = index.universe('public');
    const topPosts = curated ? visibleCurated(index, visible, curated.posts) : await this.newest(index, tag);
    return {
      tag,
      displayName: nameRecord.displayName,
      totalPosts: countRecord?.count ?? 0,
      topPosts,
    };
  }

  /** The default ranker: newest first is highest dense id first. */
  private async newest(index: PostingIndex, tag: string): Promise<TopPost[]> {
    const result = RoaringBitmap32.and(index.tag(tag), index.universe('public'));
    const count = Math.min(MAX_TOP_POSTS, result.size);
    const dense =
      count === 0
        ? []
        : Array.from(result.rangeUint32Array(new Uint32Array(count), result.size - count, count));
    result.dispose();
    const ids = dense.reverse().map((d) => index.ids.media.external(d));
    const records = await this.options.kv.getMany<MediaRecord>(KV.media, ids);
    const posts: TopPost[] = [];
    records.forEach((rec, i) => {
      // A replica can run ahead of the documents for the moment between a batch's two writes.
      if (rec && !rec.deleted) posts.push({ id: ids[i]!, imageUrl: rec.doc.imageUrl });
    });
    return posts;
  }
}

function visibleCurated(index: PostingIndex, visible: ReadonlyRoaringBitmap32, posts: TopPost[]): TopPost[] {
  return posts.filter((p) => {
    const dense = index.ids.media.get(p.id);
    return dense !== undefined && visible.has(dense);
  });
}
