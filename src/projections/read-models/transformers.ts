/**
 * Column converters. PostgreSQL `bigint` arrives from `pg` as a decimal string; these convert it exactly.
 * Money is integer VND: `vndTransformer` gives a JS number when the value is a safe integer and refuses
 * anything else rather than round it (a fine above 2^53 VND cannot come from a valid event).
 */
import type { ValueTransformer } from 'typeorm';

/** bigint ⇄ PostgreSQL bigint, exact for every 64-bit value (positions, revisions, counters). */
export const bigintTransformer: ValueTransformer = {
  to: (value: bigint | number | null | undefined) => (value === null || value === undefined ? value : BigInt(value).toString()),
  from: (value: string | null) => (value === null ? null : BigInt(value)),
};

/** Integer VND ⇄ PostgreSQL bigint. Throws on a value that is not a safe integer instead of rounding it. */
export const vndTransformer: ValueTransformer = {
  to: (value: number | bigint | null | undefined) => {
    if (value === null || value === undefined) return value;
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError('VND amounts are safe integers');
    return BigInt(value).toString();
  },
  from: (value: string | null) => {
    if (value === null) return null;
    const n = BigInt(value);
    if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new RangeError(`VND amount ${value} exceeds the safe integer range`);
    }
    return Number(n);
  },
};

/** A bigint as JSON: a number when it is safe, else its decimal string (never silently rounded). */
export function bigintToJson(value: bigint | null | undefined): number | string | null {
  if (value === null || value === undefined) return null;
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** A timestamptz as an ISO 8601 UTC string. */
export function isoOrNull(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
