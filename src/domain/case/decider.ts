/**
 * Case decider: the lifecycle of one detected violation, from the camera's signed detection to closure.
 *
 *   ViolationDetected → PlateRecognized / EvidenceDerived / EvidenceAttached / CaseFlagged
 *     → ReviewConfirmed | ReviewRejected → OwnerIdentified | OwnerNotFound → NoticeIssued
 *     (CaseTransferred to the owner's province) → NoticeIssued → NoticeDelivered | NoticeDeliveryFailed
 *     → ExplanationSubmitted / DriverIdentified | OwnerUnresponsive (20 days) → ViolationRecordDrawn
 *     → PenaltyDecided → PaymentRecorded | AppealFiled → AppealResolved
 *     → CaseClosed;   CaseExpired (one year, undecided);   CaseVoided (signed, compensating)
 *   Across nodes: CaseTransferred (handover `federation`) + CaseClosed (`transferred`) on the sending node;
 *   CaseReceived + EvidenceAttached → NoticeIssued → … on the receiving node (handlers/handover.ts).
 *
 * AI may propose; only a human decides: confirmations, decisions and voids are officer sign-offs that the
 * decider verifies itself. Facts from other aggregates arrive in `command.context`.
 */
import type { Decider } from '../decider.ts';
import type { OfficerView } from '../officer/view.ts';
import { ActorNotAllowedError, InvalidCommandError } from '../signoff/errors.ts';
import { describeInput, requireKnownCommand, requireNow, requireSameProvince } from '../signoff/guards.ts';
import { authorizeCaseActor } from './authorization.ts';
import { requireCitizenHolder } from './citizen-rules.ts';
import { CASE_COMMAND_TYPES, type CaseCommand } from './commands.ts';
import { recordDetection } from './detection-rules.ts';
import { CaseEndedError, CaseNotFoundError, LimitationPeriodElapsedError } from './errors.ts';
import type { CaseEvent } from './events.ts';
import { evolve, initialState } from './evolve.ts';
import {
  attachEvidence,
  deriveEvidence,
  flagCase,
  recognizePlate,
  recordProcessingFailure,
} from './handlers/evidence.ts';
import { recordDocumentIssued } from './handlers/documents.ts';
import { closeCase, expireCase, voidCase } from './handlers/lifecycle.ts';
import {
  identifyOwner,
  issueNotice,
  recordNoticeDelivery,
  recordOwnerNotFound,
} from './handlers/owner-notice.ts';
import { decidePenalty, fileAppeal, recordPayment, resolveAppeal } from './handlers/penalty.ts';
import {
  drawViolationRecord,
  handlingProvince,
  identifyDriver,
  recordOwnerUnresponsive,
  recordAgencyWarningSent,
  submitExplanation,
  transferCase,
} from './handlers/procedure.ts';
import { receiveCase } from './handlers/handover.ts';
import { confirmReview, rejectReview } from './handlers/review.ts';
import type { CaseHandler, HandlerContext } from './handlers/shared.ts';
import type { CaseState, ExistingCase } from './state.ts';

type Command = CaseCommand;
type CommandType = Command['type'];

/** Commands the law still allows once a case is closed. */
const ALLOWED_AFTER_CLOSE: readonly CommandType[] = ['FileAppeal', 'ResolveAppeal', 'VoidCase', 'RecordDocumentIssued'];

/**
 * One handler per command on an existing case (`RecordDetection` and `ReceiveCase` create the case and are
 * decided before).
 * A command type added to `CaseCommand` fails compilation here until it has a handler.
 */
const HANDLERS = {
  RecognizePlate: recognizePlate,
  DeriveEvidence: deriveEvidence,
  AttachEvidence: attachEvidence,
  FlagCase: flagCase,
  RecordProcessingFailure: recordProcessingFailure,
  ConfirmReview: confirmReview,
  RejectReview: rejectReview,
  IdentifyOwner: identifyOwner,
  RecordOwnerNotFound: recordOwnerNotFound,
  IssueNotice: issueNotice,
  RecordNoticeDelivered: recordNoticeDelivery,
  RecordNoticeDeliveryFailed: recordNoticeDelivery,
  TransferCase: transferCase,
  SubmitExplanation: submitExplanation,
  IdentifyDriver: identifyDriver,
  RecordOwnerUnresponsive: recordOwnerUnresponsive,
  RecordAgencyWarningSent: recordAgencyWarningSent,
  DrawViolationRecord: drawViolationRecord,
  DecidePenalty: decidePenalty,
  RecordDocumentIssued: recordDocumentIssued,
  RecordPayment: recordPayment,
  FileAppeal: fileAppeal,
  ResolveAppeal: resolveAppeal,
  CloseCase: closeCase,
  ExpireCase: expireCase,
  VoidCase: voidCase,
} satisfies {
  [T in Exclude<CommandType, 'RecordDetection' | 'ReceiveCase'>]: (
    command: Extract<Command, { type: T }>,
    context: HandlerContext,
  ) => CaseEvent[];
};

function requireCase(state: CaseState, command: Command): ExistingCase {
  if (state.status === 'none')
    throw new CaseNotFoundError('No such case', { caseId: describeInput(command.caseId) });
  if (command.caseId !== state.caseId) throw new InvalidCommandError('caseId does not match the stream', {});
  // After a transfer the receiving province's police handle the case (in a single node).
  if (!(state.transfer && command.province === state.transfer.toProvince))
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

function decide(command: Command, state: CaseState): CaseEvent[] {
  requireKnownCommand(command?.type, CASE_COMMAND_TYPES);
  const now = requireNow(command);
  if (command.type === 'RecordDetection') return recordDetection(command, state, now);
  if (command.type === 'ReceiveCase') {
    authorizeCaseActor(command, command.province);
    return receiveCase(command, state, now);
  }
  const kase: ExistingCase = requireCase(state, command);
  // One rule for every command: who may issue it (officer enrolment, status, role, province; other actor kinds).
  const officer = authorizeCaseActor(command, handlingProvince(kase));
  // A citizen acts only on the cases of the vehicle they hold.
  requireCitizenHolder(command.actor, kase);
  /** The authorised officer of a signed command (the table lets no other actor issue one). */
  const signer = (): OfficerView => {
    if (!officer) throw new ActorNotAllowedError(`Only a human officer may ${command.type}`, {});
    return officer;
  };
  const handler = HANDLERS[command.type] as CaseHandler<typeof command.type>;
  return handler(command, { kase, now, signer });
}

export const caseDecider: Decider<CaseCommand, CaseEvent, CaseState> = {
  decide,
  evolve,
  initialState,
};
