import type { KvOp } from '../../ports/kv-store';
import { ValidationError } from '../../errors';
import { validateKey, validateTable } from './validate-kv-input';

export type PreparedOp =
  | { type: 'put'; table: string; key: string; encoded: Uint8Array }
  | { type: 'delete'; table: string; key: string };

/**
 * Checks and encodes every op before a transaction starts, so bad input is a
 * ValidationError naming the op and nothing is written, and the write lock is
 * held only for the byte copies.
 */
export function prepareBatch(
  ops: readonly KvOp[],
  maxKeyBytes: number,
  encode: (value: unknown) => Uint8Array,
): PreparedOp[] {
  if (!Array.isArray(ops)) {
    throw new ValidationError('batch expects an array of ops', [{ field: 'ops', reason: 'not an array' }]);
  }
  const prepared: PreparedOp[] = new Array<PreparedOp>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as KvOp | undefined;
    if (op === null || typeof op !== 'object') {
      throw new ValidationError(`batch op [${i}] is not an object`, [
        { field: `[${i}]`, reason: 'not an object' },
      ]);
    }
    const table = validateTable(op.table, `[${i}].table`);
    const key = validateKey(op.key, maxKeyBytes, `[${i}].key`);
    if (op.type === 'delete') {
      prepared[i] = { type: 'delete', table, key };
    } else if (op.type === 'put') {
      prepared[i] = { type: 'put', table, key, encoded: encodeValue(op.value, i, encode) };
    } else {
      throw new ValidationError(
        `batch op [${i}] has unknown type ${JSON.stringify((op as { type: unknown }).type)}`,
        [{ field: `[${i}].type`, reason: "must be 'put' or 'delete'" }],
      );
    }
  }
  return prepared;
}

function encodeValue(value: unknown, index: number, encode: (value: unknown) => Uint8Array): Uint8Array {
  // A stored undefined would read back as "missing", so it is refused.
  if (value === undefined) {
    throw new ValidationError(`batch op [${index}] puts undefined; use a delete op`, [
      { field: `[${index}].value`, reason: 'undefined' },
    ]);
  }
  try {
    return encode(value);
  } catch (err) {
    throw new ValidationError(
      `batch op [${index}] value cannot be encoded: ${err instanceof Error ? err.message : String(err)}`,
      [{ field: `[${index}].value`, reason: 'not encodable as msgpack' }],
      { cause: err },
    );
  }
}
