/**
 * The case read model as a pure fold: `applyCaseEvent(row, event, envelope)` gives the row after one case
 * record. Rows are plain JSON with the table's column names, so the handler can load and store them in one
 * statement each. Like the domain's `evolve`, this never throws on a well-formed event: history is what it is.
 */
import { lookupViolation, type VehicleClass } from '../../domain/catalog/index.ts';
import type { CaseEvent, CaseEventData } from '../../domain/case/events.ts';
import { INITIAL_CASE_STATUS, nextStatus, RECEIVED_CASE_STATUS } from '../../domain/case/status.ts';
import type { Detection } from '../../domain/signoff/payloads.ts';
import { assertNever } from '../../domain/shared/errors.ts';
import type { JsonRowOf } from '../read-models/declare.ts';
import type { CaseEntity, CaseTimelineEntity } from '../read-models/entities.ts';
import { vietnamDate } from '../../domain/signoff/primitives.ts';
import { periodOfDays } from '../../domain/case/periods.ts';
import { RESPONSE_DAYS } from '../../domain/case/handlers/procedure.ts';
import { plateKey } from './plate.ts';

/** The parts of the record around the event that the views need. */
export interface Envelope {
  eventId: string;
  revision: number;
  recordedAt: string;
  actorKind: string;
  actorId: string;
  hash: string;
}

export interface EvidenceItem {
  digest: string;
  mediaType: string;
  size: number;
  role?: string;
  kind?: string;
  sourceDigest?: string;
  operation?: string;
  producer?: { library: string; version: string };
}

/** The `rm_case` row in its JSON form (column names as keys), as declared by `CaseEntity`. */
export type CaseViewRow = JsonRowOf<
  typeof CaseEntity,
  {
    evidence: { originals: EvidenceItem[]; derived: EvidenceItem[] };
    review: Record<string, unknown> | null;
    decision: Record<string, unknown> | null;
    notices: { noticeId: string; channel: string; issuedAt: string; delivery: string; at?: string }[];
    appeals: { appealId: string; filedAt: string; outcome?: string; resolvedAt?: string; resolvedBy?: string }[];
    flags: { flag: string; detail: string }[];
  }
>;

/** The `rm_case_timeline` row in its JSON form, as declared by `CaseTimelineEntity`. */
export type TimelineRow = JsonRowOf<typeof CaseTimelineEntity, { summary: Record<string, unknown> }>;

/** The row with the status `type` leads to: the domain's one status machine (domain/case/status.ts). */
function moveOn(row: CaseViewRow, type: CaseEvent['type']): CaseViewRow {
  const step = nextStatus(row.status, type);
  return step.endedFrom !== undefined ? { ...row, status: step.status, status_before_end: step.endedFrom } : { ...row, status: step.status };
}

/** The view's flag for a `ProcessingFailed` record (not a case flag of the domain: no rule depends on it). */
export const PROCESSING_FAILED_FLAG = 'processing-failed';

function withFlags(row: CaseViewRow, flags: { flag: string; detail: string }[]): CaseViewRow {
  return {
    ...row,
    flags,
    flag_calibration: flags.some((f) => f.flag === 'calibration-invalid'),
    flag_model_not_approved: flags.some((f) => f.flag === 'model-not-approved'),
    flag_plate_mismatch: flags.some((f) => f.flag === 'plate-mismatch'),
  };
}

/** Title and legal basis of the catalog entry in force on the violation's date, when the catalog knows it. */
function catalogFacts(code: string, vehicleClass: string, observedAt: string): { title: string | null; basis: unknown } {
  try {
    const entry = lookupViolation(code, vehicleClass as VehicleClass, vietnamDate(observedAt));
    return { title: entry.title.vi, basis: entry.legalBasis };
  } catch {
    return { title: null, basis: null };
  }
}

/** The case row after `event`; undefined only while no `ViolationDetected` has been seen. */
export function applyCaseEvent(row: CaseViewRow | undefined, event: CaseEvent, env: Envelope): CaseViewRow | undefined {
  if (!row) {
    if (event.type === 'CaseReceived') return receivedRow(event.data, env);
    if (event.type !== 'ViolationDetected') return undefined;
    const d = event.data;
    return openedRow(d.caseId, d.province, d.detection, d.model?.modelId ?? null, d.flags ?? [], env);
  }
  return withResponseDue(moveOn(applyFacts({ ...row, revision: env.revision, updated_at: env.recordedAt }, event, env), event.type));
}

