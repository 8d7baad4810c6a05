/**
 * The signed payloads external verifiers depend on (integrity.md §4, bundle.md steps 7–8). Their field names
 * and shapes are normative: a change is a new purpose version (`detection/v2`), never an edit.
 *
 * - A detection is signed by the camera or edge node over JCS(detection) and stored verbatim in
 *   `ViolationDetected.data.detection`.
 * - A sign-off is signed by an officer over JCS(signoff) and stored verbatim in `ReviewConfirmed`,
 *   `ReviewRejected`, `PenaltyDecided` (and `CaseVoided`) `.data.signoff`.
 * The `purpose` field separates signature domains: a signature for one purpose MUST NOT be accepted for another.
 */
import { z } from 'zod';
import {
  BasisPointsSchema,
  DigestSchema,
  EvidenceRefSchema,
  IdentifierSchema,
  LocationSchema,
  ProvinceCodeSchema,
  ShortTextSchema,
  TextSchema,
  UtcTimestampSchema,
} from './primitives.ts';

import {
  APPEAL_PURPOSE,
  DECISION_PURPOSE,
  DETECTION_PURPOSE,
  DETECTION_V2_PURPOSE,
  HOLD_PURPOSE,
  RECORD_PURPOSE,
  REVIEW_PURPOSE,
  TRANSFER_PURPOSE,
  VOID_PURPOSE,
} from './purposes.ts';
import { PLATE_COLOURS } from '../plates/colours.ts';

export {
  APPEAL_PURPOSE,
  DECISION_PURPOSE,
  DETECTION_PURPOSE,
  DETECTION_PURPOSES,
  DETECTION_V2_PURPOSE,
  HOLD_PURPOSE,
  RECORD_PURPOSE,
  REVIEW_PURPOSE,
  TRANSFER_PURPOSE,
  VOID_PURPOSE,
} from './purposes.ts';

export const UuidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a lowercase UUID');
/** A catalog violation code, e.g. "16824.6.9.b" (Decree 168/2024, Art. 6.9.b). The catalog decides if it exists. */
export const ViolationCodeSchema = z.string().regex(/^[\p{L}\p{N}._-]{1,64}$/u, 'must be a violation code');
/** A catalog vehicle class (the catalog decides which exist). */
export const VehicleClassSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a vehicle class');
/** Plate text as read or confirmed (the plates module parses it). */
export const PlateTextSchema = z.string().min(1).max(24);

/** Measurements in integers: km/h, percent, milliseconds, centimetres… keyed by a camelCase name. */
export const MeasurementsSchema = z
  .record(z.string().regex(/^[a-z][A-Za-z0-9]{0,31}$/), z.int().min(-1_000_000_000).max(1_000_000_000))
  .refine((m) => Object.keys(m).length <= 16, 'at most 16 measurements');

const detectionFields = {
  detectionId: IdentifierSchema,
  cameraId: IdentifierSchema,
  observedAt: UtcTimestampSchema,
  location: LocationSchema,
  violationCode: ViolationCodeSchema,
  vehicleClass: VehicleClassSchema,
  measurements: MeasurementsSchema.optional(),
  plateRead: z.strictObject({ text: PlateTextSchema, confidenceBp: BasisPointsSchema.optional() }).optional(),
  evidence: z.array(EvidenceRefSchema).min(1).max(32),
};

/** `detection/v1`: strict, so a v1 purpose carrying a v2 member (`plateColour`) is refused. */
export const DetectionV1Schema = z.strictObject({ purpose: z.literal(DETECTION_PURPOSE), ...detectionFields });
/** `detection/v2`: v1 plus the plate colour as the plate rules list it (src/domain/plates/colours.ts). */
export const PlateColourSchema = z.enum(PLATE_COLOURS);
export const DetectionV2Schema = z.strictObject({
  purpose: z.literal(DETECTION_V2_PURPOSE),
  ...detectionFields,
  plateColour: PlateColourSchema,
});
/** Either detection version, each checked under its own purpose's schema (integrity.md §4). */
export const DetectionSchema = z.discriminatedUnion('purpose', [DetectionV1Schema, DetectionV2Schema]);
/** The detection object exactly as the camera signs it. */
export type Detection = z.infer<typeof DetectionSchema>;
export type DetectionV1 = z.infer<typeof DetectionV1Schema>;
export type DetectionV2 = z.infer<typeof DetectionV2Schema>;
/**
 * Fields of a detection minus its purpose: what a camera fills in. With `plateColour` the camera signs
 * `detection/v2`, without it `detection/v1`.
 */
export type DetectionInput = Omit<DetectionV1, 'purpose'> & { plateColour?: DetectionV2['plateColour'] };

