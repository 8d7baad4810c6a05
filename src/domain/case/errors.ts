/**
 * Case refusals, one class per rule. The HTTP layer maps `category` to a status; tests match on classes.
 */
import { AppError, DomainRuleError, type ErrorCategory } from '../shared/errors.ts';

export class CaseNotFoundError extends AppError {
  readonly category = 'not_found' as const;
  readonly code = 'case-not-found';
}

/** The command's caseId is not `caseIdForDetection(detection.detectionId)`. */
export class CaseIdMismatchError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'case-id-mismatch';
}

/** The same detection id was ingested before with different content. */
export class DetectionConflictError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'detection-conflict';
}

/** The detection's signature does not verify under the camera key it names. */
export class DetectionSignatureInvalidError extends DomainRuleError {
  readonly code = 'detection-signature-invalid';
}

/** The camera key named is unknown, revoked, or was not in force at observedAt. */
export class DeviceKeyNotInForceError extends DomainRuleError {
  readonly code = 'device-key-not-in-force';
}

/** The camera is not registered, decommissioned, or not the one the detection names. */
export class CameraNotUsableError extends DomainRuleError {
  readonly code = 'camera-not-usable';
}

/** A timestamp lies in the future beyond the tolerated clock skew. */
export class TimestampInFutureError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'timestamp-in-future';
}

/** The catalog has no entry for the violation code and vehicle class on the violation date. */
export class UnknownViolationError extends DomainRuleError {
  readonly code = 'unknown-violation';
}

/** The command is not allowed in the case's current status. */
export class InvalidCaseTransitionError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'invalid-case-transition';
}

/** The case is closed, expired or voided, and the law allows no such event afterwards. */
export class CaseEndedError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'case-ended';
}

/** No penalty without a confirmed human review. */
export class ReviewRequiredError extends DomainRuleError {
  readonly code = 'review-required';
}

/** The sign-off's purpose or decision is not the one this command takes. */
export class SignoffPurposeError extends DomainRuleError {
  readonly code = 'signoff-purpose';
}

/** The sign-off names another case. */
export class SignoffCaseMismatchError extends DomainRuleError {
  readonly code = 'signoff-case-mismatch';
}

/** The signed evidence digests are not exactly the case's original evidence, sorted. */
export class SignoffEvidenceMismatchError extends DomainRuleError {
  readonly code = 'signoff-evidence-mismatch';
}

/** The signed caseRevision is not lower than the revision the sign-off would be recorded at. */
export class SignoffRevisionError extends DomainRuleError {
  readonly code = 'signoff-revision';
}

/** The sign-off signature does not verify under the officer's key. */
export class SignoffSignatureInvalidError extends DomainRuleError {
  readonly code = 'signoff-signature-invalid';
}

/** The sign-off's violation code differs from what the review established (or the plate from the review's). */
export class SignoffContentMismatchError extends DomainRuleError {
  readonly code = 'signoff-content-mismatch';
}

/** A flagged case is confirmed only with an explicit overrideReason. */
export class OverrideReasonRequiredError extends DomainRuleError {
  readonly code = 'override-reason-required';
}

/** A confirmation that changes the plate or violation code MUST say why (`correction`). */
export class CorrectionReasonRequiredError extends DomainRuleError {
  readonly code = 'correction-reason-required';
}

/** A rejection MUST carry an explicit rejectReason; a confirmation MUST NOT. */
export class RejectReasonError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'reject-reason';
}

/** The confirmed plate text is not a valid Vietnamese plate. */
export class InvalidConfirmedPlateError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'invalid-confirmed-plate';
}

/** The fine is outside the legal range for the violation, vehicle class and offender on the violation date. */
export class FineOutOfRangeError extends DomainRuleError {
  readonly code = 'fine-out-of-range';
}

/** The signed points or legal basis differ from the catalog entry in force. */
export class PenaltyTermsMismatchError extends DomainRuleError {
  readonly code = 'penalty-terms-mismatch';
}

/** The officer's title does not give authority up to the top of the violation's fine range. */
export class AuthorityExceededError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'authority-exceeded';
}

/** One year since observedAt has passed: no review or decision any more. */
export class LimitationPeriodElapsedError extends DomainRuleError {
  readonly code = 'limitation-period-elapsed';
}

/** ExpireCase before the one-year limitation ran out (or after a decision). */
export class LimitationNotReachedError extends DomainRuleError {
  readonly code = 'limitation-not-reached';
}

/** A plate reading from a model version that is not approved (or is suspended). */
export class ModelNotApprovedError extends DomainRuleError {
  readonly code = 'model-not-approved';
}