/**
 * The end of the owner's response period while the case waits on the owner (the procedure schedule's
 * candidates): status `noticed`, no explanation, no violation record, not yet unresponsive, and a notice the
 * channel did not refuse (the latest such starts the period, as the decider counts it). Null otherwise.
 */
function withResponseDue(row: CaseViewRow): CaseViewRow {
  const waiting = row.status === 'noticed' && !row.explained && row.record_id === null && !row.owner_unresponsive;
  const notice = waiting ? row.notices.filter((n) => n.delivery !== 'failed').at(-1) : undefined;
  return { ...row, response_due_at: notice ? periodOfDays(notice.issuedAt, RESPONSE_DAYS).endsAt : null };
}

/**
 * The row of a case handed over by another node: the sending case's review and owner stand, status
 * `owner-identified`; the originals arrive with the next record (`EvidenceAttached`).
 */
function receivedRow(d: CaseEventData<'CaseReceived'>, env: Envelope): CaseViewRow {
  const base = openedRow(d.caseId, d.province, d.detection, null, [], env);
  const review = {
    decision: 'confirm',
    keyId: d.review.officerKeyId,
    signedAt: d.review.signedAt,
    plate: d.review.plate,
    violationCode: d.review.violationCode,
    receivedFrom: { origin: d.from.origin, province: d.from.province, leafIndex: d.from.leafIndex },
  };
  return {
    ...base,
    evidence: { originals: [], derived: [] },
    status: RECEIVED_CASE_STATUS,
    review,
    reviewed_at: d.review.signedAt,
    plate_confirmed: d.review.plate,
    plate_confirmed_compact: plateKey(d.review.plate),
    violation_code: d.review.violationCode,
    owner_kind: d.owner.kind,
  };
}

function openedRow(
  caseId: string,
  province: string,
  det: Detection,
  modelId: string | null,
  flags: { flag: string; detail: string }[],
  env: Envelope,
): CaseViewRow {
  {
    const d = { caseId, province };
    const facts = catalogFacts(det.violationCode, det.vehicleClass, det.observedAt);
    const base: CaseViewRow = {
      case_id: d.caseId,
      province: d.province,
      camera_id: det.cameraId,
      detection_id: det.detectionId,
      observed_at: det.observedAt,
      detected_at: env.recordedAt,
      location_description: det.location.description,
      road_type: det.location.roadType,
      commune: det.location.commune ?? null,
      lat_micro: det.location.latMicro,
      lon_micro: det.location.lonMicro,
      violation_code: det.violationCode,
      violation_title: facts.title,
      legal_basis: facts.basis,
      vehicle_class: det.vehicleClass,
      plate_edge: det.plateRead?.text ?? null,
      plate_edge_compact: det.plateRead ? plateKey(det.plateRead.text) : null,
      plate_ai: null,
      plate_ai_compact: null,
      plate_confirmed: null,
      plate_confirmed_compact: null,
      status: INITIAL_CASE_STATUS,
      status_before_end: null,
      close_reason: null,
      evidence: { originals: det.evidence.map((e) => ({ ...e })), derived: [] },
      review: null,
      reviewed_at: null,
      reviewed_by: null,
      decision: null,
      decided_at: null,
      decided_by: null,
      notice_status: null,
      notices: [],
      fine_vnd: null,
      points: null,
      paid_vnd: null,
      paid_at: null,
      appeals: [],
      flag_calibration: false,
      flag_model_not_approved: false,
      flag_plate_mismatch: false,
      flags: [],
      model_id: modelId,
      owner_kind: null,
      transferred_to: null,
      record_id: null,
      driver_identified: false,
      owner_unresponsive: false,
      surcharge_vnd: null,
      payment_channel: null,
      explained: false,
      response_due_at: null,
      revision: env.revision,
      updated_at: env.recordedAt,
    };
    return withFlags(base, flags.map((f) => ({ flag: f.flag, detail: f.detail })));
  }
}

