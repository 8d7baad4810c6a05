/**
 * The case detail document: the case folded from its own stream (never from a lagging projection), with
 * what an officer needs to sign next (`signoffBasis`). It holds personal data (the plate, the owner's
 * registry reference), so it is only ever sent after a custody record.
 */
import { z } from 'zod';
import { sortedDigests } from '../../../domain/signoff/builders.ts';
import { CASE_STATUSES, type ExistingCase } from '../../../domain/case/state.ts';
import {
  CLOSE_REASONS,
  CaseFlagSchema,
  DerivedEvidenceSchema,
  ISSUED_DOCUMENT_KINDS,
  ModelIdentitySchema,
  NOTICE_CHANNELS,
} from '../../../domain/case/events.ts';
import {
  APPEAL_OUTCOMES,
  DetectionSchema,
  LegalBasisSchema,
  OffenderSchema,
  PlateColourSchema,
} from '../../../domain/signoff/payloads.ts';
import { plateColourOf } from '../../../domain/case/plate-colour.ts';
import { EvidenceRefSchema } from '../../../domain/signoff/primitives.ts';

/** The document `caseDocument` builds, declared for the OpenAPI document (and so the web's generated types). */
export const CaseDocumentSchema = z.object({
  caseId: z.string(),
  province: z.string(),
  status: z.enum(CASE_STATUSES),
  revision: z.number(),
  detection: DetectionSchema,
  /** The plate colour the camera signed (`detection/v2`); null for a `detection/v1` case: unknown. */
  plateColour: PlateColourSchema.nullable(),
  detectionKeyId: z.string(),
  flags: z.array(CaseFlagSchema),
  processingFailures: z.array(
    z.object({ job: z.string(), reasonCode: z.string(), reason: z.string(), failedAt: z.string() }),
  ),
  plateReadings: z.array(
    z.object({
      plate: z.string(),
      compact: z.string(),
      confidenceBp: z.number(),
      model: ModelIdentitySchema,
      /** Other plates the reading could be, most probable first, with their share in basis points; absent when none. */
      alternatives: z.array(z.object({ plate: z.string(), shareBp: z.number() })).optional(),
    }),
  ),
  evidence: z.object({
    originals: z.array(EvidenceRefSchema),
    derived: z.array(DerivedEvidenceSchema.extend({ sourceDigest: z.string(), operation: z.string() })),
  }),
  /**
   * Where the plate is on the image it was cropped from (upright pixels, from the plate crop's recorded `box`),
   * so the viewer can zoom around it; null until a plate crop exists.
   */
  plateBox: z
    .object({ sourceDigest: z.string(), x: z.number(), y: z.number(), width: z.number(), height: z.number() })
    .nullable(),
  review: z
    .object({
      decision: z.enum(['confirm', 'reject']),
      officerKeyId: z.string(),
      plate: z.string(),
      violationCode: z.string(),
      signedAt: z.string(),
    })
    .nullable(),
  owner: OffenderSchema.nullable(),
  documents: z.array(
    z.object({
      kind: z.enum(ISSUED_DOCUMENT_KINDS),
      noticeId: z.string().optional(),
      appealId: z.string().optional(),
      digest: z.string(),
      templateVersion: z.string(),
      issuedAt: z.string(),
    }),
  ),
  notices: z.array(
    z.object({
      noticeId: z.string(),
      channel: z.enum(NOTICE_CHANNELS),
      issuedAt: z.string(),
      delivery: z.enum(['pending', 'delivered', 'failed']),
    }),
  ),
  decision: z
    .object({
      fineVnd: z.number(),
      points: z.number(),
      legalBasis: LegalBasisSchema,
      offender: OffenderSchema,
      violationCode: z.string(),
      signedAt: z.string(),
    })
    .nullable(),
  paidVnd: z.number().nullable(),
  /** The camera-case procedure (docs/legal-procedure.md). */
  procedure: z.object({
    transferredTo: z.string().nullable(),
    /** The owner's statements verbatim, so the officer drawing up the record need not retype them. */
    explanations: z.array(
      z.object({ explanationId: z.string(), channel: z.string(), statement: z.string(), submittedAt: z.string() }),
    ),
    driver: z.object({ person: OffenderSchema, licenceRef: z.string() }).nullable(),
    unresponsive: z
      .object({
        noticeId: z.string(),
        warned: z.array(z.string()),
        recordedAt: z.string(),
        /** The agencies the warning reached (`AgencyWarningSent`), with the agency system's receipt. */
        sent: z.array(z.object({ agency: z.string(), receipt: z.string(), sentAt: z.string() })),
      })
      .nullable(),
    record: z
      .object({ recordId: z.string(), offender: OffenderSchema, officerKeyId: z.string(), signedAt: z.string() })
      .nullable(),
    payment: z
      .object({ amountVnd: z.number(), surchargeVnd: z.number(), channel: z.string(), paidAt: z.string() })
      .nullable(),
  }),
  appeals: z.array(z.object({ appealId: z.string(), filedAt: z.string(), outcome: z.enum(APPEAL_OUTCOMES).optional() })),
  closedReason: z.enum(CLOSE_REASONS).nullable(),
  signoffBasis: z.object({
    caseId: z.string(),
    caseRevision: z.number(),
    evidence: z.array(z.string()),
    violationCode: z.string(),
    plate: z.string().nullable(),
  }),
});
export type CaseDocument = z.infer<typeof CaseDocumentSchema>;

