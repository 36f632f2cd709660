import { ValidationError, type FieldIssue } from '../../platform/errors';
import { describeValue } from './describe-value';
import { fastParseEvent } from './fast-parse-event';
import { eventErrorMap, toFieldIssues } from './field-issues';
import { uploadEventSchema, type UploadEvent } from './upload-event';

export type SafeParseEventResult = { ok: true; event: UploadEvent } | { ok: false; issues: FieldIssue[] };

function check(input: unknown, prefix: string): SafeParseEventResult {
  const event = fastParseEvent(input);
  if (event !== undefined) return { ok: true, event };
  // A per-call error map halves zod's speed, so it is only used to word the failures.
  const fast = uploadEventSchema.safeParse(input);
  if (fast.success) return { ok: true, event: fast.data };
  const result = uploadEventSchema.safeParse(input, { error: eventErrorMap });
  if (result.success) return { ok: true, event: result.data };
  return { ok: false, issues: toFieldIssues(result.error.issues, prefix) };
}

/** Validates without throwing; issues name the field and the reason. */
export function safeParseEvent(input: unknown): SafeParseEventResult {
  return check(input, '');
}

/** Validates one event; throws ValidationError('invalid event', issues) naming every bad field. */
export function parseEvent(input: unknown): UploadEvent {
  const result = check(input, '');
  if (!result.ok) throw new ValidationError('invalid event', result.issues);
  return result.event;
}

/**
 * Validates a batch all-or-nothing. Every failing event is reported, its
 * fields prefixed with its index (`[3].post.id`), so one pass fixes them all.
 */
export function parseEvents(input: readonly unknown[]): UploadEvent[] {
  if (!Array.isArray(input)) {
    throw new ValidationError('invalid events', [
      { field: '', reason: `must be an array of events, got ${describeValue(input)}` },
    ]);
  }
  const events: UploadEvent[] = [];
  const issues: FieldIssue[] = [];
  let failed = 0;
  // An index loop, not forEach, so holes in sparse arrays are reported too.
  for (let i = 0; i < input.length; i++) {
    const result = check(input[i], `[${i}]`);
    if (result.ok) {
      events.push(result.event);
    } else {
      failed++;
      issues.push(...result.issues);
    }
  }
  if (failed > 0) throw new ValidationError(`invalid events: ${failed} of ${input.length} failed`, issues);
  return events;
}
