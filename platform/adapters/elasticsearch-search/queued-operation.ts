import { ValidationError } from '../../errors';
import type { WriteGroup } from './write-group';

/** One write for the bulk layer: index (create or replace) a document, or delete it. */
export type BulkOperation =
  | {
      action: 'index';
      /** An alias or a physical index. */
      index: string;
      id: string;
      document: object;
      /** Refuse the write unless `index` is an alias, instead of auto-creating an index of that name. */
      requireAlias?: boolean;
    }
  | { action: 'delete'; index: string; id: string };

/** An operation in the bulk writer: serialised once, keyed by index and id. */
export interface QueuedOperation {
  seq: number;
  key: string;
  op: BulkOperation;
  action: { index: object } | { delete: object };
  body: string | undefined;
  bytes: number;
  group: WriteGroup | undefined;
  settled: boolean;
}

/** Checks one operation and serialises its document once: the helper sends the string as is. */
export function prepareOperation(op: BulkOperation, i: number): QueuedOperation {
  const bad = (field: string, reason: string) =>
    new ValidationError(`ops[${i}].${field} ${reason}`, [{ field: `ops[${i}].${field}`, reason }]);
  if (typeof op !== 'object' || op === null) throw bad('action', 'operation must be an object');
  if (op.action !== 'index' && op.action !== 'delete') throw bad('action', 'must be index or delete');
  if (typeof op.index !== 'string' || op.index === '') throw bad('index', 'must be a non-empty string');
  if (typeof op.id !== 'string' || op.id === '') throw bad('id', 'must be a non-empty string');
  const meta = { _index: op.index, _id: op.id };
  if (op.action === 'delete') {
    const action = { delete: meta };
    return queued(op, action, undefined);
  }
  if (typeof op.document !== 'object' || op.document === null) throw bad('document', 'must be an object');
  let body: string;
  try {
    body = JSON.stringify(op.document);
  } catch (err) {
    throw bad('document', `cannot be serialised: ${err instanceof Error ? err.message : String(err)}`);
  }
  return queued(op, { index: op.requireAlias ? { ...meta, require_alias: true } : meta }, body);
}

function queued(
  op: BulkOperation,
  action: QueuedOperation['action'],
  body: string | undefined,
): QueuedOperation {
  const bytes =
    Buffer.byteLength(JSON.stringify(action)) + 1 + (body === undefined ? 0 : Buffer.byteLength(body) + 1);
  return {
    seq: 0,
    key: `${op.index}\u0000${op.id}`,
    op,
    action,
    body,
    bytes,
    group: undefined,
    settled: false,
  };
}

export function settle(p: QueuedOperation, how: (group: WriteGroup) => void): void {
  if (p.settled || p.group === undefined) return;
  p.settled = true;
  how(p.group);
}

/** The key of the operation the helper reports: index and id of its action line. */
export function keyOfAction(operation: unknown): string {
  const meta = Object.values(operation as Record<string, { _index?: string; _id?: string }>)[0];
  return `${meta?._index ?? ''}\u0000${meta?._id ?? ''}`;
}
