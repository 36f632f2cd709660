import path from 'node:path';
import { ValidationError } from '../../errors';

/** Kafka's legal topic alphabet; it is also safe as a file name. */
const NAME = /^[A-Za-z0-9._-]+$/;
const MAX_TOPIC_LENGTH = 249;
const MAX_GROUP_LENGTH = 200;
const SEGMENT_FILE = /^(\d{20})\.log$/;

export const GROUPS_DIR = '__groups';
export const TOPIC_META_FILE = 'topic.json';

function validateName(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string' || !NAME.test(value) || value.length > maxLength || /^\.+$/.test(value)) {
    throw new ValidationError(`invalid ${field} ${JSON.stringify(value)}`, [
      { field, reason: `must match [A-Za-z0-9._-]{1,${maxLength}} and not be only dots` },
    ]);
  }
  return value;
}

/** Topic names become directory names; a leading `__` is reserved for the log's own files. */
export function validateTopicName(topic: unknown, field = 'topic'): string {
  const name = validateName(topic, field, MAX_TOPIC_LENGTH);
  if (name.startsWith('__')) {
    throw new ValidationError(`topic ${JSON.stringify(name)} uses the reserved prefix __`, [
      { field, reason: 'names starting with __ are reserved' },
    ]);
  }
  return name;
}

/** Group ids become file names under `__groups`. */
export function validateGroupId(groupId: unknown, field = 'groupId'): string {
  return validateName(groupId, field, MAX_GROUP_LENGTH);
}

/** `<base offset, 20 digits>.log`, so names sort in offset order. */
export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = SEGMENT_FILE.exec(name);
  if (!match) return undefined;
  const base = Number(match[1]);
  return Number.isSafeInteger(base) ? base : undefined;
}

export function partitionDir(root: string, topic: string, partition: number): string {
  return path.join(root, topic, String(partition));
}
