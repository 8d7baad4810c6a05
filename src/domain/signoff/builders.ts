/**
 * Builders for detections and sign-offs. Pure (no node: imports), so the review UI can build and sign a
 * sign-off in the browser: `signingBytes(payload)` gives the exact bytes to sign (JCS, UTF-8), and
 * `withSignature` assembles what the API takes. Node-side signing and verification live in `signing.ts`.
 */
import type { ZodType } from 'zod';
import { canonicalBytes } from '../integrity/canonical.ts';
import { ValidationError } from '../shared/errors.ts';
import {
  APPEAL_PURPOSE,
  AppealSignoffSchema,
  DECISION_PURPOSE,
  DecisionSignoffSchema,
  DETECTION_PURPOSE,
  DETECTION_V2_PURPOSE,
  DetectionSchema,
  RECORD_PURPOSE,
  RecordSignoffSchema,
  HOLD_PURPOSE,
  HoldSignoffSchema,
  REVIEW_PURPOSE,
  ReviewSignoffSchema,
  TRANSFER_PURPOSE,
  TransferSignoffSchema,
  VOID_PURPOSE,
  VoidSignoffSchema,
  type AppealSignoff,
  type DecisionSignoff,
  type Detection,
  type DetectionInput,
  type RecordSignoff,
  type TransferSignoff,
  type HoldSignoff,
  type ReviewSignoff,
  type Signoff,
  type VoidSignoff,
} from './payloads.ts';
import type { EvidenceRef } from './primitives.ts';

/** Parses with a zod schema, turning failures into a ValidationError that names the offending paths. */
export function parseOrThrow<T>(schema: ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .slice(0, 10)
      .map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new ValidationError(`Invalid ${what}`, { issues }, 'invalid-payload');
  }
  return result.data;
}

/** Sorted, de-duplicated digests: the evidence list a sign-off MUST carry. */
export function sortedDigests(evidence: readonly (EvidenceRef | string)[]): string[] {
  const digests = evidence.map((e) => (typeof e === 'string' ? e : e.digest));
  return [...new Set(digests)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `detection/v2` when the input names the plate colour, `detection/v1` otherwise. */
export function buildDetectionPayload(input: DetectionInput): Detection {
  const purpose = input.plateColour === undefined ? DETECTION_PURPOSE : DETECTION_V2_PURPOSE;
  return parseOrThrow(DetectionSchema, { ...withoutUndefinedColour(input), purpose }, 'detection');
}

function withoutUndefinedColour(input: DetectionInput): DetectionInput {
  if (input.plateColour !== undefined || !('plateColour' in input)) return input;
  const { plateColour: _absent, ...rest } = input;
  return rest;
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

export type ReviewSignoffInput = SignoffCommonInput &
  Omit<ReviewSignoff, 'purpose' | keyof SignoffCommonInput>;
export type DecisionSignoffInput = SignoffCommonInput &
  Omit<DecisionSignoff, 'purpose' | 'decision' | keyof SignoffCommonInput>;
export type VoidSignoffInput = SignoffCommonInput &
  Omit<VoidSignoff, 'purpose' | 'decision' | keyof SignoffCommonInput>;
export type AppealSignoffInput = SignoffCommonInput &
  Omit<AppealSignoff, 'purpose' | 'decision' | keyof SignoffCommonInput>;

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export function buildReviewSignoff(input: ReviewSignoffInput): ReviewSignoff {
  const payload = withoutUndefined({
    ...input,
    purpose: REVIEW_PURPOSE,
    evidence: sortedDigests(input.evidence),
  });
  return parseOrThrow(ReviewSignoffSchema, payload, 'review sign-off');
}

export function buildDecisionSignoff(input: DecisionSignoffInput): DecisionSignoff {
  const payload = {
    ...input,
    purpose: DECISION_PURPOSE,
    decision: 'penalty',
    evidence: sortedDigests(input.evidence),
  };
  return parseOrThrow(DecisionSignoffSchema, payload, 'decision sign-off');
}

export function buildVoidSignoff(input: VoidSignoffInput): VoidSignoff {
  const payload = {
    ...input,
    purpose: VOID_PURPOSE,
    decision: 'void',
    evidence: sortedDigests(input.evidence),
  };
  return parseOrThrow(VoidSignoffSchema, payload, 'void sign-off');
}

export function buildAppealSignoff(input: AppealSignoffInput): AppealSignoff {
  const payload = withoutUndefined({
    ...input,
    purpose: APPEAL_PURPOSE,
    decision: 'appeal',
    evidence: sortedDigests(input.evidence),
  });
  return parseOrThrow(AppealSignoffSchema, payload, 'appeal sign-off');
}

export type RecordSignoffInput = SignoffCommonInput &
  Omit<RecordSignoff, 'purpose' | 'decision' | keyof SignoffCommonInput>;
export type TransferSignoffInput = SignoffCommonInput &
  Omit<TransferSignoff, 'purpose' | 'decision' | keyof SignoffCommonInput>;

export function buildRecordSignoff(input: RecordSignoffInput): RecordSignoff {
  const payload = withoutUndefined({
    ...input,
    purpose: RECORD_PURPOSE,
    decision: 'record',
    evidence: sortedDigests(input.evidence),
  });
  return parseOrThrow(RecordSignoffSchema, payload, 'record sign-off');
}

export function buildTransferSignoff(input: TransferSignoffInput): TransferSignoff {
  const payload = {
    ...input,
    purpose: TRANSFER_PURPOSE,
    decision: 'transfer',
    evidence: sortedDigests(input.evidence),
  };
  return parseOrThrow(TransferSignoffSchema, payload, 'transfer sign-off');
}

export type HoldSignoffInput = Omit<HoldSignoff, 'purpose'>;

export function buildHoldSignoff(input: HoldSignoffInput): HoldSignoff {
  return parseOrThrow(HoldSignoffSchema, { ...input, purpose: HOLD_PURPOSE }, 'hold sign-off');
}

/** The exact bytes a device or officer signs: JCS(payload), UTF-8 (integrity.md §4). */
export function signingBytes(payload: Detection | Signoff | HoldSignoff): Uint8Array {
  return canonicalBytes(payload);
}

/** Assembles a signed sign-off from a signature made elsewhere (browser: tweetnacl over `signingBytes`). */
export function withSignature<S extends Signoff | HoldSignoff>(
  signoff: S,
  signature: string,
  keyId: string,
): { signoff: S; signature: string; keyId: string } {
  return { signoff, signature, keyId };
}
