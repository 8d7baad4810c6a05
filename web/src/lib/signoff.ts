/**
 * Sign-off payloads (integrity.md §4) built and signed in the browser. The field names and shapes are those
 * of `src/domain/signoff/payloads.ts` (review/v1, decision/v1); the server re-validates the payload against
 * those schemas and verifies the signature over the same JCS bytes, so any divergence is refused there.
 *
 * Why not import the server's builders: they pull zod and a node:crypto hash module. The canonicalizer is
 * shared (pure), so the bytes signed here are exactly the bytes verified there.
 */
import nacl from 'tweetnacl';
import { canonicalBytes } from '../../../src/domain/integrity/canonical.ts';
import { toBase64 } from '../../../src/domain/integrity/encoding.ts';
import { DECISION_PURPOSE, REVIEW_PURPOSE } from '../../../src/domain/signoff/purposes.ts';
import type { UnlockedKey } from './keystore.ts';

export const REJECT_REASONS = ['no-violation', 'plate-unreadable', 'plate-mismatch', 'exempt-vehicle', 'equipment-fault', 'duplicate', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface SignoffBasis {
  caseId: string;
  caseRevision: number;
  evidence: string[];
  violationCode: string;
  plate: string | null;
}

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

export interface LegalBasis {
  decree: string;
  article: number;
  clause: number;
  point: string;
}

export interface DecisionInput {
  basis: SignoffBasis;
  plate: string;
  violationCode: string;
  signedAt: string;
  fineVnd: number;
  points: number;
  legalBasis: LegalBasis;
  offender: { kind: 'individual' | 'organisation'; ref: string };
}

export type SignoffPayload = Record<string, unknown> & { purpose: string; caseId: string };

function sorted(digests: readonly string[]): string[] {
  return [...new Set(digests)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function withoutEmpty<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}

export function buildReview(input: ReviewInput): SignoffPayload {
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

export function buildDecision(input: DecisionInput): SignoffPayload {
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

/** Ed25519 over JCS(payload) with the officer's unlocked key: the body the sign-off routes take. */
export function signPayload(payload: SignoffPayload, key: UnlockedKey): { signoff: SignoffPayload; signature: string; keyId: string } {
  const signature = nacl.sign.detached(canonicalBytes(payload), key.secretKey);
  return { signoff: payload, signature: toBase64(signature), keyId: key.keyId };
}
