/**
 * The camera-case procedure between the owner lookup and the decision (Circular 73/2024/TT-BCA Art. 24; Decree
 * 168/2024 Art. 47.8 and 47.11): transfer to the owner's province, the owner's explanation, the named driver,
 * the unresponsive owner, and the violation record. docs/legal-procedure.md walks it event by event.
 */
import { isProvinceCode } from '../../provinces/index.ts';
import { parseOrThrow } from '../../signoff/builders.ts';
import { InvalidCommandError } from '../../signoff/errors.ts';
import { requireText } from '../../signoff/guards.ts';
import { OffenderSchema, RecordSignoffSchema, TransferSignoffSchema, type Offender } from '../../signoff/payloads.ts';
import { RECORD_PURPOSE, TRANSFER_PURPOSE } from '../../signoff/purposes.ts';
import {
  AgencyNotWarnedError,
  AgencyWarningConflictError,
  InvalidTransferTargetError,
  NoLegalGroundError,
  OffenderMismatchError,
  ProcedurePeriodElapsedError,
  ProcedurePeriodRunningError,
  RecordExplanationMismatchError,
  SignoffContentMismatchError,
  UnknownNoticeError,
} from '../errors.ts';
import { requireCitizenRules } from '../citizen-rules.ts';
import { EXPLANATION_CHANNELS, TRANSFER_HANDOVERS, WARNED_AGENCIES, type CaseEvent, type WarnedAgency } from '../events.ts';
import { hasElapsed, periodOfDays } from '../periods.ts';
import { samePlate } from '../plate-key.ts';
import { verifyOfficerSignoff } from '../signoff-rules.ts';
import type { ExistingCase } from '../state.ts';
import { requireIdentifier, requireStatus, transitionError, type CaseHandler } from './shared.ts';

/** Days from the detection within which the owner is notified or the case transferred (Circular 73 Art. 24). */
export const NOTICE_OR_TRANSFER_DAYS = 10;
/** Days after the notice after which an owner who has not responded is recorded unresponsive (Art. 24). */
export const RESPONSE_DAYS = 20;

/** The province whose police handles the case: the camera's, or the one it was transferred to. */
export function handlingProvince(kase: ExistingCase): string {
  return kase.transfer?.toProvince ?? kase.province;
}

function refuseWithoutOwner(kase: ExistingCase, what: string): void {
  if (kase.status === 'owner-not-found') {
    throw new NoLegalGroundError(`No ${what} without an identified and notified owner`, { status: kase.status });
  }
}

/** The sign-off names the violation and plate the review confirmed. */
function requireReviewedContent(kase: ExistingCase, signoff: { violationCode: string; plate: string }): void {
  if (!kase.review || signoff.violationCode !== kase.review.violationCode || !samePlate(signoff.plate, kase.review.plate)) {
    throw new SignoffContentMismatchError('The sign-off names another violation or plate than the review confirmed', {});
  }
}

const sameOffender = (a: Offender, b: Offender): boolean => a.kind === b.kind && a.ref === b.ref;

/** Who the record and the decision must name: the driver the owner named, else the owner (Art. 47.8.b). */
export function expectedOffender(kase: ExistingCase): Offender | undefined {
  return kase.driver?.person ?? kase.owner;
}

export const transferCase: CaseHandler<'TransferCase'> = (command, { kase, now, signer }) => {
  refuseWithoutOwner(kase, 'transfer');
  if (kase.transfer) throw transitionError(kase, command);
  requireStatus(kase, command, ['owner-identified']);
  const window = periodOfDays(kase.detection.observedAt, NOTICE_OR_TRANSFER_DAYS);
  if (hasElapsed(window, now)) {
    throw new ProcedurePeriodElapsedError('A case is transferred within 10 days of the violation', {
      periodEndsAt: window.endsAt,
    });
  }
  const signoff = verifyOfficerSignoff(kase, command, signer(), {
    purpose: TRANSFER_PURPOSE,
    schema: TransferSignoffSchema,
    what: 'transfer a case',
  });
  requireReviewedContent(kase, signoff);
  if (!isProvinceCode(signoff.toProvince) || signoff.toProvince === handlingProvince(kase)) {
    throw new InvalidTransferTargetError('The receiving province is unknown or already handles the case', {
      toProvince: signoff.toProvince,
    });
  }
  const handover = command.handover ?? 'in-node';
  if (!(TRANSFER_HANDOVERS as readonly string[]).includes(handover)) throw new InvalidCommandError('Unknown handover', {});
  const transferred: CaseEvent = {
    type: 'CaseTransferred',
    data: { signoff, signature: command.signature, keyId: command.keyId, transferredAt: now, handover },
  };
  // Across nodes the receiving node opens the case (CaseReceived); here it is closed: no notice, no decision.
  if (handover === 'federation') return [transferred, { type: 'CaseClosed', data: { reason: 'transferred', closedAt: now } }];
  return [transferred];
};

export const submitExplanation: CaseHandler<'SubmitExplanation'> = (command, { kase, now }) => {
  refuseWithoutOwner(kase, 'explanation');
  // The owner answers a notice: there is one; an explanation after the record is drawn is too late for it.
  requireStatus(kase, command, ['noticed']);
  if (kase.record) throw transitionError(kase, command);
  requireIdentifier(command.explanationId, 'explanationId');
  if (!(EXPLANATION_CHANNELS as readonly string[]).includes(command.channel))
    throw new InvalidCommandError('Unknown explanation channel', {});
  requireText(command.statement, 'statement');
  const existing = kase.explanations?.find((e) => e.explanationId === command.explanationId);
  if (existing) {
    if (existing.statement === command.statement && existing.channel === command.channel) return [];
    throw transitionError(kase, command);
  }
  requireCitizenRules(command, kase, now);
  return [
    {
      type: 'ExplanationSubmitted',
      data: {
        explanationId: command.explanationId,
        channel: command.channel,
        statement: command.statement,
        submittedAt: now,
      },
    },
  ];
};

