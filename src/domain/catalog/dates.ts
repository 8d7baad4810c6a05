/**
 * Which calendar day a legal text is in force on. Decrees take effect on Viet Nam calendar days (UTC+7, no
 * daylight saving), so a timestamp is converted to its Viet Nam date before any comparison:
 * 2024-12-31T17:30:00Z is 2025-01-01 in Hà Nội and falls under Decree 168.
 */
import { InvalidCatalogDateError } from './errors.ts';

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * The Viet Nam calendar date (YYYY-MM-DD) of `date`, which MUST be a YYYY-MM-DD date (taken as a Viet Nam date)
 * or an RFC 3339 timestamp with an explicit offset. Throws `InvalidCatalogDateError` otherwise.
 */
export function vietnamDateOf(date: string): string {
  if (typeof date !== 'string' || date.length > 40) throw new InvalidCatalogDateError();
  const dateOnly = DATE_ONLY.exec(date);
  if (dateOnly) {
    if (!isRealDate(Number(dateOnly[1]), Number(dateOnly[2]), Number(dateOnly[3])))
      throw new InvalidCatalogDateError();
    return date;
  }
  if (!TIMESTAMP.test(date)) throw new InvalidCatalogDateError();
  const [y, m, d] = date.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (!isRealDate(y, m, d)) throw new InvalidCatalogDateError();
  const ms = Date.parse(date);
  if (Number.isNaN(ms)) throw new InvalidCatalogDateError();
  return new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}
