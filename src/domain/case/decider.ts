/**
 * Case decider: the lifecycle of one detected violation, from the camera's signed detection to closure.
 *
 *   ViolationDetected → PlateRecognized / EvidenceDerived / EvidenceAttached / CaseFlagged
 *     → ReviewConfirmed | ReviewRejected → OwnerIdentified | OwnerNotFound → NoticeIssued
 *     → NoticeDelivered | NoticeDeliveryFailed → PenaltyDecided → PenaltyPaid | AppealFiled → AppealResolved
 *     → CaseClosed;   CaseExpired (one year, undecided);   CaseVoided (signed, compensating)
 *
 * AI may propose; only a human decides: confirmations, decisions and voids are officer sign-offs that the
 * decider verifies itself. Facts from other aggregates arrive in `command.context`.
 */
import type { Decider } from '../decider.ts';
import { isModelApproved } from '../model/view.ts';
import { parseOrThrow } from '../signoff/builders.ts';
import { ActorNotAllowedError, InvalidCommandError } from '../signoff/errors.ts';
import type { OfficerView } from '../officer/view.ts';
import {
  describeInput,
  requireKnownCommand,
  requireNow,
  requireSameProvince,
  requireText,
} from '../signoff/guards.ts';
import {
  AppealSignoffSchema,
  DecisionSignoffSchema,
  OffenderSchema,
  ReviewSignoffSchema,
  VoidSignoffSchema,
} from '../signoff/payloads.ts';
import { EvidenceRefSchema, IdentifierSchema } from '../signoff/primitives.ts';
import { APPEAL_PURPOSE, DECISION_PURPOSE, REVIEW_PURPOSE, VOID_PURPOSE } from '../signoff/purposes.ts';
import { assertNever } from '../shared/errors.ts';
import { authorizeCaseActor } from './authorization.ts';
import { CASE_COMMAND_TYPES, type CaseCommand } from './commands.ts';
import { recordDetection } from './detection-rules.ts';
import {
  AppealAlreadyOpenError,
  CaseEndedError,
  CaseNotFoundError,
  CorrectionReasonRequiredError,
  DuplicateEvidenceError,
  InvalidCaseTransitionError,
  InvalidConfirmedPlateError,
  LimitationNotReachedError,
  LimitationPeriodElapsedError,
  ModelNotApprovedError,
  NoticeAlreadySettledError,
  OverrideReasonRequiredError,
  PaymentAmountMismatchError,
  RejectReasonError,
  ReviewRequiredError,
  SignoffContentMismatchError,
  UnknownAppealError,
  UnknownEvidenceError,
  UnknownNoticeError,
} from './errors.ts';
import {
  CaseEventSchemas,
  CaseFlagSchema,
  NOTICE_CHANNELS,
  type CaseEvent,
  type CloseReason,
} from './events.ts';
import { evolve, initialState } from './evolve.ts';
import {
  catalogEntryFor,
  limitationElapsed,
  limitationEndsAt,
  requireAuthority,
  requireLawfulPenalty,
  requireWithinLimitation,
} from './legal.ts';
import { plateKey, samePlate } from './plate-key.ts';
import { verifyOfficerSignoff } from './signoff-rules.ts';
import type { CaseState, CaseStatus, ExistingCase, OpenCaseStatus } from './state.ts';
import { parsePlate } from '../plates/index.ts';

type Command = CaseCommand;
type CommandType = Command['type'];

/** Commands the law still allows once a case is closed. */
const ALLOWED_AFTER_CLOSE: readonly CommandType[] = ['FileAppeal', 'ResolveAppeal', 'VoidCase'];
const REVIEWED: readonly OpenCaseStatus[] = ['confirmed', 'owner-identified', 'owner-not-found', 'noticed'];
const DECIDED: readonly OpenCaseStatus[] = ['decided', 'paid', 'appealed', 'appeal-resolved'];

function transitionError(kase: ExistingCase, command: Command): InvalidCaseTransitionError {
  return new InvalidCaseTransitionError(`${command.type} is not allowed in status ${kase.status}`, {
    status: kase.status,
    command: command.type,
  });
}

function requireStatus(kase: ExistingCase, command: Command, allowed: readonly CaseStatus[]): void {
  if (!allowed.includes(kase.status)) throw transitionError(kase, command);
}