/** The row's columns other than the status after `event`; the status is left to `moveOn`. */
function applyFacts(next: CaseViewRow, event: CaseEvent, env: Envelope): CaseViewRow {
  switch (event.type) {
    case 'ViolationDetected':
      return next;
    case 'PlateRecognized':
      return { ...next, plate_ai: event.data.plate, plate_ai_compact: plateKey(event.data.compact) };
    case 'EvidenceDerived': {
      const d = event.data;
      const item: EvidenceItem = { ...d.derived, sourceDigest: d.sourceDigest, operation: d.operation, producer: d.producer };
      return { ...next, evidence: { ...next.evidence, derived: [...next.evidence.derived, item] } };
    }
    case 'EvidenceAttached':
      return {
        ...next,
        evidence: { ...next.evidence, originals: [...next.evidence.originals, ...event.data.evidence.map((e) => ({ ...e }))] },
      };
    case 'CaseFlagged':
      return withFlags(next, [...next.flags, { flag: event.data.flag.flag, detail: event.data.flag.detail }]);
    case 'ProcessingFailed':
      return withFlags(next, [
        ...next.flags,
        { flag: PROCESSING_FAILED_FLAG, detail: `${event.data.job}: ${event.data.reasonCode}: ${event.data.reason}` },
      ]);
    case 'ReviewConfirmed':
    case 'ReviewRejected': {
      const s = event.data.signoff;
      const review: Record<string, unknown> = {
        decision: s.decision,
        officerId: env.actorId,
        keyId: event.data.keyId,
        signedAt: s.signedAt,
        recordedAt: env.recordedAt,
        plate: s.plate,
        violationCode: s.violationCode,
        caseRevision: s.caseRevision,
      };
      if (s.correction !== undefined) review.correction = s.correction;
      if (s.rejectReason !== undefined) review.rejectReason = s.rejectReason;
      if (s.overrideReason !== undefined) review.overrideReason = s.overrideReason;
      if (event.type === 'ReviewConfirmed' && event.data.overriddenFlags) review.overriddenFlags = event.data.overriddenFlags;
      const reviewed = { ...next, review, reviewed_at: s.signedAt, reviewed_by: env.actorId };
      if (event.type === 'ReviewRejected') return reviewed;
      return { ...reviewed, plate_confirmed: s.plate, plate_confirmed_compact: plateKey(s.plate), violation_code: s.violationCode };
    }
    case 'OwnerIdentified':
      return { ...next, owner_kind: event.data.owner.kind };
    case 'OwnerNotFound':
      return next;
    case 'NoticeIssued': {
      const { noticeId, channel, issuedAt } = event.data;
      return { ...next, notices: [...next.notices, { noticeId, channel, issuedAt, delivery: 'pending' }], notice_status: 'issued' };
    }
    case 'NoticeDelivered':
    case 'NoticeDeliveryFailed': {
      const delivery = event.type === 'NoticeDelivered' ? 'delivered' : 'failed';
      const at = event.type === 'NoticeDelivered' ? event.data.deliveredAt : event.data.failedAt;
      const notices = next.notices.map((n) => (n.noticeId === event.data.noticeId ? { ...n, delivery, at } : n));
      return { ...next, notices, notice_status: delivery };
    }
    case 'PenaltyDecided': {
      const s = event.data.signoff;
      const decision: Record<string, unknown> = {
        officerId: env.actorId,
        keyId: event.data.keyId,
        signedAt: s.signedAt,
        recordedAt: env.recordedAt,
        fineVnd: s.fineVnd,
        points: s.points,
        legalBasis: s.legalBasis,
        offenderKind: s.offender.kind,
        violationCode: s.violationCode,
      };
      if (event.data.catalogVersion !== undefined) decision.catalogVersion = event.data.catalogVersion;
      return {
        ...next,
        decision,
        decided_at: s.signedAt,
        decided_by: env.actorId,
        fine_vnd: s.fineVnd,
        points: s.points,
        legal_basis: s.legalBasis,
        violation_code: s.violationCode,
      };
    }
    case 'PenaltyPaid':
      return { ...next, paid_vnd: event.data.amountVnd, paid_at: event.data.paidAt };
    case 'PaymentRecorded': {
      const d = event.data;
      return { ...next, paid_vnd: d.amountVnd, paid_at: d.paidAt, surcharge_vnd: d.surchargeVnd, payment_channel: d.channel };
    }
    case 'CaseTransferred':
      return { ...next, transferred_to: event.data.signoff.toProvince };
    case 'CaseReceived':
      return next;
    case 'ExplanationSubmitted':
      return { ...next, explained: true };
    case 'DocumentIssued':
      return next;
    case 'DriverIdentified':
      return { ...next, driver_identified: true };
    case 'OwnerUnresponsive':
      return { ...next, owner_unresponsive: true };
    case 'AgencyWarningSent':
      return next;
    case 'ViolationRecordDrawn':
      return { ...next, record_id: event.data.signoff.recordId };
    case 'AppealFiled':
      return { ...next, appeals: [...next.appeals, { appealId: event.data.appealId, filedAt: event.data.filedAt }] };
    case 'AppealResolved': {
      const d = event.data;
      const appeals = next.appeals.map((a) =>
        a.appealId === d.appealId ? { ...a, outcome: d.outcome, resolvedAt: d.resolvedAt, resolvedBy: d.resolvedBy } : a,
      );
      return { ...next, appeals };
    }
    case 'CaseClosed':
      // The reason is recorded only when this record is the one that closes the case.
      return nextStatus(next.status, event.type).endedFrom !== undefined ? { ...next, close_reason: event.data.reason } : next;
    case 'CaseExpired':
    case 'CaseVoided':
      return next;
    default:
      return assertNever(event, 'case event');
  }
}

