/**
 * The PostgreSQL store's global checkpoint: `<transaction id>:<global position>`, both unsigned decimals.
 * Opaque to callers; it orders exactly as the feed does, by (transaction_id, global_position).
 */
import { ValidationError } from '../../../domain/shared/errors.ts';

export interface PgPosition {
  transactionId: bigint;
  globalPosition: bigint;
}

const CHECKPOINT = /^(\d{1,20}):(\d{1,20})$/;
const MAX_INT8 = 2n ** 63n - 1n;
const MAX_XID8 = 2n ** 64n - 1n;

export function formatPgCheckpoint(position: PgPosition): string {
  return `${position.transactionId}:${position.globalPosition}`;
}

export function parsePgCheckpoint(checkpoint: string): PgPosition {
  const match = typeof checkpoint === 'string' ? CHECKPOINT.exec(checkpoint) : null;
  if (!match) throw new ValidationError('Malformed event store checkpoint', undefined, 'bad-checkpoint');
  const transactionId = BigInt(match[1]!);
  const globalPosition = BigInt(match[2]!);
  if (transactionId > MAX_XID8 || globalPosition > MAX_INT8) {
    throw new ValidationError('Event store checkpoint out of range', undefined, 'bad-checkpoint');
  }
  return { transactionId, globalPosition };
}
