/**
 * Signature purposes (integrity.md §4): the `purpose` member of every signed payload, which separates
 * signature domains (a signature for one purpose MUST NOT be accepted for another). Defined here once, with
 * no dependency, so the payload schemas, the case decider, the bundle format and verifier and the web UI
 * (which builds sign-offs in the browser) all use the same constants. Normative: a change is a new version
 * (`review/v2`), never an edit.
 */
export const DETECTION_PURPOSE = 'detection/v1';
/** `detection/v1` plus the plate colour the camera saw (integrity.md §4, "purposes added"). */
export const DETECTION_V2_PURPOSE = 'detection/v2';
/** Every detection purpose a node accepts and a verifier checks, each under its own schema. */
export const DETECTION_PURPOSES = [DETECTION_PURPOSE, DETECTION_V2_PURPOSE] as const;
export const REVIEW_PURPOSE = 'review/v1';
export const DECISION_PURPOSE = 'decision/v1';
/** Compensating sign-off for `CaseVoided`; same shape and rules as the other sign-offs. */
export const VOID_PURPOSE = 'void/v1';
/** Sign-off for `AppealResolved`: resolving an appeal alters (or confirms) a signed penalty (integrity.md §4). */
export const APPEAL_PURPOSE = 'appeal/v1';
/**
 * Sign-off for placing or lifting a legal hold (`LegalHoldPlaced` / `LegalHoldLifted` on `retention-<caseId>`,
 * docs/data-protection.md "Legal hold"). Not a case record, so not in `SIGNOFF_PURPOSES`: the retention decider
 * checks it, and a hold record carries it so anyone holding the officer's keys can check who ordered the hold.
 */
export const HOLD_PURPOSE = 'hold/v1';

/** Sign-off for `ViolationRecordDrawn`: the violation record (biên bản) signed by the officer who drew it up. */
export const RECORD_PURPOSE = 'record/v1';
/** Sign-off for `CaseTransferred`: the transfer to the police of the owner's province (Circular 73/2024 Art. 24). */
export const TRANSFER_PURPOSE = 'transfer/v1';

/** Sign-off record types and the purpose their signed payload MUST carry (bundle.md step 8). */
export const SIGNOFF_PURPOSES = {
  ReviewConfirmed: REVIEW_PURPOSE,
  ReviewRejected: REVIEW_PURPOSE,
  PenaltyDecided: DECISION_PURPOSE,
  CaseVoided: VOID_PURPOSE,
  /** Added with integrity.md §4 "purposes added": resolving an appeal alters a signed penalty. */
  AppealResolved: APPEAL_PURPOSE,
  /** Added with the camera-case procedure (docs/legal-procedure.md). */
  ViolationRecordDrawn: RECORD_PURPOSE,
  CaseTransferred: TRANSFER_PURPOSE,
} as const;
