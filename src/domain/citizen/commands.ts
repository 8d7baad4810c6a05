import type { CommandBase } from '../decider.ts';
import type { EvidenceRef } from '../signoff/primitives.ts';
import type { ComplaintKind } from './events.ts';

/**
 * What the citizen decider needs to know about the case, read from the case stream at decision time by the
 * application service (so the rule is checked on the case as it is, not as a read model last saw it).
 */
export interface CaseFactsForCitizen {
  caseId: string;
  province: string;
  /** Confirmed by an officer and not ended (closed, expired, voided, rejected). */
  open: boolean;
  /** The penalty decision's signing time and fine, once decided. */
  decision?: { decidedAt: string; fineVnd: number };
  /** The case records the fine paid (`PaymentRecorded`, or the older `PenaltyPaid`). */
  paid: boolean;
}

interface CitizenCommandBase extends CommandBase {
  caseId: string;
  context: { case: CaseFactsForCitizen };
}

export type CitizenCommand =
  | (CitizenCommandBase & {
      type: 'FileComplaint';
      complaintId: string;
      kind: ComplaintKind;
      grounds: string;
      attachments: EvidenceRef[];
      idempotencyKey: string;
      requestDigest: string;
    })
  | (CitizenCommandBase & {
      type: 'RequestPayment';
      paymentId: string;
      reference: string;
      idempotencyKey: string;
      requestDigest: string;
    });

export type CitizenCommandType = CitizenCommand['type'];

export const CITIZEN_COMMAND_TYPES = [
  'FileComplaint',
  'RequestPayment',
] as const satisfies readonly CitizenCommandType[];
