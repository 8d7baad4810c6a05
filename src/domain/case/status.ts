/**
 * The case status machine, defined once: which status each case event leads to. The decider's `evolve` and
 * the case view projection both fold status with `nextStatus`, so the two cannot disagree.
 *
 * Rules (docs/domain.md, "Case status"):
 * - `ViolationDetected` opens a case in `detected` (a repeated detection changes nothing);
 * - an event whose entry is `null` leaves the status as it is;
 * - an event whose entry is an open status moves an open case there; an ended case keeps its status;
 * - `CaseClosed` and `CaseExpired` end an open case (remembering the status it ended in); an ended case stays;
 * - `CaseVoided` ends any case; voiding an ended case keeps the status it had ended in.
 */
import type { CaseEvent } from './events.ts';
import { ENDED_CASE_STATUSES, type CaseStatus, type EndedCaseStatus, type OpenCaseStatus } from './state.ts';

export type CaseEventType = CaseEvent['type'];
export type ExistingCaseStatus = Exclude<CaseStatus, 'none'>;

/** The status of a case after its first record (`ViolationDetected`). */
export const INITIAL_CASE_STATUS = 'detected' satisfies OpenCaseStatus;
/** The status of a case after its first record when it is received from another node (`CaseReceived`). */
export const RECEIVED_CASE_STATUS = 'owner-identified' satisfies OpenCaseStatus;

/** Status × event → next status: each event's target status, or `null` for an event that keeps the status. */
export const CASE_STATUS_TRANSITIONS = {
  ViolationDetected: null,
  PlateRecognized: null,
  EvidenceDerived: null,
  EvidenceAttached: null,
  CaseFlagged: null,
  ProcessingFailed: null,
  ReviewConfirmed: 'confirmed',
  ReviewRejected: 'rejected',
  OwnerIdentified: 'owner-identified',
  OwnerNotFound: 'owner-not-found',
  NoticeIssued: 'noticed',
  NoticeDelivered: null,
  NoticeDeliveryFailed: null,
  CaseTransferred: null,
  CaseReceived: null,
  ExplanationSubmitted: null,
  DriverIdentified: null,
  OwnerUnresponsive: null,
  AgencyWarningSent: null,
  ViolationRecordDrawn: null,
  DocumentIssued: null,
  PenaltyDecided: 'decided',
  PenaltyPaid: 'paid',
  PaymentRecorded: 'paid',
  AppealFiled: 'appealed',
  AppealResolved: 'appeal-resolved',
  CaseClosed: 'closed',
  CaseExpired: 'expired',
  CaseVoided: 'voided',
} as const satisfies { [T in CaseEventType]: OpenCaseStatus | EndedCaseStatus | null };

/** True for a status of a case that has not ended (any string that is not an ended status). */
export function isOpenStatus(status: string): status is OpenCaseStatus {
  return !(ENDED_CASE_STATUSES as readonly string[]).includes(status);
}

/** The status after an event, and the open status the event ended the case in (when it ended an open case). */
export interface StatusStep<S extends string = ExistingCaseStatus> {
  status: S | ExistingCaseStatus;
  endedFrom?: OpenCaseStatus;
}

/**
 * The status of a case in `status` after an event of `type`. `S` lets a read model pass the status it
 * stored (a string); a status it does not know counts as open, as an ended status is never unknown.
 */
export function nextStatus<S extends string>(status: S, type: CaseEventType): StatusStep<S> {
  const target: OpenCaseStatus | EndedCaseStatus | null = CASE_STATUS_TRANSITIONS[type];
  if (target === null) return { status };
  const open = isOpenStatus(status);
  if (target === 'voided') return open ? { status: target, endedFrom: status } : { status: target };
  if (!open) return { status };
  if (target === 'closed' || target === 'expired') return { status: target, endedFrom: status };
  return { status: target };
}
