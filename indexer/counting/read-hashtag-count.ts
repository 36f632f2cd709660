import type { KvStore } from '../../platform/ports/kv-store';
import { KV } from '../kv-tables';

/** A row of `hashtag_counts`: the absolute number of live posts carrying the tag. */
export interface HashtagCountRecord {
  tag: string;
  count: number;
  /** ISO 8601, when the count last changed. */
  updatedAt: string;
}

/** The tag's post count as of the counter's last flush; 0 for a tag never counted. */
export async function readHashtagCount(kv: KvStore, tag: string): Promise<number> {
  const row = await kv.get<HashtagCountRecord>(KV.hashtagCounts, tag);
  return row?.count ?? 0;
}
