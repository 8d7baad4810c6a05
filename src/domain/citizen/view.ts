/**
 * What the portal shows a papers holder about one of the vehicle's cases, beyond the published lookup fields:
 * the fine range or the decided amount, the deadlines, what is due today (with the late surcharge), the
 * payment QR of a requested payment, what was paid (read from the case), the complaints filed, and whether a privacy copy of the
 * evidence exists. Pure: the case and citizen states, the clock reading and the configured treasury account
 * come in. Never the owner, officers, keys or original evidence.
 */
import { fineRangeFor } from '../catalog/authority.ts';
import { vietnamDateOf } from '../catalog/dates.ts';
import { catalogEntryFor } from '../case/legal.ts';
import { periodOfDays } from '../case/periods.ts';
import type { ExistingCase } from '../case/state.ts';
import {
  caseShortId,
  documentNumber,
  NOTICE_RESPONSE_DAYS,
  paymentReferenceFor,
} from '../documents/build.ts';
import type { TreasuryAccount } from '../documents/types.ts';
import { vietQrPayload } from '../documents/vietqr.ts';
import type { ComplaintKind } from './events.ts';
import { amountDue, complainBy } from './payment.ts';
import type { CitizenState } from './state.ts';

export interface PortalCaseView {
  /** The case's short id as printed on its notice and decision (`1A2B3C4D`): the portal's handle. */
  ref: string;
  fineRange: { minVnd: number; maxVnd: number } | null;
  decision: { number: string; fineVnd: number; points: number; decidedAt: string } | null;
  deadlines: { respondBy: string | null; payBy: string | null; complainBy: string | null };
  amountDue: { fineVnd: number; surchargeVnd: number; totalVnd: number; daysLate: number } | null;
  payment: {
    paymentId: string;
    totalVnd: number;
    reference: string;
    qrPayload: string;
    account: TreasuryAccount;
  } | null;
  /** From the case's `PaymentRecorded`. */
  paid: { amountVnd: number; paidAt: string } | null;
  complaints: { reference: string; kind: ComplaintKind; filedAt: string }[];
  privacyImage: boolean;
  canPay: boolean;
  canComplain: boolean;
}

const ENDED = new Set(['closed', 'expired', 'voided', 'rejected']);

/** The case's short id, the portal's reference for it. */
export const portalRef = caseShortId;

/** The privacy copy (`redacted`) of the case's first image, when the media worker made one. */
export function privacyCopyOf(kase: ExistingCase): { digest: string; mediaType: string; size: number } | undefined {
  const d = kase.derivations.find((x) => x.derived.kind === 'redacted');
  return d ? { digest: d.derived.digest, mediaType: d.derived.mediaType, size: d.derived.size } : undefined;
}

export function portalCaseView(kase: ExistingCase, citizen: CitizenState, now: string, treasury: TreasuryAccount): PortalCaseView {
  const code = kase.review?.violationCode ?? kase.detection.violationCode;
  let fineRange: PortalCaseView['fineRange'] = null;
  try {
    fineRange = fineRangeFor(catalogEntryFor(code, kase.detection.vehicleClass, kase.detection.observedAt), kase.owner?.kind ?? 'individual');
  } catch {
    fineRange = null;
  }
  const decision = kase.decision
    ? { number: documentNumber('penalty-decision', kase.caseId), fineVnd: kase.decision.fineVnd, points: kase.decision.points, decidedAt: kase.decision.signedAt }
    : null;
  const firstNotice = kase.notices[0];
  const payments = citizen.status === 'active' ? citizen.payments : [];
  // Paid is the case's fact (its `PaymentRecorded`, whoever recorded it; or the older `PenaltyPaid`).
  // (An older `PenaltyPaid` kept no surcharge or time: nothing is due, `paid` stays null.)
  const paid = kase.payment ? { amountVnd: kase.payment.amountVnd, paidAt: kase.payment.paidAt } : null;
  const open = !ENDED.has(kase.status);
  const due = decision && kase.paidVnd === undefined ? amountDue(decision.fineVnd, decision.decidedAt, now) : undefined;
  // The newest request still unpaid whose amount is what is due today (a request from an earlier day may
  // carry a smaller surcharge: the person then asks again).
  const pending = [...payments].reverse().find((p) => due && p.totalVnd === due.totalVnd);
  const lastComplaintDay = decision ? complainBy(decision.decidedAt) : null;
  return {
    ref: portalRef(kase.caseId),
    fineRange,
    decision,
    deadlines: {
      respondBy: firstNotice ? periodOfDays(firstNotice.issuedAt, NOTICE_RESPONSE_DAYS).lastDay : null,
      payBy: due?.payBy ?? (decision ? amountDue(decision.fineVnd, decision.decidedAt, now).payBy : null),
      complainBy: lastComplaintDay,
    },
    amountDue: due ? { fineVnd: due.fineVnd, surchargeVnd: due.surchargeVnd, totalVnd: due.totalVnd, daysLate: due.daysLate } : null,
    payment: pending
      ? {
          paymentId: pending.paymentId,
          totalVnd: pending.totalVnd,
          reference: pending.reference,
          qrPayload: vietQrPayload({ bankBin: treasury.bankBin, accountNumber: treasury.accountNumber, amountVnd: pending.totalVnd, reference: pending.reference }),
          account: { ...treasury },
        }
      : null,
    paid,
    complaints: citizen.status === 'active' ? citizen.complaints.map((c) => ({ reference: c.reference, kind: c.kind, filedAt: c.filedAt })) : [],
    privacyImage: privacyCopyOf(kase) !== undefined,
    canPay: open && due !== undefined,
    canComplain: open && (lastComplaintDay === null || vietnamDateOf(now) <= lastComplaintDay),
  };
}

/** The transfer message for a case's fine: its decision number in ASCII (`1A2B3C4D/QD-XPHC`). */
export function paymentReferenceOf(caseId: string): string {
  return paymentReferenceFor(documentNumber('penalty-decision', caseId));
}
