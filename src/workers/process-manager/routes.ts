/**
 * Which events start which jobs: a pure function of one record. Every job's `jobId` is the id of the record
 * that caused it, so replaying the feed enqueues nothing twice (the queue drops a known job id).
 *
 * Jobs carry only the case id and province; processors read everything else from the case stream itself,
 * so a job never acts on a stale or forged copy of the evidence list.
 */
import type { CaseEventType } from '../../domain/case/events.ts';
import type { StoredRecord } from '../../ports/eventstore.ts';
import type { NewJob, QueueName } from '../../ports/jobs.ts';
import { caseIdOf } from '../../domain/record.ts';

export interface RoutedJob {
  queue: QueueName;
  job: NewJob;
}

/** The shape the workers have always required of a case id (36 characters of lowercase hex and dashes). */
const CASE_ID_SHAPE = /^[0-9a-f-]{36}$/;

export interface CaseJobData {
  [key: string]: unknown;
  caseId: string;
  province: string;
}

/** Per case event type: the jobs (queue, job name) it starts; `[]`: none. */
const ROUTES = {
  ViolationDetected: [['inference', 'read-plate'], ['media', 'derive-media']],
  PlateRecognized: [],
  EvidenceDerived: [],
  EvidenceAttached: [],
  CaseFlagged: [],
  ProcessingFailed: [],
  ReviewConfirmed: [['owner-lookup', 'lookup-owner']],
  ReviewRejected: [],
  OwnerIdentified: [['notice', 'issue-notice']],
  OwnerNotFound: [],
  NoticeIssued: [],
  NoticeDelivered: [],
  NoticeDeliveryFailed: [],
  CaseTransferred: [],
  // A handed-over case: the receiving unit's officers issue the notice (the owner is known already).
  CaseReceived: [],
  ExplanationSubmitted: [],
  DriverIdentified: [],
  OwnerUnresponsive: [['agency-warning', 'send-agency-warnings']],
  AgencyWarningSent: [],
  DocumentIssued: [],
  ViolationRecordDrawn: [],
  PenaltyDecided: [],
  PenaltyPaid: [],
  PaymentRecorded: [],
  AppealFiled: [],
  AppealResolved: [],
  CaseClosed: [],
  CaseExpired: [],
  CaseVoided: [],
} as const satisfies Record<CaseEventType, readonly (readonly [QueueName, string])[]>;

/**
 * ViolationDetected → read the plate (`inference`; the plate crop from the recognised box is the same job's
 * second step, because `PlateRecognized` records no box) and derive the media (`media`);
 * ReviewConfirmed → look up the owner (`owner-lookup`); OwnerIdentified → issue and deliver a notice (`notice`).
 */
export function routeRecord({ record }: StoredRecord): RoutedJob[] {
  const caseId = caseIdOf(record.stream);
  // Case ids are UUIDs (`caseIdForDetection`); a stream named otherwise is no case the workers act on.
  if (caseId === undefined || !CASE_ID_SHAPE.test(caseId)) return [];
  const data: CaseJobData = { caseId, province: record.meta.province };
  const job = (queue: QueueName, name: string): RoutedJob => ({ queue, job: { jobId: record.id, name, data } });
  if (!Object.hasOwn(ROUTES, record.type)) return [];
  return ROUTES[record.type as CaseEventType].map(([queue, name]) => job(queue, name));
}
