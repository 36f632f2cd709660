import type { FieldIssue } from '../../platform/errors';
import type { EventLog, LogRecord } from '../../platform/ports/event-log';
import { TOPICS } from '../topics';

/** A record that could not be processed, kept with why, so it can be fixed and replayed. */
export interface DeadLetter {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  /** The original bytes, base64. */
  value: string;
  reason: string;
  issues?: FieldIssue[];
  /** When it was dead-lettered, ms since the epoch. */
  at: number;
}

export function deadLetterOf(
  record: LogRecord,
  reason: string,
  issues: FieldIssue[] | undefined,
  at: number,
): DeadLetter {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    value: record.value.toString('base64'),
    reason,
    ...(issues ? { issues } : {}),
    at,
  };
}

/** Appends dead letters to the dead-letter topic, keyed by their source topic. */
export async function publishDeadLetters(log: EventLog, letters: DeadLetter[]): Promise<void> {
  if (letters.length === 0) return;
  await log.produce(
    TOPICS.deadLetters,
    letters.map((d) => ({ key: d.topic, value: Buffer.from(JSON.stringify(d)) })),
  );
}