export const identifyDriver: CaseHandler<'IdentifyDriver'> = (command, { kase, now }) => {
  refuseWithoutOwner(kase, 'driver');
  // A citizen answers the notice they hold; staff may record a driver the owner named before it.
  requireStatus(kase, command, command.actor.kind === 'citizen' ? ['noticed'] : ['owner-identified', 'noticed']);
  // The record names the offender: the driver is named before it.
  if (kase.record) throw transitionError(kase, command);
  const driver = parseOrThrow(OffenderSchema, command.driver, 'driver');
  if (driver.kind !== 'individual') {
    throw new OffenderMismatchError('A driver is an individual', { kind: driver.kind });
  }
  requireIdentifier(command.licenceRef, 'licenceRef');
  if (kase.driver) {
    if (sameOffender(kase.driver.person, driver) && kase.driver.licenceRef === command.licenceRef) return [];
    throw transitionError(kase, command);
  }
  requireCitizenRules(command, kase, now);
  return [{ type: 'DriverIdentified', data: { driver, licenceRef: command.licenceRef, identifiedAt: now } }];
};

export const recordOwnerUnresponsive: CaseHandler<'RecordOwnerUnresponsive'> = (command, { kase, now }) => {
  const notice = kase.notices.find((n) => n.noticeId === command.noticeId);
  if (!notice) throw new UnknownNoticeError('No such notice', {});
  if (kase.unresponsive) {
    if (kase.unresponsive.noticeId === command.noticeId) return [];
    throw transitionError(kase, command);
  }
  requireStatus(kase, command, ['noticed']);
  if ((kase.explanations?.length ?? 0) > 0 || kase.record) throw transitionError(kase, command);
  const period = periodOfDays(notice.issuedAt, RESPONSE_DAYS);
  if (!hasElapsed(period, now)) {
    throw new ProcedurePeriodRunningError('The owner has 20 days after the notice to respond', {
      periodEndsAt: period.endsAt,
    });
  }
  const warned: WarnedAgency[] = ['registration', 'inspection'];
  if (kase.detection.vehicleClass === 'motorbike') warned.push('commune-police');
  return [
    {
      type: 'OwnerUnresponsive',
      data: { noticeId: notice.noticeId, periodEndsAt: period.endsAt, warned, recordedAt: now },
    },
  ];
};

/**
 * The warning `OwnerUnresponsive` named reached one agency (the agency-warning worker records it once the
 * port accepted it). Idempotent: the same agency, warning id and receipt again records nothing.
 */
export const recordAgencyWarningSent: CaseHandler<'RecordAgencyWarningSent'> = (command, { kase, now }) => {
  const unresponsive = kase.unresponsive;
  if (!unresponsive) throw new AgencyNotWarnedError('No agency is warned before the owner is recorded unresponsive', {});
  if (!(WARNED_AGENCIES as readonly unknown[]).includes(command.agency) || !unresponsive.warned.includes(command.agency)) {
    throw new AgencyNotWarnedError('The unresponsive-owner record does not name this agency', {
      warned: unresponsive.warned,
    });
  }
  requireIdentifier(command.warningId, 'warningId');
  requireIdentifier(command.receipt, 'receipt');
  const earlier = unresponsive.sent?.find((s) => s.agency === command.agency);
  if (earlier) {
    if (earlier.receipt === command.receipt) return [];
    throw new AgencyWarningConflictError('This agency was already warned under another receipt', { agency: command.agency });
  }
  return [
    {
      type: 'AgencyWarningSent',
      data: {
        noticeId: unresponsive.noticeId,
        agency: command.agency,
        warningId: command.warningId,
        receipt: command.receipt,
        sentAt: now,
      },
    },
  ];
};

export const drawViolationRecord: CaseHandler<'DrawViolationRecord'> = (command, { kase, now, signer }) => {
  refuseWithoutOwner(kase, 'violation record');
  requireStatus(kase, command, ['noticed']);
  if (kase.record) throw transitionError(kase, command);
  const signoff = verifyOfficerSignoff(kase, command, signer(), {
    purpose: RECORD_PURPOSE,
    schema: RecordSignoffSchema,
    what: 'draw up a violation record',
  });
  requireReviewedContent(kase, signoff);
  const offender = expectedOffender(kase);
  if (!offender || !sameOffender(offender, signoff.offender)) {
    throw new OffenderMismatchError('The record names another offender than the named driver or the owner', {
      expectedKind: offender?.kind ?? 'none',
    });
  }
  const statements = (kase.explanations ?? []).map((e) => e.statement);
  const included = signoff.explanation;
  if (statements.length > 0 ? included === undefined || !statements.includes(included) : included !== undefined) {
    throw new RecordExplanationMismatchError("The record carries the owner's explanation verbatim, or none", {
      explanations: statements.length,
    });
  }
  return [
    {
      type: 'ViolationRecordDrawn',
      data: { signoff, signature: command.signature, keyId: command.keyId, drawnAt: now },
    },
  ];
};
