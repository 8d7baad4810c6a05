/**
 * Case events (stream `case-<caseId>`). The signed parts are normative (integrity.md §4, bundle.md):
 * `ViolationDetected.data.detection` is the camera's detection object verbatim; `ReviewConfirmed`,
 * `ReviewRejected`, `PenaltyDecided`, `CaseVoided` and `AppealResolved` hold `{ signoff, signature, keyId }` with the officer's
 * sign-off payload verbatim. Other fields sit beside them and are not signed by the device or officer
 * (they are covered by the record hash and the ledger).
 */
import { z } from 'zod';
import { eventParser, type EventsOf } from '../decider.ts';
import { LogOriginSchema, LogVerifierKeySchema } from '../federation/events.ts';
import {
  APPEAL_OUTCOMES,
  AppealSignoffSchema,
  DecisionSignoffSchema,
  DetectionSchema,
  OffenderSchema,
  PlateTextSchema,
  RecordSignoffSchema,
  ReviewSignoffSchema,
  TransferSignoffSchema,
  UuidSchema,
  VoidSignoffSchema,
} from '../signoff/payloads.ts';
import {
  BasisPointsSchema,
  DigestSchema,
  EvidenceRefSchema,
  IdentifierSchema,
  KeyIdSchema,
  ProvinceCodeSchema,
  ShortTextSchema,
  SignatureSchema,
  TextSchema,
  UtcTimestampSchema,
} from '../signoff/primitives.ts';

/** Why a case needs an explicit override before it can be confirmed. */
export const CASE_FLAGS = [
  'calibration-invalid', // the camera had no calibration certificate valid at observedAt
  'model-not-approved', // the detecting AI model version was not approved (or suspended)
  'plate-mismatch', // an AI reading disagrees with the camera's plate reading
  'camera-suspended', // the camera was suspended when the detection was ingested
  'manual', // raised by an officer or a process for a stated reason
  'plate-doubt', // the AI reading is below PLATE_DOUBT_BP or names other plates it could be (advisory)
] as const;
export type CaseFlagCode = (typeof CASE_FLAGS)[number];
export const CaseFlagSchema = z.strictObject({ flag: z.enum(CASE_FLAGS), detail: TextSchema });
export type CaseFlag = z.infer<typeof CaseFlagSchema>;

/**
 * Flags the officer's signed plate itself answers: confirming a case flagged only with these needs no override
 * reason (the officer read the plate and chose it), and they are not listed as overridden.
 */
export const ADVISORY_FLAGS: readonly CaseFlagCode[] = ['plate-doubt'];

/** A plate reading below this confidence (basis points) is in doubt: the officer must check its characters. */
export const PLATE_DOUBT_BP = 9000;

/** Another plate an AI reading could be, with its share (basis points) of every valid plate the text could be. */
export const PlateAlternativeSchema = z.strictObject({ plate: PlateTextSchema, shareBp: BasisPointsSchema });
export type PlateAlternative = z.infer<typeof PlateAlternativeSchema>;

export const DERIVED_KINDS = [
  'thumbnail',
  'plate-crop',
  'redacted',
  'captioned',
  'transcoded',
  'other',
] as const;
export const DerivedEvidenceSchema = z.strictObject({
  digest: DigestSchema,
  mediaType: EvidenceRefSchema.shape.mediaType,
  size: EvidenceRefSchema.shape.size,
  kind: z.enum(DERIVED_KINDS),
});
export type DerivedEvidence = z.infer<typeof DerivedEvidenceSchema>;

export const DerivationParametersSchema = z
  .record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,31}$/),
    z.union([z.string().max(200), z.int(), z.boolean()]),
  )
  .refine((p) => Object.keys(p).length <= 32, 'at most 32 parameters');
export type DerivationParameters = z.infer<typeof DerivationParametersSchema>;

