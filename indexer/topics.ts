/** Topic names, shared by every process and both modes. */
export const TOPICS = {
  /** Upload events from the post service, keyed by the entity id (post, user, follower, location). */
  postPublish: 'POST_PUBLISH',
  /** `{ tag, postId, delta }`, keyed by hashtag: the counting workers' input. */
  postHashtag: 'POST_HASHTAG',
  /** Curated top posts from the ranking team, keyed by hashtag. */
  hashtagTop: 'HASHTAG_TOP',
  /** Posting-list changes, in the index consumer's order; bitmap replicas follow it. */
  postings: 'POSTINGS',
  /** Records that could not be processed, with the reason. */
  deadLetters: 'DEAD_LETTERS',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export interface TopicPartitions {
  postPublish: number;
  postHashtag: number;
  hashtagTop: number;
}

export const defaultPartitions: TopicPartitions = { postPublish: 4, postHashtag: 4, hashtagTop: 1 };

/** Creates every topic the pipeline uses, where missing. POSTINGS has one partition: replicas need one total order. */
export async function ensureTopics(
  log: { ensureTopic(topic: string, options: { partitions: number }): Promise<void> },
  partitions: TopicPartitions = defaultPartitions,
): Promise<void> {
  await log.ensureTopic(TOPICS.postPublish, { partitions: partitions.postPublish });
  await log.ensureTopic(TOPICS.postHashtag, { partitions: partitions.postHashtag });
  await log.ensureTopic(TOPICS.hashtagTop, { partitions: partitions.hashtagTop });
  await log.ensureTopic(TOPICS.postings, { partitions: 1 });
  await log.ensureTopic(TOPICS.deadLetters, { partitions: 1 });
}
