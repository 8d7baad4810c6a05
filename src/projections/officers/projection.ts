/**
 * `officer-workload`: reviews and decisions per officer per Viet Nam day, and for each case the time from
 * detection (observation) to its first review, for the median per officer.
 */
import type { CaseEventType } from '../../domain/case/events.ts';
import { assertNever } from '../../domain/shared/errors.ts';
import { handledTypes, isHandled, type Handling } from '../../domain/shared/exhaustive.ts';
import { caseEventOf } from '../events.ts';
import { vietnamDate } from '../../domain/signoff/primitives.ts';
import { caseIdOf } from '../../domain/record.ts';
import type { Projection } from '../projection.ts';
import { addToCounters, insertRows, type Row } from '../sql.ts';

/** Per case event type: whether it is a detection, a review or a decision this projection counts. */
const COUNTED = {
  ViolationDetected: 'handled',
  PlateRecognized: 'ignored',
  EvidenceDerived: 'ignored',
  EvidenceAttached: 'ignored',
  CaseFlagged: 'ignored',
  ProcessingFailed: 'ignored',
  ReviewConfirmed: 'handled',
  ReviewRejected: 'handled',
  OwnerIdentified: 'ignored',
  OwnerNotFound: 'ignored',
  NoticeIssued: 'ignored',
  NoticeDelivered: 'ignored',
  NoticeDeliveryFailed: 'ignored',
  CaseTransferred: 'ignored',
  CaseReceived: 'ignored',
  ExplanationSubmitted: 'ignored',
  DriverIdentified: 'ignored',
  OwnerUnresponsive: 'ignored',
  DocumentIssued: 'ignored',
  AgencyWarningSent: 'ignored',
  ViolationRecordDrawn: 'ignored',
  PenaltyDecided: 'handled',
  PenaltyPaid: 'ignored',
  PaymentRecorded: 'ignored',
  AppealFiled: 'ignored',
  AppealResolved: 'ignored',
  CaseClosed: 'ignored',
  CaseExpired: 'ignored',
  CaseVoided: 'ignored',
} as const satisfies Record<CaseEventType, Handling>;

export const officerWorkloadProjection: Projection = {
  name: 'officer-workload',
  eventTypes: handledTypes(COUNTED),
  tables: ['rm_officer_daily', 'rm_review_latency'],
  async handle(batch, manager) {
    const detected: Row[] = [];
    const reviews: Row[] = [];
    const daily: Row[] = [];
    for (const stored of batch) {
      const caseId = caseIdOf(stored.record.stream);
      if (caseId === undefined) continue;
      const event = caseEventOf(stored);
      if (!isHandled(COUNTED, event)) continue;
      const officer = stored.record.meta.actor.id;
      const province = stored.record.meta.province;
      switch (event.type) {
        case 'ViolationDetected':
          detected.push({
            case_id: caseId,
            province: event.data.province,
            observed_at: event.data.detection.observedAt,
            officer_id: null,
            reviewed_at: null,
            day: null,
            latency_ms: null,
          });
          break;
        case 'ReviewConfirmed':
        case 'ReviewRejected': {
          const day = vietnamDate(event.data.signoff.signedAt);
          daily.push({ officer_id: officer, day, province, reviews: 1, decisions: 0 });
          reviews.push({ case_id: caseId, officer_id: officer, reviewed_at: event.data.signoff.signedAt, day });
          break;
        }
        case 'PenaltyDecided':
          daily.push({ officer_id: officer, day: vietnamDate(event.data.signoff.signedAt), province, reviews: 0, decisions: 1 });
          break;
        default:
          assertNever(event, 'case event');
      }
    }
    await insertRows(manager, 'rm_review_latency', detected);
    if (reviews.length > 0) {
      await manager.query(
        `UPDATE rm_review_latency l
            SET officer_id = x.officer_id, reviewed_at = x.reviewed_at, day = x.day,
                latency_ms = floor(extract(epoch FROM (x.reviewed_at - l.observed_at)) * 1000)::bigint
           FROM jsonb_to_recordset($1::jsonb) AS x(case_id uuid, officer_id text, reviewed_at timestamptz, day date)
          WHERE l.case_id = x.case_id AND l.reviewed_at IS NULL`,
        [JSON.stringify(reviews)],
      );
    }
    // Filed per province too: national staff act in several.
    await addToCounters(manager, 'rm_officer_daily', ['officer_id', 'day', 'province'], ['reviews', 'decisions'], daily);
  },
};
