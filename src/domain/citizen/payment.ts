/**
 * What a decided fine costs on a given day: the fine, plus the late surcharge of 0.05% of the fine per day
 * after the payment period (Law on Handling Administrative Violations 2012, Art. 73.1 and 78.3). The case
 * decider's own computation (`paymentDue`, src/domain/case/handlers/penalty.ts), so the amount the portal asks
 * for is the amount the case accepts when the bank confirms it. Integer VND, rounded down.
 */
import { paymentDue } from '../case/handlers/penalty.ts';
import { periodOfDays } from '../case/periods.ts';

export interface AmountDue {
  fineVnd: number;
  surchargeVnd: number;
  totalVnd: number;
  /** The last day to pay without surcharge (Viet Nam date, YYYY-MM-DD). */
  payBy: string;
  daysLate: number;
}

export function amountDue(fineVnd: number, decidedAt: string, now: string): AmountDue {
  const d = paymentDue(fineVnd, decidedAt, now);
  return { fineVnd: d.fineVnd, surchargeVnd: d.surchargeVnd, totalVnd: d.totalVnd, payBy: d.due.lastDay, daysLate: d.daysLate };
}

/** Days from the decision within which a complaint or appeal may be made (Law on Complaints 2011, Art. 9). */
export const COMPLAINT_DAYS = 90;

/**
 * The last day (Viet Nam date) to complain about a decision made at `decidedAt`: counted as every period of the
 * procedure (`periodOfDays`: the decision's day not counted, a closing weekend or fixed holiday moves it on).
 */
export function complainBy(decidedAt: string): string {
  return periodOfDays(decidedAt, COMPLAINT_DAYS).lastDay;
}
