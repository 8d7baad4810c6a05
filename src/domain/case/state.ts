/**
 * The folded state of a case. `revision` is the revision of the last folded record (−1 before any), so a
 * sign-off recorded next lands at `revision + 1` and its signed `caseRevision` MUST be ≤ `revision`.
 */
import type { Detection, LegalBasis, Offender } from '../signoff/payloads.ts';
import type { EvidenceRef } from '../signoff/primitives.ts';
import type {
  IssuedDocumentKind,
  AppealOutcome,
  CaseFlag,
  CloseReason,
  DerivedEvidence,
  DerivationParameters,
  ModelIdentity,
  PlateAlternative,
  ExplanationChannel,
  NoticeChannel,
  PaymentChannel,
  WarnedAgency,
  HandoverSource,
  TransferHandover,
} from './events.ts';

export interface Derivation {
  sourceDigest: string;
  operation: string;
  derived: DerivedEvidence;
  /** The operation's recorded parameters (e.g. a plate crop's `box`); absent in states folded before they were kept. */
  parameters?: DerivationParameters;
}

export interface PlateReading {
  plate: string;
  compact: string;
  confidenceBp: number;
  model: ModelIdentity;
  /** Other plates the reading could be (absent when none, and in readings recorded before they were kept). */
  alternatives?: PlateAlternative[];
}

export interface ReviewOutcome {
  decision: 'confirm' | 'reject';
  officerKeyId: string;
  plate: string;
  violationCode: string;
  signedAt: string;
}

export interface Notice {
  noticeId: string;
  channel: NoticeChannel;
  issuedAt: string;
  delivery: 'pending' | 'delivered' | 'failed';
}

export interface PenaltyDecision {
  fineVnd: number;
  points: number;
  legalBasis: LegalBasis;
  offender: Offender;
  violationCode: string;
  signedAt: string;
}

/** The transfer to the police of the owner's province (the handling unit since then). */
export interface Transfer {
  toProvince: string;
  /** `federation`: another node took the case over (closed here). */
  handover: TransferHandover;
  officerKeyId: string;
  transferredAt: string;
}

export interface Explanation {
  explanationId: string;
  channel: ExplanationChannel;
  statement: string;
  submittedAt: string;
}

/** A document made from the case's events and recorded as issued. */
export interface IssuedDocument {
  kind: IssuedDocumentKind;
  noticeId?: string;
  appealId?: string;
  digest: string;
  templateVersion: string;
  issuedAt: string;
}

/** The violation record (biên bản) as drawn and signed. */
export interface ViolationRecord {
  recordId: string;
  offender: Offender;
  explanation?: string;
  officerKeyId: string;
  signedAt: string;
}

export interface Payment {
  /** Absent only in a state folded before the reference was kept (never for a folded `PaymentRecorded`). */
  paymentRef?: string;
  amountVnd: number;
  surchargeVnd: number;
  channel: PaymentChannel;
  paidAt: string;
}

export interface Appeal {
  appealId: string;
  /** The appeal's grounds as filed (a repeat with the same id and grounds is a no-op). */
  grounds: string;
  filedAt: string;
  outcome?: AppealOutcome;
  /** When it was resolved (`AppealResolved.resolvedAt`): the resolution decision's date. */
  resolvedAt?: string;
}

export interface CaseFacts {
  caseId: string;
  province: string;
  revision: number;
  detection: Detection;
  detectionSignature: string;
  detectionKeyId: string;
  /** Original evidence: the detection's, then attached items, in record order. */
  originals: EvidenceRef[];
  derivations: Derivation[];
  flags: CaseFlag[];
  plateReadings: PlateReading[];
  review?: ReviewOutcome;
  owner?: Offender;
  notices: Notice[];
  /** Set by `CaseTransferred`: the province whose police handles the case from then on. */
  transfer?: Transfer;
  /** Set by `CaseReceived`: the sending node's log record this case continues from. */
  received?: HandoverSource;
  /** The owner's explanations (`ExplanationSubmitted`), in record order; absent when none. */
  explanations?: Explanation[];
  /** The driver the owner named (`DriverIdentified`): licence points come only from them. */
  driver?: { person: Offender; licenceRef: string };
  /** Set by `OwnerUnresponsive`: the agencies warned (the vehicle is flagged in lookups). */
  unresponsive?: {
    noticeId: string;
    warned: WarnedAgency[];
    recordedAt: string;
    /** The end of the 20-day response period. */
    periodEndsAt: string;
    /** The agencies the warning reached (`AgencyWarningSent`), with the agency system's receipt. */
    sent?: { agency: WarnedAgency; receipt: string; sentAt: string }[];
  };
  record?: ViolationRecord;
  decision?: PenaltyDecision;
  /** Documents issued (`DocumentIssued`), in record order; absent when none was. */
  documents?: IssuedDocument[];
  /** When the decision was recorded (the payment period runs from it). */
  decidedAt?: string;
  paidVnd?: number;
  payment?: Payment;
  appeals: Appeal[];
  closedReason?: CloseReason;
  /** Status before the case was closed, expired or voided (what the law still allows depends on it). */
  statusBeforeEnd?: OpenCaseStatus;
  /** Background jobs that failed for good (`ProcessingFailed`), in record order; absent when none did. */
  processingFailures?: ProcessingFailure[];
}

export interface ProcessingFailure {
  job: string;
  reasonCode: string;
  reason: string;
  failedAt: string;
}

/** Statuses in lifecycle order. */
export const OPEN_CASE_STATUSES = [
  'detected', // awaiting human review
  'rejected', // review rejected: only closing (or voiding) remains
  'confirmed', // review confirmed: owner lookup next
  'owner-identified',
  'owner-not-found',
  'noticed', // at least one notice issued
  'decided', // penalty decided
  'paid',
  'appealed',
  'appeal-resolved',
] as const;
export type OpenCaseStatus = (typeof OPEN_CASE_STATUSES)[number];
/** Statuses of a case that ended: closed, expired (limitation elapsed undecided) or voided (signed). */
export const ENDED_CASE_STATUSES = ['closed', 'expired', 'voided'] as const;
export type EndedCaseStatus = (typeof ENDED_CASE_STATUSES)[number];
/** Every status a case can have, in lifecycle order (the statuses a case view can show and be filtered by). */
export const CASE_STATUSES = [...OPEN_CASE_STATUSES, ...ENDED_CASE_STATUSES] as const;

export type CaseState =
  { status: 'none' } | ({ status: OpenCaseStatus } & CaseFacts) | ({ status: EndedCaseStatus } & CaseFacts);

export type CaseStatus = CaseState['status'];
export type ExistingCase = Exclude<CaseState, { status: 'none' }>;