export const ModelIdentitySchema = z.strictObject({
  modelId: IdentifierSchema,
  name: ShortTextSchema,
  version: ShortTextSchema,
});
export type ModelIdentity = z.infer<typeof ModelIdentitySchema>;

/** The background jobs of a case; the job port's queues (src/ports/jobs.ts) are these. */
export const PROCESSING_JOBS = ['inference', 'media', 'owner-lookup', 'notice', 'agency-warning'] as const;
export type ProcessingJob = (typeof PROCESSING_JOBS)[number];

export const NOTICE_CHANNELS = ['post', 'vnetraffic', 'vneid', 'email', 'sms'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];

export { APPEAL_OUTCOMES, type AppealOutcome } from '../signoff/payloads.ts';

/** How the owner responded to a notice (Circular 73/2024 Art. 24: in person at the unit, or online). */
export const EXPLANATION_CHANNELS = ['in-person', 'online'] as const;
export type ExplanationChannel = (typeof EXPLANATION_CHANNELS)[number];

/**
 * Who is warned when the owner does not respond (Decree 168 Art. 47.11; Circular 73/2024 Art. 24): the vehicle
 * registration and inspection agencies, and for motorbikes the commune police of the owner's residence.
 */
export const WARNED_AGENCIES = ['registration', 'inspection', 'commune-police'] as const;
export type WarnedAgency = (typeof WARNED_AGENCIES)[number];

/**
 * The documents a person holds in their hand, as `DocumentIssued` names them: the notice (thông báo vi phạm), the
 * violation record (biên bản), the penalty decision (quyết định xử phạt) and the decision resolving a complaint
 * against it (`appeal`: quyết định giải quyết khiếu nại). docs/documents.md.
 */
export const ISSUED_DOCUMENT_KINDS = ['notice', 'record', 'decision', 'appeal'] as const;
export type IssuedDocumentKind = (typeof ISSUED_DOCUMENT_KINDS)[number];
/** A template version as `TEMPLATE_VERSIONS` names it (`violation-record/v1`): shape only, the decider knows which exist. */
export const TemplateVersionSchema = z.string().regex(/^[a-z][a-z-]{0,39}\/v[1-9][0-9]{0,3}$/, 'must be <template>/v<n>');

/** How a fine was paid. */
/** `vietqr`: a VietQR transfer from the citizen portal, confirmed by the payment gateway's signed callback. */
export const PAYMENT_CHANNELS = ['state-treasury', 'bank-transfer', 'public-service-portal', 'vneid', 'at-unit', 'vietqr'] as const;
export type PaymentChannel = (typeof PAYMENT_CHANNELS)[number];

/** `transferred`: handed over to another node's province (the federation's handover); closed for this node. */
export const CLOSE_REASONS = ['paid', 'rejected', 'appeal-overturned', 'owner-not-found', 'transferred'] as const;

/**
 * How a transfer travels: `in-node` when this node serves the receiving province (its officers take over the
 * case here), `federation` when another node does (the national node relays it there; this node closes it).
 */
export const TRANSFER_HANDOVERS = ['in-node', 'federation'] as const;
export type TransferHandover = (typeof TRANSFER_HANDOVERS)[number];

/** Where a received case comes from: the record of the sending node's log that hands it over, and its proof. */
export const HandoverSourceSchema = z.strictObject({
  /** The sending log's origin (checkpoint origin line) and its verifier key. */
  origin: LogOriginSchema,
  logKey: LogVerifierKeySchema,
  /** The sending province and its case (the same case id: the handover keeps it). */
  province: ProvinceCodeSchema,
  caseId: UuidSchema,
  /** The sending log's `CaseTransferred` record: its record hash and leaf index. */
  recordHash: z.string().regex(/^[0-9a-f]{64}$/),
  leafIndex: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** The cosigned checkpoint (signed note with the witness cosignature lines) that covers that leaf. */
  checkpoint: z.string().min(1).max(16_384),
});
export type HandoverSource = z.infer<typeof HandoverSourceSchema>;
export type CloseReason = (typeof CLOSE_REASONS)[number];

