import { ValidationError } from '../../errors';

/** Kafka's legal topic alphabet. */
const TOPIC_ALPHABET = /^[A-Za-z0-9._-]*$/;
const MAX_TOPIC_LENGTH = 249;
const MAX_GROUP_LENGTH = 255;

/**
 * Maps the port's logical topic names and group ids to names on the broker:
 * `<prefix><name>`, so several deployments or test runs can share a cluster.
 */
export class KafkaNames {
  constructor(
    readonly topicPrefix: string,
    readonly groupIdPrefix: string,
  ) {
    if (!TOPIC_ALPHABET.test(topicPrefix) || topicPrefix.length >= MAX_TOPIC_LENGTH) {
      throw new ValidationError(`invalid topicPrefix ${JSON.stringify(topicPrefix)}`, [
        { field: 'topicPrefix', reason: `must match [A-Za-z0-9._-]{0,${MAX_TOPIC_LENGTH - 1}}` },
      ]);
    }
    if (groupIdPrefix.length >= MAX_GROUP_LENGTH) {
      throw new ValidationError('groupIdPrefix is too long', [
        { field: 'groupIdPrefix', reason: `must be shorter than ${MAX_GROUP_LENGTH} characters` },
      ]);
    }
  }

  /** Validates a logical topic name and returns the broker's name for it. */
  topic(topic: unknown, field = 'topic'): string {
    const physical = `${this.topicPrefix}${String(topic)}`;
    if (
      typeof topic !== 'string' ||
      topic.length === 0 ||
      !TOPIC_ALPHABET.test(topic) ||
      physical.length > MAX_TOPIC_LENGTH ||
      /^\.+$/.test(physical)
    ) {
      throw new ValidationError(`invalid ${field} ${JSON.stringify(topic)}`, [
        {
          field,
          reason: `must match [A-Za-z0-9._-]+, not be only dots, and be at most ${MAX_TOPIC_LENGTH} characters with the prefix`,
        },
      ]);
    }
    // Kafka keeps its own topics (__consumer_offsets, __transaction_state) under this prefix.
    if (topic.startsWith('__')) {
      throw new ValidationError(`topic ${JSON.stringify(topic)} uses the reserved prefix __`, [
        { field, reason: 'names starting with __ are reserved' },
      ]);
    }
    return physical;
  }

  /** The logical name of a broker topic this adapter created. */
  logicalTopic(physical: string): string {
    return physical.slice(this.topicPrefix.length);
  }

  groupId(groupId: unknown, field = 'groupId'): string {
    if (typeof groupId !== 'string' || groupId.length === 0) {
      throw new ValidationError(`invalid ${field} ${JSON.stringify(groupId)}`, [
        { field, reason: 'must be a non-empty string' },
      ]);
    }
    const physical = `${this.groupIdPrefix}${groupId}`;
    if (physical.length > MAX_GROUP_LENGTH) {
      throw new ValidationError(`${field} is too long`, [
        { field, reason: `at most ${MAX_GROUP_LENGTH} characters with the prefix` },
      ]);
    }
    return physical;
  }
}
