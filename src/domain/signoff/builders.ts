/**
 * Builders, signers and verifiers for detections and sign-offs. Used by the API (verifying), the demo and
 * tests (signing with fixture keys) and the review UI (signing in the browser).
 */
import type { ZodType } from 'zod';
import { canonicalBytes } from '../integrity/canonical.ts';
import { ValidationError } from '../shared/errors.ts';
import { keyIdOf, signBytes, verifyBytes } from './keys.ts';
import {
  DECISION_PURPOSE,
  DecisionSignoffSchema,
  DETECTION_PURPOSE,
  DetectionSchema,
  REVIEW_PURPOSE,
  ReviewSignoffSchema,
  VOID_PURPOSE,
  VoidSignoffSchema,
  type DecisionSignoff,
  type Detection,
  type DetectionInput,
  type ReviewSignoff,
  type Signed,
  type Signoff,
  type VoidSignoff,
} from './payloads.ts';
import type { EvidenceRef } from './primitives.ts';

/** Parses with a zod schema, turning failures into a ValidationError that names the offending paths. */
export function parseOrThrow<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`Invalid ${what}`, { issues }, 'invalid-payload');
  }
  return result.data;
}

/** Sorted, de-duplicated digests: the evidence list a sign-off MUST carry. */
export function sortedDigests(evidence: readonly (EvidenceRef | string)[]): string[] {
  const digests = evidence.map((e) => (typeof e === 'string' ? e : e.digest));
  return [...new Set(digests)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function buildDetectionPayload(input: DetectionInput): Detection {
  return parseOrThrow(DetectionSchema, { ...input, purpose: DETECTION_PURPOSE }, 'detection');
}

interface SignoffCommonInput {
  caseId: string;
  caseRevision: number;
  violationCode: string;
  plate: string;
  /** The original evidence shown; digests are sorted and de-duplicated here. */
  evidence: readonly (EvidenceRef | string)[];
  signedAt: string;
}

export type ReviewSignoffInput = SignoffCommonInput & Omit<ReviewSignoff, 'purpose' | keyof SignoffCommonInput>;
export type DecisionSignoffInput = SignoffCommonInput & Omit<DecisionSignoff, 'purpose' | 'decision' | keyof SignoffCommonInput>;
export type VoidSignoffInput = SignoffCommonInput & Omit<VoidSignoff, 'purpose' | 'decision' | keyof SignoffCommonInput>;

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function buildReviewSignoff(input: ReviewSignoffInput): ReviewSignoff {
  const payload = withoutUndefined({ ...input, purpose: REVIEW_PURPOSE, evidence: sortedDigests(input.evidence) });
  return parseOrThrow(ReviewSignoffSchema, payload, 'review sign-off');
}

export function buildDecisionSignoff(input: DecisionSignoffInput): DecisionSignoff {
  const payload = { ...input, purpose: DECISION_PURPOSE, decision: 'penalty', evidence: sortedDigests(input.evidence) };
  return parseOrThrow(DecisionSignoffSchema, payload, 'decision sign-off');
}

export function buildVoidSignoff(input: VoidSignoffInput): VoidSignoff {
  const payload = { ...input, purpose: VOID_PURPOSE, decision: 'void', evidence: sortedDigests(input.evidence) };
  return parseOrThrow(VoidSignoffSchema, payload, 'void sign-off');
}

/** Signs JCS(payload) with tweetnacl; `publicKey` (base64) names the key id. */
function signPayload<P>(payload: P, secretKey: Uint8Array): Signed<P> {
  const signature = signBytes(canonicalBytes(payload), secretKey);
  const publicKey = Buffer.from(secretKey.subarray(32)).toString('base64');
  return { payload, signature, keyId: keyIdOf(publicKey) };
}

/** The camera's signature over JCS(detection), in the shape `ViolationDetected.data` stores. */
export function signDetection(
  detection: Detection,
  secretKey: Uint8Array,
): { detection: Detection; signature: string; keyId: string } {
  const { payload, signature, keyId } = signPayload(detection, secretKey);
  return { detection: payload, signature, keyId };
}

/** An officer's signature over JCS(signoff), in the shape `ReviewConfirmed.data` etc. store. */
export function signSignoff<S extends Signoff>(signoff: S, secretKey: Uint8Array): { signoff: S; signature: string; keyId: string } {
  const { payload, signature, keyId } = signPayload(signoff, secretKey);
  return { signoff: payload, signature, keyId };
}

/** True when `signature` is the Ed25519 signature of JCS(detection) under `publicKey`. */
export function verifyDetection(detection: unknown, signature: string, publicKey: string): boolean {
  return verifyCanonical(detection, signature, publicKey);
}

/** True when `signature` is the Ed25519 signature of JCS(signoff) under `publicKey`. */
export function verifySignoff(signoff: unknown, signature: string, publicKey: string): boolean {
  return verifyCanonical(signoff, signature, publicKey);
}

function verifyCanonical(payload: unknown, signature: string, publicKey: string): boolean {
  let bytes: Uint8Array;
  try {
    bytes = canonicalBytes(payload);
  } catch {
    return false;
  }
  return verifyBytes(bytes, signature, publicKey);
}