/** What the timeline shows for one record besides type, actor and time: the facts, never personal data. */
export function timelineSummary(event: CaseEvent): Record<string, unknown> {
  switch (event.type) {
    case 'ViolationDetected':
      return { detectionId: event.data.detection.detectionId, cameraId: event.data.detection.cameraId, keyId: event.data.keyId };
    case 'PlateRecognized':
      return {
        plate: event.data.plate,
        confidenceBp: event.data.confidenceBp,
        modelId: event.data.model.modelId,
        ...(event.data.alternatives ? { alternatives: event.data.alternatives.map((a) => ({ ...a })) } : {}),
      };
    case 'EvidenceDerived':
      return { digest: event.data.derived.digest, kind: event.data.derived.kind, sourceDigest: event.data.sourceDigest };
    case 'EvidenceAttached':
      return { digests: event.data.evidence.map((e) => e.digest) };
    case 'CaseFlagged':
      return { flag: event.data.flag.flag };
    case 'ProcessingFailed':
      return { job: event.data.job, reasonCode: event.data.reasonCode, attempts: event.data.attempts };
    case 'ReviewConfirmed':
    case 'ReviewRejected':
      return { decision: event.data.signoff.decision, keyId: event.data.keyId, signedAt: event.data.signoff.signedAt };
    case 'OwnerIdentified':
      return { ownerKind: event.data.owner.kind, registry: event.data.registry };
    case 'OwnerNotFound':
      return { registry: event.data.registry };
    case 'NoticeIssued':
      return { noticeId: event.data.noticeId, channel: event.data.channel };
    case 'NoticeDelivered':
    case 'NoticeDeliveryFailed':
      return { noticeId: event.data.noticeId };
    case 'PenaltyDecided':
      return { fineVnd: event.data.signoff.fineVnd, points: event.data.signoff.points, keyId: event.data.keyId };
    case 'PenaltyPaid':
      return { amountVnd: event.data.amountVnd, paymentRef: event.data.paymentRef };
    case 'PaymentRecorded':
      return {
        amountVnd: event.data.amountVnd,
        surchargeVnd: event.data.surchargeVnd,
        channel: event.data.channel,
        paymentRef: event.data.paymentRef,
      };
    case 'CaseTransferred':
      return { toProvince: event.data.signoff.toProvince, keyId: event.data.keyId, handover: event.data.handover ?? 'in-node' };
    case 'CaseReceived':
      return {
        origin: event.data.from.origin,
        fromProvince: event.data.from.province,
        leafIndex: event.data.from.leafIndex,
        recordHash: event.data.from.recordHash,
      };
    case 'ExplanationSubmitted':
      // The statement may name people: the timeline shows only that one was made, and how.
      return { explanationId: event.data.explanationId, channel: event.data.channel };
    case 'DriverIdentified':
      return { driverKind: event.data.driver.kind };
    case 'OwnerUnresponsive':
      return { noticeId: event.data.noticeId, warned: event.data.warned };
    case 'DocumentIssued':
      return {
        kind: event.data.kind,
        ...(event.data.noticeId !== undefined ? { noticeId: event.data.noticeId } : {}),
        ...(event.data.appealId !== undefined ? { appealId: event.data.appealId } : {}),
        digest: event.data.digest,
        templateVersion: event.data.templateVersion,
      };
    case 'AgencyWarningSent':
      return { agency: event.data.agency, receipt: event.data.receipt };
    case 'ViolationRecordDrawn':
      return {
        recordId: event.data.signoff.recordId,
        offenderKind: event.data.signoff.offender.kind,
        keyId: event.data.keyId,
      };
    case 'AppealFiled':
      return { appealId: event.data.appealId };
    case 'AppealResolved':
      return { appealId: event.data.appealId, outcome: event.data.outcome };
    case 'CaseClosed':
      return { reason: event.data.reason };
    case 'CaseExpired':
      return { limitationEndsAt: event.data.limitationEndsAt };
    case 'CaseVoided':
      return { keyId: event.data.keyId, reason: event.data.signoff.voidReason };
    default:
      return assertNever(event, 'case event');
  }
}