/** Explicit reasons for rejecting a detection (reviewers never reject "just because"). */
export const REJECT_REASONS = [
  'no-violation',
  'plate-unreadable',
  'plate-mismatch',
  'exempt-vehicle',
  'equipment-fault',
  'duplicate',
  'other',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

const signoffCommon = {
  caseId: UuidSchema,
  /** Revision of the last case record the signer saw; MUST be lower than the revision the sign-off is recorded at. */
  caseRevision: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  violationCode: ViolationCodeSchema,
  plate: PlateTextSchema,
  /** Digests of every original evidence item of the case, sorted, without duplicates. */
  evidence: z.array(DigestSchema).min(1).max(64),
  signedAt: UtcTimestampSchema,
};

export const ReviewSignoffSchema = z.strictObject({
  purpose: z.literal(REVIEW_PURPOSE),
  ...signoffCommon,
  decision: z.enum(['confirm', 'reject']),
  /** Why the confirmed plate or violation differs from the detection's (required when they differ). */
  correction: TextSchema.optional(),
  rejectReason: z.enum(REJECT_REASONS).optional(),
  rejectNote: TextSchema.optional(),
  /** Why a flagged case is confirmed anyway (required when the case carries flags). */
  overrideReason: TextSchema.optional(),
});
export type ReviewSignoff = z.infer<typeof ReviewSignoffSchema>;

export const OFFENDER_KINDS = ['individual', 'organisation'] as const;
export type OffenderKind = (typeof OFFENDER_KINDS)[number];
/** Who is penalised: a kind (organisations pay double) and an opaque registry reference, never a name. */
export const OffenderSchema = z.strictObject({ kind: z.enum(OFFENDER_KINDS), ref: IdentifierSchema });
export type Offender = z.infer<typeof OffenderSchema>;

export const LegalBasisSchema = z.strictObject({
  decree: ShortTextSchema,
  article: z.int().min(1).max(10_000),
  clause: z.int().min(1).max(10_000),
  point: z.string().max(8),
});
export type LegalBasis = z.infer<typeof LegalBasisSchema>;

export const DecisionSignoffSchema = z.strictObject({
  purpose: z.literal(DECISION_PURPOSE),
  ...signoffCommon,
  decision: z.literal('penalty'),
  fineVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  points: z.int().min(0).max(12),
  /** The catalog entry's legal basis, verbatim (e.g. Decree 168/2024/NĐ-CP, Art. 6, clause 9, point b). */
  legalBasis: LegalBasisSchema,
  offender: OffenderSchema,
});
export type DecisionSignoff = z.infer<typeof DecisionSignoffSchema>;

export const VoidSignoffSchema = z.strictObject({
  purpose: z.literal(VOID_PURPOSE),
  ...signoffCommon,
  decision: z.literal('void'),
  voidReason: TextSchema,
});
export type VoidSignoff = z.infer<typeof VoidSignoffSchema>;

/** How an appeal ends: the penalty stands (`upheld`) or is cancelled (`overturned`). */
export const APPEAL_OUTCOMES = ['upheld', 'overturned'] as const;
export type AppealOutcome = (typeof APPEAL_OUTCOMES)[number];

/**
 * `appeal/v1`: a sign-off (same common fields, naming the decided violation and plate) plus the appeal it
 * resolves, the `outcome`, the stated `reason`, and `fineVnd`, the new fine, present exactly where the outcome
 * changes it (`overturned`: 0; `upheld`: absent, the decided fine stands).
 */
export const AppealSignoffSchema = z.strictObject({
  purpose: z.literal(APPEAL_PURPOSE),
  ...signoffCommon,
  decision: z.literal('appeal'),
  appealId: IdentifierSchema,
  outcome: z.enum(APPEAL_OUTCOMES),
  reason: TextSchema,
  fineVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
});
export type AppealSignoff = z.infer<typeof AppealSignoffSchema>;

/**
 * `record/v1`: the violation record (biên bản vi phạm hành chính) for a camera case, signed by the officer who
 * drew it up: its number, who it is drawn against (the offender the decision will name) and, when the owner
 * explained, that explanation verbatim (Decree 168 Art. 47.8.c; Circular 73/2024 Art. 24).
 */
export const RecordSignoffSchema = z.strictObject({
  purpose: z.literal(RECORD_PURPOSE),
  ...signoffCommon,
  decision: z.literal('record'),
  recordId: IdentifierSchema,
  offender: OffenderSchema,
  explanation: TextSchema.optional(),
});
export type RecordSignoff = z.infer<typeof RecordSignoffSchema>;

/**
 * `transfer/v1`: the case handed to the police of the province where the owner resides, instead of a notice
 * (Circular 73/2024 Art. 24): the receiving province and why.
 */
export const TransferSignoffSchema = z.strictObject({
  purpose: z.literal(TRANSFER_PURPOSE),
  ...signoffCommon,
  decision: z.literal('transfer'),
  toProvince: ProvinceCodeSchema,
  reason: TextSchema,
});
export type TransferSignoff = z.infer<typeof TransferSignoffSchema>;

export type Signoff = ReviewSignoff | DecisionSignoff | VoidSignoff | AppealSignoff | RecordSignoff | TransferSignoff;

/** Who orders a legal hold: an officer on their own authority, or a court (recorded with the court's reference). */
export const HOLD_AUTHORITIES = ['officer', 'court'] as const;
export type HoldAuthority = (typeof HOLD_AUTHORITIES)[number];

/**
 * `hold/v1`: an officer's sign-off placing or lifting a legal hold on a case. It names the case, the hold, the
 * action, the authority (an officer may record a court's order: authority `court`, the order's reference),
 * the reference and the reason, and is stored verbatim in the hold record. Not part of `Signoff` (case
 * sign-offs): it binds no evidence and no case revision, since a hold neither changes nor depends on the case.
 */
export const HoldSignoffSchema = z.strictObject({
  purpose: z.literal(HOLD_PURPOSE),
  caseId: UuidSchema,
  action: z.enum(['place', 'lift']),
  holdId: IdentifierSchema,
  authority: z.enum(HOLD_AUTHORITIES),
  reference: TextSchema,
  reason: TextSchema,
  signedAt: UtcTimestampSchema,
});
export type HoldSignoff = z.infer<typeof HoldSignoffSchema>;

/** A payload with its Ed25519 signature (base64) and the signer's key id. */
export interface Signed<Payload> {
  payload: Payload;
  signature: string;
  keyId: string;
}

export const SignedDetectionSchema = z.strictObject({
  detection: DetectionSchema,
  signature: z.string(),
  keyId: z.string(),
});
