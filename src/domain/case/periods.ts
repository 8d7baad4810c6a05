/**
 * Periods of the procedure, counted in Vietnam calendar days (Asia/Ho_Chi_Minh, UTC+7, no daylight saving).
 * Pure: every function takes its instants as arguments and returns UTC instants (RFC 3339, `Z`).
 *
 * What the texts say (docs/legal-procedure.md, "Periods"):
 * - Law on Handling Administrative Violations (LHAV, 15/2012/QH13) Art. 8.1: periods and limitation periods are
 *   counted as the Civil Code counts them, except where the Law itself counts working days.
 * - Civil Code (91/2015/QH13, Art. 147–148; the same rules as Civil Code 2005 Art. 152–153):
 *   - a period in days starts the day AFTER the day of the event (the event's day is not counted);
 *   - it ends at the end (24:00) of its last day;
 *   - a period in years ends at the end of the corresponding day of the last year (no such day: the last day of
 *     that month);
 *   - HOLIDAYS: when the last day of a period is a weekly rest day or a public holiday, the period ends at the
 *     end of the next working day after it (Art. 148.5). This module follows that for periods in days
 *     (`periodOfDays`). The weekly rest days are taken to be Saturday and Sunday (the state administration's
 *     week); the public holidays known here are only the fixed solar ones (`FIXED_PUBLIC_HOLIDAYS`): the lunar
 *     ones (Tết, Hùng Kings) and the yearly bridging days are set by the Government each year and are NOT in
 *     this table (unverified, listed in docs/legal-procedure.md).
 * - Decree 168/2024 Art. 4.1–4.2: the limitation for road-traffic violations is one year; results of technical
 *   equipment may be used from the moment the device recorded the violation "until the end of the last day of
 *   the limitation period" (verified against the decree's text). `limitationPeriod` therefore ends at 24:00
 *   Vietnam time of the anniversary of the violation's Vietnam date, not at the same UTC instant a year later.
 *   Whether a limitation whose last day is a holiday is extended (Art. 148.5 speaks of periods; limitation is
 *   counted under Art. 151) is not settled here: the limitation is NOT extended (the stricter reading for the
 *   authority), listed as unverified.
 */
import { toMillis, vietnamDate } from '../signoff/primitives.ts';

const DAY_MS = 86_400_000;
const VN_OFFSET_MS = 7 * 3_600_000;

/** Public holidays on fixed solar dates (Labour Code 45/2019/QH14 Art. 112.1, from memory: listed as such). */
export const FIXED_PUBLIC_HOLIDAYS: readonly string[] = ['01-01', '04-30', '05-01', '09-02'];

/** The end of a period: its last Vietnam calendar day and the UTC instant that day ends (exclusive). */
export interface PeriodEnd {
  /** `YYYY-MM-DD`, Vietnam calendar. */
  lastDay: string;
  /** 24:00 Vietnam time of `lastDay` as a UTC instant: the period has elapsed at and after it. */
  endsAt: string;
}

/** `day` plus `n` calendar days (n may be negative). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The UTC instant at which the Vietnam calendar day `day` ends (24:00 UTC+7 = 17:00 UTC of the same date). */
export function endOfVnDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS - VN_OFFSET_MS).toISOString();
}

/** Saturday, Sunday, or a fixed public holiday. */
export function isNonWorkingDay(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  return weekday === 0 || weekday === 6 || FIXED_PUBLIC_HOLIDAYS.includes(day.slice(5));
}

function periodEndingOn(lastDay: string): PeriodEnd {
  return { lastDay, endsAt: endOfVnDay(lastDay) };
}

/**
 * "Within N days of event X": the day of X is not counted, the period ends at the end of its N-th day, moved
 * to the end of the next working day when that day is a weekend day or a fixed public holiday (Civil Code
 * Art. 147.1, 148.1, 148.5, 148.6 through LHAV Art. 8.1).
 */
export function periodOfDays(eventAt: string, days: number): PeriodEnd {
  if (!Number.isInteger(days) || days < 1) throw new RangeError('a period has a positive whole number of days');
  let last = addDays(vietnamDate(eventAt), days);
  while (isNonWorkingDay(last)) last = addDays(last, 1);
  return periodEndingOn(last);
}

/**
 * The one-year limitation of a violation observed at `observedAt` (Decree 168 Art. 4.1–4.2): to the end of the
 * corresponding Vietnam calendar day a year later (29 February → 28 February), never extended.
 */
export function limitationPeriod(observedAt: string): PeriodEnd {
  const day = vietnamDate(observedAt);
  const year = Number(day.slice(0, 4)) + 1;
  const monthDay = day.slice(5);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const corresponding = monthDay === '02-29' && !leap ? '02-28' : monthDay;
  return periodEndingOn(`${year}-${corresponding}`);
}

/** True once `now` is at or after the period's end. */
export function hasElapsed(period: PeriodEnd, now: string): boolean {
  return toMillis(now) >= toMillis(period.endsAt);
}

/** Whole Vietnam calendar days from the end of the period to `now`: 0 within it, 1 on the first day after, … */
export function daysAfter(period: PeriodEnd, now: string): number {
  if (!hasElapsed(period, now)) return 0;
  const from = Date.parse(`${period.lastDay}T00:00:00.000Z`);
  const to = Date.parse(`${vietnamDate(now)}T00:00:00.000Z`);
  return Math.round((to - from) / DAY_MS);
}
