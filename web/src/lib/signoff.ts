/**
 * Sign-off payloads (integrity.md §4) built and signed in the browser. The field names and shapes are those
 * of `src/domain/signoff/payloads.ts` (review/v1, decision/v1, record/v1, appeal/v1); the server re-validates the payload against
 * those schemas and verifies the signature over the same JCS bytes, so any divergence is refused there.
 *
 * Why not import the server's builders: they pull zod and a node:crypto hash module. The canonicalizer is
 * shared (pure), so the bytes signed here are exactly the bytes verified there.
 */
import nacl from 'tweetnacl';
import { canonicalBytes } from '../../../src/domain/integrity/canonical.ts';
import { toBase64 } from '../../../src/domain/integrity/encoding.ts';
import { APPEAL_PURPOSE, DECISION_PURPOSE, RECORD_PURPOSE, REVIEW_PURPOSE } from '../../../src/domain/signoff/purposes.ts';
import type { UnlockedKey } from './keystore.ts';
import type { GetResponse, PostBody } from './api.ts';

export const REJECT_REASONS = ['no-violation', 'plate-unreadable', 'plate-mismatch', 'exempt-vehicle', 'equipment-fault', 'duplicate', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** What every sign-off on a case must carry as of its revision: the case document's `signoffBasis`. */
export type SignoffBasis = GetResponse<'/v1/cases/{caseId}'>['signoffBasis'];

export interface ReviewInput {
  basis: SignoffBasis;
  decision: 'confirm' | 'reject';
  plate: string;
  violationCode: string;
  signedAt: string;
  correction?: string;
  rejectReason?: RejectReason;
  rejectNote?: string;
  overrideReason?: string;
}

/** The body `POST /v1/cases/{caseId}/review` takes, and the sign-off in it (generated OpenAPI types). */
export type ReviewBody = PostBody<'/v1/cases/{caseId}/review'>;
export type ReviewPayload = ReviewBody['signoff'];
/** The body `POST /v1/cases/{caseId}/decision` takes, and the sign-off in it. */
export type DecisionBody = PostBody<'/v1/cases/{caseId}/decision'>;
export type DecisionPayload = DecisionBody['signoff'];
export type LegalBasis = DecisionPayload['legalBasis'];

export interface DecisionInput {
  basis: SignoffBasis;
  plate: string;
  violationCode: string;
  signedAt: string;
  fineVnd: number;
  points: number;
  legalBasis: LegalBasis;
  offender: DecisionPayload['offender'];
}

/** The body `POST /v1/cases/{caseId}/record` takes, and the sign-off in it. */
export type RecordBody = PostBody<'/v1/cases/{caseId}/record'>;
export type RecordPayload = RecordBody['signoff'];

export interface RecordInput {
  basis: SignoffBasis;
  plate: string;
  violationCode: string;
  signedAt: string;
  /** The record's number (biên bản số): an identifier the officer's unit assigns. */
  recordId: string;
  /** Who the record is drawn against: the named driver, else the owner (the decision will name the same). */
  offender: RecordPayload['offender'];
  /** The owner's explanation, verbatim, when they explained (the server refuses an altered one). */
  explanation?: string;
}

/** The body `POST /v1/cases/{caseId}/appeals/{appealId}/resolution` takes, and the sign-off in it. */
export type AppealBody = PostBody<'/v1/cases/{caseId}/appeals/{appealId}/resolution'>;
export type AppealPayload = AppealBody['signoff'];

export interface AppealInput {
  basis: SignoffBasis;
  plate: string;
  violationCode: string;
  signedAt: string;
  appealId: string;
  outcome: 'upheld' | 'overturned';
  reason: string;
}

export type SignoffPayload = ReviewPayload | DecisionPayload | RecordPayload | AppealPayload;

function sorted(digests: readonly string[]): string[] {
  return [...new Set(digests)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function withoutEmpty<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}

export function buildReview(input: ReviewInput): ReviewPayload {
  return withoutEmpty({
    purpose: REVIEW_PURPOSE,
    caseId: input.basis.caseId,
    caseRevision: input.basis.caseRevision,
    decision: input.decision,
    violationCode: input.violationCode.trim(),
    plate: input.plate.trim(),
    evidence: sorted(input.basis.evidence),
    signedAt: input.signedAt,
    correction: input.correction?.trim(),
    rejectReason: input.decision === 'reject' ? input.rejectReason : undefined,
    rejectNote: input.decision === 'reject' ? input.rejectNote?.trim() : undefined,
    overrideReason: input.overrideReason?.trim(),
  });
}

export function buildDecision(input: DecisionInput): DecisionPayload {
  return {
    purpose: DECISION_PURPOSE,
    caseId: input.basis.caseId,
    caseRevision: input.basis.caseRevision,
    decision: 'penalty',
    violationCode: input.violationCode,
    plate: input.plate,
    evidence: sorted(input.basis.evidence),
    signedAt: input.signedAt,
    fineVnd: input.fineVnd,
    points: input.points,
    legalBasis: input.legalBasis,
    offender: input.offender,
  };
}

/** record/v1 (RecordSignoffSchema): the violation record, drawn before the decision. */
export function buildRecord(input: RecordInput): RecordPayload {
  const payload: RecordPayload = {
    purpose: RECORD_PURPOSE,
    caseId: input.basis.caseId,
    caseRevision: input.basis.caseRevision,
    decision: 'record',
    violationCode: input.violationCode.trim(),
    plate: input.plate.trim(),
    evidence: sorted(input.basis.evidence),
    signedAt: input.signedAt,
    recordId: input.recordId.trim(),
    offender: { kind: input.offender.kind, ref: input.offender.ref.trim() },
  };
  // Verbatim: not trimmed, and absent (not empty) when the owner did not explain.
  if (input.explanation !== undefined && input.explanation !== '') payload.explanation = input.explanation;
  return payload;
}

/** appeal/v1 (AppealSignoffSchema): an appeal resolved; an overturned decision's fine becomes 0. */
export function buildAppeal(input: AppealInput): AppealPayload {
  return {
    purpose: APPEAL_PURPOSE,
    caseId: input.basis.caseId,
    caseRevision: input.basis.caseRevision,
    decision: 'appeal',
    violationCode: input.violationCode.trim(),
    plate: input.plate.trim(),
    evidence: sorted(input.basis.evidence),
    signedAt: input.signedAt,
    appealId: input.appealId,
    outcome: input.outcome,
    reason: input.reason.trim(),
    ...(input.outcome === 'overturned' ? { fineVnd: 0 } : {}),
  };
}

/** Ed25519 over JCS(payload) with the officer's unlocked key: the body the sign-off routes take. */
export function signPayload<P extends SignoffPayload>(payload: P, key: UnlockedKey): { signoff: P; signature: string; keyId: string } {
  const signature = nacl.sign.detached(canonicalBytes(payload), key.secretKey);
  return { signoff: payload, signature: toBase64(signature), keyId: key.keyId };
}