function requireCase(state: CaseState, command: Command): ExistingCase {
  if (state.status === 'none')
    throw new CaseNotFoundError('No such case', { caseId: describeInput(command.caseId) });
  if (command.caseId !== state.caseId) throw new InvalidCommandError('caseId does not match the stream', {});
  requireSameProvince(command, state.province, true);
  const ended = state.status === 'closed' || state.status === 'expired' || state.status === 'voided';
  if (ended) {
    const reviewOrDecision =
      command.type === 'ConfirmReview' || command.type === 'RejectReview' || command.type === 'DecidePenalty';
    if (state.status === 'expired' && reviewOrDecision) {
      throw new LimitationPeriodElapsedError('The case expired: no review or decision any more', {
        caseId: state.caseId,
      });
    }
    const allowed =
      (state.status === 'closed' && ALLOWED_AFTER_CLOSE.includes(command.type)) ||
      (state.status === 'expired' && command.type === 'VoidCase');
    if (!allowed)
      throw new CaseEndedError(`The case is ${state.status}`, {
        status: state.status,
        command: command.type,
      });
  }
  return state;
}

function heldDigests(kase: ExistingCase): Set<string> {
  return new Set([...kase.originals.map((e) => e.digest), ...kase.derivations.map((d) => d.derived.digest)]);
}

function requireIdentifier(value: unknown, field: string): asserts value is string {
  if (!IdentifierSchema.safeParse(value).success)
    throw new InvalidCommandError(`${field} is not an identifier`, { field });
}