/** Evidence named as a source is not held by the case. */
export class UnknownEvidenceError extends DomainRuleError {
  readonly code = 'unknown-evidence';
}

/** Evidence already held by the case is attached or derived again. */
export class DuplicateEvidenceError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'duplicate-evidence';
}

export class PaymentAmountMismatchError extends DomainRuleError {
  readonly code = 'payment-amount-mismatch';
}

export class UnknownNoticeError extends DomainRuleError {
  readonly code = 'unknown-notice';
}

export class NoticeAlreadySettledError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'notice-already-settled';
}

export class UnknownAppealError extends DomainRuleError {
  readonly code = 'unknown-appeal';
}

export class AppealAlreadyOpenError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'appeal-already-open';
}

/** A penalty decision before the violation record (biên bản) was drawn up (Decree 168 Art. 47.8.c). */
export class ViolationRecordRequiredError extends DomainRuleError {
  readonly code = 'violation-record-required';
}

/**
 * A record or decision on a case whose owner was not found: no offender was identified or notified, and no
 * legal ground for deciding without one is recorded (docs/legal-procedure.md).
 */
export class NoLegalGroundError extends DomainRuleError {
  readonly code = 'no-legal-ground';
}

/** A period the law sets has run out (e.g. the 10 days to transfer a case). */
export class ProcedurePeriodElapsedError extends DomainRuleError {
  readonly code = 'procedure-period-elapsed';
}

/** A period the law sets is still running (e.g. the 20 days for the owner to respond to a notice). */
export class ProcedurePeriodRunningError extends DomainRuleError {
  readonly code = 'procedure-period-running';
}

/** An agency warning recorded for a case with no `OwnerUnresponsive`, or for an agency it did not name. */
export class AgencyNotWarnedError extends DomainRuleError {
  readonly code = 'agency-not-warned';
}

/** The same agency's warning recorded again with another warning id or receipt (a second, different send). */
export class AgencyWarningConflictError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'agency-warning-conflict';
}

/** Licence points from anyone but an identified individual driver (never from an organisation). */
export class LicencePointsError extends DomainRuleError {
  readonly code = 'licence-points';
}

/** The record or decision names another offender than the procedure allows (the named driver, else the owner). */
export class OffenderMismatchError extends DomainRuleError {
  readonly code = 'offender-mismatch';
}

/** The violation record leaves out, or alters, the owner's explanation. */
export class RecordExplanationMismatchError extends DomainRuleError {
  readonly code = 'record-explanation-mismatch';
}

/** The receiving province is unknown or is the one already handling the case. */
export class InvalidTransferTargetError extends DomainRuleError {
  override readonly category: ErrorCategory = 'validation';
  readonly code = 'invalid-transfer-target';
}

/**
 * A citizen actor acting on a case of another vehicle: the actor's pseudonym is not the holder pseudonym of the
 * case's plate (citizen-rules.ts). The portal finds cases only through the grant's plate; this is the decider's
 * own guard behind it.
 */
export class NotTheVehicleHolderError extends DomainRuleError {
  override readonly category: ErrorCategory = 'forbidden';
  readonly code = 'not-the-vehicle-holder';
}

/** An organisation owning the vehicle answers a notice by naming its driver first (Decree 168 Art. 47.8.b). */
export class OrganisationMustNameDriverError extends DomainRuleError {
  readonly code = 'organisation-must-name-driver';
}

/**
 * A document of the case is issued again from the same template with other bytes: what a person holds must be
 * regenerable from the events, so the first digest stands (a changed layout is a new template version).
 */
export class DocumentDigestConflictError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'document-digest-conflict';
}

/** The case has not reached the event a document is made from (no such notice, no record, no decision). */
export class DocumentSourceMissingError extends DomainRuleError {
  readonly code = 'document-source-missing';
}

/**
 * A handed-over case whose proof does not hold: the checkpoint does not open under the sending log's key, is not
 * cosigned by a witness this node trusts, or the transfer record is not in its tree (inclusion proof).
 */
export class HandoverProofError extends DomainRuleError {
  readonly code = 'handover-proof-invalid';
}

/** The handed-over facts do not match the signed transfer (case, plate, violation, originals) or its record. */
export class HandoverMismatchError extends DomainRuleError {
  readonly code = 'handover-mismatch';
}

/** This node already holds another case under the handed-over case id (a different origin or record). */
export class HandoverConflictError extends AppError {
  readonly category = 'conflict' as const;
  readonly code = 'handover-conflict';
}