/** The newest plate crop's box (`x,y,width,height` as the media worker records it), or null. */
export function plateBoxOf(state: ExistingCase): CaseDocument['plateBox'] {
  for (const d of [...state.derivations].reverse()) {
    if (d.derived.kind !== 'plate-crop' || typeof d.parameters?.box !== 'string') continue;
    const parts = d.parameters.box.split(',').map(Number);
    const [x, y, width, height] = parts;
    if (parts.length !== 4 || !parts.every(Number.isSafeInteger) || width! <= 0 || height! <= 0) continue;
    return { sourceDigest: d.sourceDigest, x: x!, y: y!, width: width!, height: height! };
  }
  return null;
}

export function caseDocument(state: ExistingCase, revision: bigint): CaseDocument {
  const plate =
    state.review?.plate ?? state.detection.plateRead?.text ?? state.plateReadings.at(-1)?.plate ?? null;
  return {
    caseId: state.caseId,
    province: state.province,
    status: state.status,
    revision: Number(revision),
    detection: state.detection,
    plateColour: plateColourOf(state.detection) ?? null,
    detectionKeyId: state.detectionKeyId,
    flags: state.flags,
    /** Background jobs that failed for good: shown as a flag on the case screen. */
    processingFailures: state.processingFailures ?? [],
    plateReadings: state.plateReadings,
    evidence: {
      originals: state.originals,
      derived: state.derivations.map((d) => ({
        ...d.derived,
        sourceDigest: d.sourceDigest,
        operation: d.operation,
      })),
    },
    plateBox: plateBoxOf(state),
    review: state.review ?? null,
    owner: state.owner ?? null,
    notices: state.notices,
    decision: state.decision ?? null,
    paidVnd: state.paidVnd ?? null,
    /** Documents issued (`DocumentIssued`): open them with `POST /v1/cases/:caseId/documents/:kind`. */
    documents: (state.documents ?? []).map((d) => ({ ...d })),
    procedure: {
      transferredTo: state.transfer?.toProvince ?? null,
      // The statement verbatim: the record (record/v1) carries it, and the officer drawing it up copies it from here.
      explanations: (state.explanations ?? []).map(({ explanationId, channel, statement, submittedAt }) => ({
        explanationId,
        channel,
        statement,
        submittedAt,
      })),
      driver: state.driver ?? null,
      unresponsive: state.unresponsive
        ? {
            noticeId: state.unresponsive.noticeId,
            warned: state.unresponsive.warned,
            recordedAt: state.unresponsive.recordedAt,
            sent: state.unresponsive.sent ?? [],
          }
        : null,
      record: state.record
        ? {
            recordId: state.record.recordId,
            offender: state.record.offender,
            officerKeyId: state.record.officerKeyId,
            signedAt: state.record.signedAt,
          }
        : null,
      payment: state.payment ?? null,
    },
    appeals: state.appeals,
    closedReason: state.closedReason ?? null,
    /** The fields every sign-off on this case MUST carry as of this revision (integrity.md §4). */
    signoffBasis: {
      caseId: state.caseId,
      caseRevision: Number(revision),
      evidence: sortedDigests(state.originals),
      violationCode: state.review?.violationCode ?? state.detection.violationCode,
      plate,
    },
  };
}