const signed = { signature: SignatureSchema, keyId: KeyIdSchema };

export const CaseEventSchemas = {
  ViolationDetected: z.strictObject({
    detection: DetectionSchema,
    ...signed,
    caseId: UuidSchema,
    /** The camera's province: the case's province. */
    province: ProvinceCodeSchema,
    /** The model version that made the detection at the edge, when there is one. */
    model: ModelIdentitySchema.optional(),
    flags: z.array(CaseFlagSchema).max(CASE_FLAGS.length).optional(),
  }),
  PlateRecognized: z.strictObject({
    plate: PlateTextSchema,
    /** Normalised form used for comparisons (upper case, letters and digits only). */
    compact: PlateTextSchema,
    confidenceBp: BasisPointsSchema,
    sourceDigest: DigestSchema,
    model: ModelIdentitySchema,
    recognizedAt: UtcTimestampSchema,
    /** Other plates the reading could be, most probable first (issue 13); absent in earlier records and when none. */
    alternatives: z.array(PlateAlternativeSchema).min(1).max(3).optional(),
  }),
  EvidenceDerived: z.strictObject({
    sourceDigest: DigestSchema,
    derived: DerivedEvidenceSchema,
    operation: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/),
    parameters: DerivationParametersSchema,
    producer: z.strictObject({ library: ShortTextSchema, version: ShortTextSchema }),
    derivedAt: UtcTimestampSchema,
  }),
  EvidenceAttached: z.strictObject({
    evidence: z.array(EvidenceRefSchema).min(1).max(32),
    reason: TextSchema,
    attachedAt: UtcTimestampSchema,
  }),
  CaseFlagged: z.strictObject({ flag: CaseFlagSchema, flaggedAt: UtcTimestampSchema }),
  /**
   * A background job of the case (plate reading, evidence media, owner lookup, notice) failed for good: no
   * retry is left or retrying cannot help. Recorded by the service that ran it so the reviewer sees why the
   * case lacks what the job would have added. `reason` is the typed error's code and message, which name
   * limits, digests and ids only, never personal data.
   */
  ProcessingFailed: z.strictObject({
    job: z.enum(PROCESSING_JOBS),
    /** The job's id in its queue (the id of the event that caused it). */
    jobId: IdentifierSchema,
    /** The typed error's code, e.g. `media-image-unsupported`; `unexpected-error` for an untyped one. */
    reasonCode: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/),
    reason: TextSchema,
    attempts: z.int().min(1).max(1000),
    failedAt: UtcTimestampSchema,
  }),
  ReviewConfirmed: z.strictObject({
    signoff: ReviewSignoffSchema,
    ...signed,
    /** Flags the reviewer overrode (with `signoff.overrideReason`). */
    overriddenFlags: z.array(z.enum(CASE_FLAGS)).max(CASE_FLAGS.length).optional(),
  }),
  ReviewRejected: z.strictObject({ signoff: ReviewSignoffSchema, ...signed }),
  OwnerIdentified: z.strictObject({
    /** Opaque registry reference and kind; names and addresses stay in the registry, never in records. */
    owner: OffenderSchema,
    registry: ShortTextSchema,
    registrationRef: IdentifierSchema.optional(),
    identifiedAt: UtcTimestampSchema,
  }),
  OwnerNotFound: z.strictObject({
    registry: ShortTextSchema,
    reason: TextSchema,
    checkedAt: UtcTimestampSchema,
  }),
  NoticeIssued: z.strictObject({
    noticeId: IdentifierSchema,
    channel: z.enum(NOTICE_CHANNELS),
    issuedAt: UtcTimestampSchema,
  }),
  NoticeDelivered: z.strictObject({ noticeId: IdentifierSchema, deliveredAt: UtcTimestampSchema }),
  NoticeDeliveryFailed: z.strictObject({
    noticeId: IdentifierSchema,
    reason: TextSchema,
    failedAt: UtcTimestampSchema,
  }),
  /**
   * The case handed to the police of the province where the owner resides, instead of a notice (Circular
   * 73/2024 Art. 24), within 10 days of the violation. In a single node the handling unit changes to
   * `signoff.toProvince`; across nodes the federation's handover carries it.
   */
  CaseTransferred: z.strictObject({
    signoff: TransferSignoffSchema,
    ...signed,
    transferredAt: UtcTimestampSchema,
    /** Absent in records written before the federation's handover: `in-node`. */
    handover: z.enum(TRANSFER_HANDOVERS).optional(),
  }),
  /**
   * The first record of a case handed over by another node (docs/federation.md, "Case handover"): it names
   * the sending log's `CaseTransferred` record (hash, leaf index, cosigned checkpoint) and carries the facts
   * the receiving police continue from, taken from the sending log's records the receiving node verified: the
   * camera's signed detection verbatim, the review, the owner, and the transfer officer's signed `transfer/v1`.
   * The originals follow in an `EvidenceAttached` of the same command (fetched and checked by digest).
   */
  CaseReceived: z.strictObject({
    caseId: UuidSchema,
    /** The receiving province: the case's province on this node. */
    province: ProvinceCodeSchema,
    from: HandoverSourceSchema,
    transfer: z.strictObject({ signoff: TransferSignoffSchema, ...signed }),
    detection: DetectionSchema,
    ...signed,
    review: z.strictObject({
      plate: PlateTextSchema,
      violationCode: ShortTextSchema,
      signedAt: UtcTimestampSchema,
      officerKeyId: KeyIdSchema,
    }),
    owner: OffenderSchema,
    /**
     * The sending node's court bundle of the case (digest and size of the blob kept here): this node's bundles
     * carry it as their linked part (`linked/<province>/…`, bundle.md addition in docs/federation.md).
     */
    fromBundle: z.strictObject({ digest: DigestSchema, size: z.int().min(1).max(Number.MAX_SAFE_INTEGER) }).optional(),
    receivedAt: UtcTimestampSchema,
  }),
  /** The owner (or their representative) explained, in person or online, within the notice period. */
  ExplanationSubmitted: z.strictObject({
    explanationId: IdentifierSchema,
    channel: z.enum(EXPLANATION_CHANNELS),
    statement: TextSchema,
    submittedAt: UtcTimestampSchema,
  }),
  /**
   * Someone else drove (Decree 168 Art. 47.8.b): the driver as an opaque population-registry reference and the
   * driving licence's reference (names stay in the registries, never in records).
   */
  DriverIdentified: z.strictObject({
    driver: OffenderSchema,
    licenceRef: IdentifierSchema,
    identifiedAt: UtcTimestampSchema,
  }),
  /**
   * No response 20 days after the notice (Circular 73/2024 Art. 24; Decree 168 Art. 47.11): the agencies warned
   * through the notification port, and the vehicle is flagged in lookups.
   */
  OwnerUnresponsive: z.strictObject({
    noticeId: IdentifierSchema,
    periodEndsAt: UtcTimestampSchema,
    warned: z.array(z.enum(WARNED_AGENCIES)).min(1).max(WARNED_AGENCIES.length),
    recordedAt: UtcTimestampSchema,
  }),
  /**
   * The warning of an unresponsive owner delivered to one of the agencies `OwnerUnresponsive` named, through the
   * agency-warning port (src/ports/agency-warnings.ts): `warningId` is ours (the adapter deduplicates on it),
   * `receipt` the agency system's reference for it.
   */
  AgencyWarningSent: z.strictObject({
    noticeId: IdentifierSchema,
    agency: z.enum(WARNED_AGENCIES),
    warningId: IdentifierSchema,
    receipt: IdentifierSchema,
    sentAt: UtcTimestampSchema,
  }),
  /** The violation record (biên bản), signed `record/v1` by the officer who drew it up. */
  ViolationRecordDrawn: z.strictObject({ signoff: RecordSignoffSchema, ...signed, drawnAt: UtcTimestampSchema }),
  /**
   * A document made from the case's events was issued: the SHA-256 of its PDF bytes and the template version
   * that rendered it. `issuedAt` is the time of the event it is made from (the notice, the record's or the
   * decision's signature), never the clock, so regenerating from the events gives this same record.
   */
  DocumentIssued: z.strictObject({
    kind: z.enum(ISSUED_DOCUMENT_KINDS),
    /** The notice's id (kind `notice` only: a case may send several notices; one record and one decision). */
    noticeId: IdentifierSchema.optional(),
    /** The resolved appeal's id (kind `appeal` only: a case may see several appeals, one after another). */
    appealId: IdentifierSchema.optional(),
    digest: DigestSchema,
    templateVersion: TemplateVersionSchema,
    issuedAt: UtcTimestampSchema,
  }),
  PenaltyDecided: z.strictObject({
    signoff: DecisionSignoffSchema,
    ...signed,
    /** Catalog version applied (the one in force on the violation date). */
    catalogVersion: ShortTextSchema.optional(),
  }),
  PenaltyPaid: z.strictObject({
    paymentRef: IdentifierSchema,
    amountVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    paidAt: UtcTimestampSchema,
  }),
  /**
   * The fine paid: `amountVnd` = fine + `surchargeVnd`; the surcharge is 0.05% of the fine per day late after the
   * 10-day payment period, rounded down to whole đồng (docs/legal-procedure.md). Replaces `PenaltyPaid`, which
   * stays readable for history written before it.
   */
  PaymentRecorded: z.strictObject({
    /** The unit's receipt reference; for a portal payment, the citizen's payment id (its `PaymentRequested`). */
    paymentRef: IdentifierSchema,
    /** The bank's transaction reference, when the payment gateway recorded the payment. */
    gatewayRef: IdentifierSchema.optional(),
    amountVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    fineVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    surchargeVnd: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
    daysLate: z.int().min(0).max(100_000),
    dueEndsAt: UtcTimestampSchema,
    channel: z.enum(PAYMENT_CHANNELS),
    paidAt: UtcTimestampSchema,
  }),
  AppealFiled: z.strictObject({
    appealId: IdentifierSchema,
    grounds: TextSchema,
    filedAt: UtcTimestampSchema,
  }),
  AppealResolved: z.strictObject({
    appealId: IdentifierSchema,
    outcome: z.enum(APPEAL_OUTCOMES),
    reason: TextSchema,
    resolvedBy: IdentifierSchema,
    resolvedAt: UtcTimestampSchema,
    /**
     * The resolving officer's `appeal/v1` sign-off (outcome, reason and appeal id verbatim from it). The decider
     * always writes it; it is optional here only so that a record written before `appeal/v1` existed still
     * reads back (the bundle verifier's RULES check refuses such a record).
     */
    signoff: AppealSignoffSchema.optional(),
    signature: SignatureSchema.optional(),
    keyId: KeyIdSchema.optional(),
  }),
  CaseClosed: z.strictObject({ reason: z.enum(CLOSE_REASONS), closedAt: UtcTimestampSchema }),
  CaseExpired: z.strictObject({
    observedAt: UtcTimestampSchema,
    limitationEndsAt: UtcTimestampSchema,
    expiredAt: UtcTimestampSchema,
  }),
  CaseVoided: z.strictObject({ signoff: VoidSignoffSchema, ...signed }),
} as const;

export type CaseEvent = EventsOf<typeof CaseEventSchemas>;
export type CaseEventType = CaseEvent['type'];
export type CaseEventData<T extends CaseEventType> = Extract<CaseEvent, { type: T }>['data'];
export const CASE_EVENT_TYPES = Object.keys(CaseEventSchemas) as CaseEventType[];
export const parseCaseEvent = eventParser('case', CaseEventSchemas);
