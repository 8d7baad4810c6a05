/**
 * What a decided fine costs on a given day: the fine, plus the late surcharge of 0.05% of the fine per day
 * after the payment period (Law on Handling Administrative Violations 2012, Art. 73.1 and 78.3; the constants
 * are the documents module's, so the decision PDF and the portal say the same). Integer VND, rounded down.
 */
import { vietnamDateOf } from '../catalog/dates.ts';
import { LATE_SURCHARGE_BP_PER_DAY, PAYMENT_DAYS, vietnamDatePlusDays } from '../documents/build.ts';

export interface AmountDue {
  fineVnd: number;
  surchargeVnd: number;
  totalVnd: number;
  /** The last day to pay without surcharge (Viet Nam date, YYYY-MM-DD). */
  payBy: string;
  daysLate: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function amountDue(fineVnd: number, decidedAt: string, now: string): AmountDue {
  const payBy = vietnamDatePlusDays(decidedAt, PAYMENT_DAYS);
  const today = vietnamDateOf(now);
  const daysLate = Math.max(0, Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${payBy}T00:00:00Z`)) / DAY_MS));
  // BigInt: fine × bp × days can pass 2^53 for the largest fines and long delays.
  const surchargeVnd = Number((BigInt(fineVnd) * BigInt(LATE_SURCHARGE_BP_PER_DAY) * BigInt(daysLate)) / 10_000n);
  return { fineVnd, surchargeVnd, totalVnd: fineVnd + surchargeVnd, payBy, daysLate };
}

/** Days from the decision within which a complaint or appeal may be made (Law on Complaints 2011, Art. 9). */
export const COMPLAINT_DAYS = 90;

/** The last day (Viet Nam date) to complain about a decision made at `decidedAt`. */
export function complainBy(decidedAt: string): string {
  return vietnamDatePlusDays(decidedAt, COMPLAINT_DAYS);
}