function decide(command: Command, state: CaseState): CaseEvent[] {
  requireKnownCommand(command?.type, CASE_COMMAND_TYPES);
  const now = requireNow(command);
  if (command.type === 'RecordDetection') return recordDetection(command, state, now);
  const kase = requireCase(state, command);
  // One rule for every command: who may issue it (officer enrolment, status, role, province; other actor kinds).
  const officer = authorizeCaseActor(command, kase.province);
  /** The authorised officer of a signed command (the table lets no other actor issue one). */
  const signer = (): OfficerView => {
    if (!officer) throw new ActorNotAllowedError(`Only a human officer may ${command.type}`, {});
    return officer;
  };

  switch (command.type) {
    case 'RecognizePlate': {
      const model = command.context?.model;
      if (!isModelApproved(model)) {
        throw new ModelNotApprovedError('Plate readings come only from an approved model version', {
          status: model?.status ?? 'unregistered',
        });
      }
      requireStatus(kase, command, ['detected']);
      if (!heldDigests(kase).has(command.sourceDigest))
        throw new UnknownEvidenceError('The source evidence is not held by the case', {});
      const data = {
        plate: command.plate,
        compact: typeof command.plate === 'string' ? plateKey(command.plate) || command.plate : '',
        confidenceBp: command.confidenceBp,
        sourceDigest: command.sourceDigest,
        model: { modelId: model.modelId, name: model.name, version: model.version },
        recognizedAt: now,
      };
      const events: CaseEvent[] = [
        {
          type: 'PlateRecognized',
          data: parseOrThrow(CaseEventSchemas.PlateRecognized, data, 'plate reading'),
        },
      ];
      const cameraRead = kase.detection.plateRead?.text;
      const alreadyFlagged = kase.flags.some((f) => f.flag === 'plate-mismatch');
      if (cameraRead !== undefined && !samePlate(cameraRead, command.plate) && !alreadyFlagged) {
        events.push({
          type: 'CaseFlagged',
          data: {
            flag: {
              flag: 'plate-mismatch',
              detail: 'The AI plate reading differs from the camera plate reading',
            },
            flaggedAt: now,
          },
        });
      }
      return events;
    }

    case 'DeriveEvidence': {
      const data = parseOrThrow(
        CaseEventSchemas.EvidenceDerived,
        {
          sourceDigest: command.sourceDigest,
          derived: command.derived,
          operation: command.operation,
          parameters: command.parameters,
          producer: command.producer,
          derivedAt: now,
        },
        'derived evidence',
      );
      const held = heldDigests(kase);
      if (!held.has(data.sourceDigest))
        throw new UnknownEvidenceError('The source evidence is not held by the case', {});
      if (held.has(data.derived.digest)) {
        // A worker retry of the same derivation is a no-op; anything else reusing the digest is a conflict.
        const same = kase.derivations.some(
          (d) =>
            d.derived.digest === data.derived.digest &&
            d.sourceDigest === data.sourceDigest &&
            d.operation === data.operation,
        );
        if (same) return [];
        throw new DuplicateEvidenceError('The derived digest is already held by the case', {
          digest: data.derived.digest,
        });
      }
      return [{ type: 'EvidenceDerived', data }];
    }

    case 'AttachEvidence': {
      requireStatus(kase, command, ['detected']);
      requireText(command.reason, 'reason');
      const evidence = parseOrThrow(
        CaseEventSchemas.EvidenceAttached.shape.evidence,
        command.evidence,
        'evidence',
      );
      const held = heldDigests(kase);
      const digests = evidence.map((e) => EvidenceRefSchema.parse(e).digest);
      if (new Set(digests).size !== digests.length || digests.some((d) => held.has(d))) {
        throw new DuplicateEvidenceError('Evidence is already held by the case', {});
      }
      return [{ type: 'EvidenceAttached', data: { evidence, reason: command.reason, attachedAt: now } }];
    }

    case 'FlagCase': {
      requireStatus(kase, command, ['detected']);
      const flag = parseOrThrow(CaseFlagSchema, command.flag, 'flag');
      return [{ type: 'CaseFlagged', data: { flag, flaggedAt: now } }];
    }

    case 'RecordProcessingFailure': {
      // A job may fail after the case moved on (a notice after a decision): the fact is recorded in any state.
      const data = parseOrThrow(
        CaseEventSchemas.ProcessingFailed,
        {
          job: command.job,
          jobId: command.jobId,
          reasonCode: command.reasonCode,
          reason: command.reason,
          attempts: command.attempts,
          failedAt: now,
        },
        'processing failure',
      );
      return [{ type: 'ProcessingFailed', data }];
    }

    case 'ConfirmReview': {
      requireStatus(kase, command, ['detected']);
      requireWithinLimitation(kase.detection.observedAt, now);
      const signoff = verifyOfficerSignoff(kase, command, signer(), {
        purpose: REVIEW_PURPOSE,
        schema: ReviewSignoffSchema,
        what: 'confirm a review',
      });
      if (signoff.decision !== 'confirm')
        throw new SignoffContentMismatchError('ConfirmReview takes a "confirm" sign-off', {});
      if (signoff.rejectReason !== undefined || signoff.rejectNote !== undefined) {
        throw new RejectReasonError('A confirmation carries no reject reason', {});
      }
      try {
        parsePlate(signoff.plate);
      } catch {
        throw new InvalidConfirmedPlateError('The confirmed plate is not a valid plate', {});
      }
      const detection = kase.detection;
      const plateChanged =
        detection.plateRead !== undefined && !samePlate(detection.plateRead.text, signoff.plate);
      if (
        (plateChanged || signoff.violationCode !== detection.violationCode) &&
        signoff.correction === undefined
      ) {
        throw new CorrectionReasonRequiredError(
          'A changed plate or violation code needs a correction reason',
          {},
        );
      }
      catalogEntryFor(signoff.violationCode, detection.vehicleClass, detection.observedAt);
      const overridden = [...new Set(kase.flags.map((f) => f.flag))];
      if (overridden.length > 0 && signoff.overrideReason === undefined) {
        throw new OverrideReasonRequiredError(
          'A flagged case is confirmed only with an explicit override reason',
          { flags: overridden },
        );
      }
      return [
        {
          type: 'ReviewConfirmed',
          data: {
            signoff,
            signature: command.signature,
            keyId: command.keyId,
            ...(overridden.length > 0 ? { overriddenFlags: overridden } : {}),
          },
        },
      ];
    }

    case 'RejectReview': {
      requireStatus(kase, command, ['detected']);
      requireWithinLimitation(kase.detection.observedAt, now);
      const signoff = verifyOfficerSignoff(kase, command, signer(), {
        purpose: REVIEW_PURPOSE,
        schema: ReviewSignoffSchema,
        what: 'reject a review',
      });
      if (signoff.decision !== 'reject')
        throw new SignoffContentMismatchError('RejectReview takes a "reject" sign-off', {});
      if (signoff.rejectReason === undefined)
        throw new RejectReasonError('A rejection needs an explicit reason', {});
      return [
        { type: 'ReviewRejected', data: { signoff, signature: command.signature, keyId: command.keyId } },
      ];
    }

    case 'IdentifyOwner': {
      requireStatus(kase, command, ['confirmed', 'owner-not-found']);
      const owner = parseOrThrow(OffenderSchema, command.owner, 'owner');
      requireText(command.registry, 'registry', 200);
      if (command.registrationRef !== undefined)
        requireIdentifier(command.registrationRef, 'registrationRef');
      return [
        {
          type: 'OwnerIdentified',
          data: {
            owner,
            registry: command.registry,
            ...(command.registrationRef !== undefined ? { registrationRef: command.registrationRef } : {}),
            identifiedAt: now,
          },
        },
      ];
    }

    case 'RecordOwnerNotFound': {
      requireStatus(kase, command, ['confirmed']);
      requireText(command.registry, 'registry', 200);
      requireText(command.reason, 'reason');
      return [
        {
          type: 'OwnerNotFound',
          data: { registry: command.registry, reason: command.reason, checkedAt: now },
        },
      ];
    }

    case 'IssueNotice': {
      requireStatus(kase, command, ['owner-identified', 'noticed']);
      requireIdentifier(command.noticeId, 'noticeId');
      if (!(NOTICE_CHANNELS as readonly string[]).includes(command.channel))
        throw new InvalidCommandError('Unknown notice channel', {});
      const existing = kase.notices.find((n) => n.noticeId === command.noticeId);
      if (existing) {
        if (existing.channel === command.channel) return [];
        throw new InvalidCaseTransitionError('The notice id was issued on another channel', {
          noticeId: command.noticeId,
        });
      }
      return [
        {
          type: 'NoticeIssued',
          data: { noticeId: command.noticeId, channel: command.channel, issuedAt: now },
        },
      ];
    }

    case 'RecordNoticeDelivered':
    case 'RecordNoticeDeliveryFailed': {
      const notice = kase.notices.find((n) => n.noticeId === command.noticeId);
      if (!notice) throw new UnknownNoticeError('No such notice', {});
      const outcome = command.type === 'RecordNoticeDelivered' ? 'delivered' : 'failed';
      if (notice.delivery === outcome) return [];
      if (notice.delivery !== 'pending')
        throw new NoticeAlreadySettledError('The notice delivery is already settled', {
          delivery: notice.delivery,
        });
      if (command.type === 'RecordNoticeDelivered') {
        return [{ type: 'NoticeDelivered', data: { noticeId: notice.noticeId, deliveredAt: now } }];
      }
      requireText(command.reason, 'reason');
      return [
        {
          type: 'NoticeDeliveryFailed',
          data: { noticeId: notice.noticeId, reason: command.reason, failedAt: now },
        },
      ];
    }

    case 'DecidePenalty': {
      if (kase.status === 'detected' || kase.status === 'rejected' || kase.review?.decision !== 'confirm') {
        throw new ReviewRequiredError('No penalty without a confirmed human review', { status: kase.status });
      }
      requireStatus(kase, command, REVIEWED);
      requireWithinLimitation(kase.detection.observedAt, now);
      const decider = signer();
      const signoff = verifyOfficerSignoff(kase, command, decider, {
        purpose: DECISION_PURPOSE,
        schema: DecisionSignoffSchema,
        what: 'decide a penalty',
      });
      if (
        signoff.violationCode !== kase.review.violationCode ||
        !samePlate(signoff.plate, kase.review.plate)
      ) {
        throw new SignoffContentMismatchError(
          'The decision names another violation or plate than the review confirmed',
          {},
        );
      }
      const entry = catalogEntryFor(
        signoff.violationCode,
        kase.detection.vehicleClass,
        kase.detection.observedAt,
      );
      requireLawfulPenalty(signoff, entry, decider.title);
      return [
        {
          type: 'PenaltyDecided',
          data: {
            signoff,
            signature: command.signature,
            keyId: command.keyId,
            catalogVersion: entry.catalogVersion,
          },
        },
      ];
    }

    case 'RecordPayment': {
      if (!kase.decision) throw transitionError(kase, command);
      requireStatus(kase, command, ['decided', 'appealed', 'appeal-resolved']);
      if (kase.paidVnd !== undefined) throw transitionError(kase, command);
      if (kase.appeals.some((a) => a.outcome === 'overturned')) throw transitionError(kase, command);
      requireIdentifier(command.paymentRef, 'paymentRef');
      if (command.amountVnd !== kase.decision.fineVnd) {
        throw new PaymentAmountMismatchError('The amount paid differs from the fine', {
          amountVnd: command.amountVnd,
          fineVnd: kase.decision.fineVnd,
        });
      }
      return [
        {
          type: 'PenaltyPaid',
          data: { paymentRef: command.paymentRef, amountVnd: command.amountVnd, paidAt: now },
        },
      ];
    }

    case 'FileAppeal': {
      const before =
        kase.status === 'closed'
          ? kase.statusBeforeEnd
          : kase.status === 'expired' || kase.status === 'voided'
            ? undefined
            : kase.status;
      if (!kase.decision || before === undefined || !DECIDED.includes(before))
        throw transitionError(kase, command);
      requireIdentifier(command.appealId, 'appealId');
      requireText(command.grounds, 'grounds');
      if (kase.appeals.some((a) => a.outcome === undefined))
        throw new AppealAlreadyOpenError('An appeal is already open', {});
      if (kase.appeals.some((a) => a.appealId === command.appealId))
        throw new AppealAlreadyOpenError('Appeal id already used', {});
      return [
        { type: 'AppealFiled', data: { appealId: command.appealId, grounds: command.grounds, filedAt: now } },
      ];
    }

    case 'ResolveAppeal': {
      const appeal = kase.appeals.find((a) => a.appealId === command.appealId && a.outcome === undefined);
      if (!appeal || !kase.decision || !kase.review)
        throw new UnknownAppealError('No open appeal with this id', {});
      const resolver = signer();
      const signoff = verifyOfficerSignoff(kase, command, resolver, {
        purpose: APPEAL_PURPOSE,
        schema: AppealSignoffSchema,
        what: 'resolve an appeal',
      });
      if (
        signoff.appealId !== appeal.appealId ||
        signoff.violationCode !== kase.decision.violationCode ||
        !samePlate(signoff.plate, kase.review.plate)
      ) {
        throw new SignoffContentMismatchError(
          'The appeal sign-off names another appeal, violation or plate than the decided penalty',
          {},
        );
      }
      // The new fine is signed exactly where the outcome changes it: overturned → 0; upheld → unchanged.
      const newFine = signoff.outcome === 'overturned' ? 0 : undefined;
      if (signoff.fineVnd !== newFine) {
        throw new SignoffContentMismatchError('The signed fine does not match the outcome', {
          outcome: signoff.outcome,
        });
      }
      // Altering (or confirming) a signed penalty needs authority over it: the decided violation's fine range
      // under the catalog version applied, for the decided offender kind.
      const entry = catalogEntryFor(
        kase.decision.violationCode,
        kase.detection.vehicleClass,
        kase.detection.observedAt,
      );
      requireAuthority(resolver.title, entry, kase.decision.offender.kind);
      return [
        {
          type: 'AppealResolved',
          data: {
            appealId: appeal.appealId,
            outcome: signoff.outcome,
            reason: signoff.reason,
            resolvedBy: resolver.officerId,
            resolvedAt: now,
            signoff,
            signature: command.signature,
            keyId: command.keyId,
          },
        },
      ];
    }

    case 'CloseCase': {
      const reason = closeReason(kase);
      if (!reason) throw transitionError(kase, command);
      return [{ type: 'CaseClosed', data: { reason, closedAt: now } }];
    }

    case 'ExpireCase': {
      const observedAt = kase.detection.observedAt;
      if (kase.decision || !limitationElapsed(observedAt, now)) {
        throw new LimitationNotReachedError('A case expires only undecided, one year after the violation', {
          limitationEndsAt: limitationEndsAt(observedAt),
          decided: kase.decision !== undefined,
        });
      }
      return [
        {
          type: 'CaseExpired',
          data: { observedAt, limitationEndsAt: limitationEndsAt(observedAt), expiredAt: now },
        },
      ];
    }

    case 'VoidCase': {
      const signoff = verifyOfficerSignoff(kase, command, signer(), {
        purpose: VOID_PURPOSE,
        schema: VoidSignoffSchema,
        what: 'void a case',
      });
      return [{ type: 'CaseVoided', data: { signoff, signature: command.signature, keyId: command.keyId } }];
    }

    default:
      return assertNever(command, 'case command');
  }
}

/** Why an open case may close now, or undefined when it may not. */
function closeReason(kase: ExistingCase): CloseReason | undefined {
  if (kase.appeals.some((a) => a.outcome === undefined)) return undefined;
  switch (kase.status) {
    case 'rejected':
      return 'rejected';
    case 'owner-not-found':
      return 'owner-not-found';
    case 'paid':
      return 'paid';
    case 'appeal-resolved':
      if (kase.appeals.at(-1)?.outcome === 'overturned') return 'appeal-overturned';
      return kase.paidVnd !== undefined ? 'paid' : undefined;
    default:
      return undefined;
  }
}

export const caseDecider: Decider<CaseCommand, CaseEvent, CaseState> = {
  decide,
  evolve,
  initialState,
};
