/**
 * The one calendar-date type and the one instant type for input from outside (query parameters, cursors,
 * read-query arguments). Both accept only what exists: no 30 February, no month 13, no hour 24, no year 0000
 * (PostgreSQL has no year 0), so a bad value is a validation error naming its field, never a database error.
 *
 * The instant rule is the integrity kernel's RFC 3339 UTC check (`isRfc3339Utc`); a calendar date is valid
 * when its midnight is a valid instant under that same rule.
 */
import { z } from 'zod';
import { isRfc3339Utc } from '../integrity/time.ts';

const YEAR_ZERO = /^0000-/;

/** True for `YYYY-MM-DD` naming a real calendar date (years 0001–9999). */
export function isCalendarDate(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && isInstant(`${value}T00:00:00Z`);
}

/** True for an RFC 3339 UTC timestamp (`…Z`) naming a real instant (years 0001–9999). */
export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 40 && !YEAR_ZERO.test(value) && isRfc3339Utc(value);
}

/** `YYYY-MM-DD`, a real calendar date. */
export const CalendarDate = z
  .string()
  .refine(isCalendarDate, 'must be a real calendar date YYYY-MM-DD')
  .meta({ format: 'date' });

/** RFC 3339 UTC timestamp ending in `Z`, a real date and time. */
export const Instant = z
  .string()
  .refine(isInstant, 'must be a real RFC 3339 UTC timestamp ending in Z')
  .meta({ format: 'date-time' });
