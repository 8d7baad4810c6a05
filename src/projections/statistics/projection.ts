/**
 * `statistics`: counters per Viet Nam calendar day × province × violation code. Each fact is filed under the
 * day it happened (detection: observation time; review, decision: signing time; payment: payment time) and
 * the province of the case (the record's `meta.province`). Payments are filed under the case's violation
 * code as last confirmed or decided, which `rm_stats_case` remembers.
 */
import type { CaseEventType } from '../../domain/case/events.ts';
import { assertNever } from '../../domain/shared/errors.ts';
import { handledTypes, isHandled, type Handling } from '../../domain/shared/exhaustive.ts';
import type { StoredRecord } from '../../ports/eventstore.ts';
import { caseIdOf } from '../../domain/record.ts';
import { caseEventOf } from '../events.ts';
import { vietnamDate } from '../../domain/signoff/primitives.ts';
import type { Projection } from '../projection.ts';
import { addToCounters, loadRows, upsertRows, type Row } from '../sql.ts';

const COUNTERS = ['detections', 'confirmed', 'rejected', 'penalties', 'fines_decided_vnd', 'fines_paid_vnd', 'points'] as const;

/** Per case event type: whether it moves a counter. */
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
  PenaltyPaid: 'handled',
  PaymentRecorded: 'handled',
  AppealFiled: 'ignored',
  AppealResolved: 'ignored',
  CaseClosed: 'ignored',
  CaseExpired: 'ignored',
  CaseVoided: 'ignored',
} as const satisfies Record<CaseEventType, Handling>;

interface StatsCase extends Row {
  case_id: string;
  province: string;
  violation_code: string;
}

export const statisticsProjection: Projection = {
  name: 'statistics',
  eventTypes: handledTypes(COUNTED),
  tables: ['rm_stats_daily', 'rm_stats_case'],
  async handle(batch, manager) {
    const records = batch.filter((s) => caseIdOf(s.record.stream) !== undefined);
    const caseIdOfRecord = (s: StoredRecord) => caseIdOf(s.record.stream)!;
    const paidIds = records.filter((s) => s.record.type === 'PenaltyPaid' || s.record.type === 'PaymentRecorded').map(caseIdOfRecord);
    const cases = await loadRows<StatsCase>(manager, 'rm_stats_case', 'case_id', [...new Set(paidIds)]);
    const changed = new Set<string>();
    const deltas: Row[] = [];
    const add = (day: string, province: string, code: string, counts: Partial<Record<(typeof COUNTERS)[number], number>>) =>
      deltas.push({ day, province, violation_code: code, ...counts });
    for (const stored of records) {
      const event = caseEventOf(stored);
      if (!isHandled(COUNTED, event)) continue;
      const id = caseIdOfRecord(stored);
      const province = stored.record.meta.province;
      switch (event.type) {
        case 'ViolationDetected': {
          const det = event.data.detection;
          cases.set(id, { case_id: id, province: event.data.province, violation_code: det.violationCode });
          changed.add(id);
          add(vietnamDate(det.observedAt), event.data.province, det.violationCode, { detections: 1 });
          break;
        }
        case 'ReviewConfirmed':
        case 'ReviewRejected': {
          const s = event.data.signoff;
          const known = cases.get(id);
          if (event.type === 'ReviewConfirmed') {
            cases.set(id, { case_id: id, province: known?.province ?? province, violation_code: s.violationCode });
            changed.add(id);
          }
          add(vietnamDate(s.signedAt), province, s.violationCode, event.type === 'ReviewConfirmed' ? { confirmed: 1 } : { rejected: 1 });
          break;
        }
        case 'PenaltyDecided': {
          const s = event.data.signoff;
          cases.set(id, { case_id: id, province: cases.get(id)?.province ?? province, violation_code: s.violationCode });
          changed.add(id);
          add(vietnamDate(s.signedAt), province, s.violationCode, { penalties: 1, fines_decided_vnd: s.fineVnd, points: s.points });
          break;
        }
        case 'PenaltyPaid':
        case 'PaymentRecorded': {
          // The amount paid, surcharge included.
          const code = cases.get(id)?.violation_code ?? 'unknown';
          add(vietnamDate(event.data.paidAt), province, code, { fines_paid_vnd: event.data.amountVnd });
          break;
        }
        default:
          assertNever(event, 'case event');
      }
    }
    // Only cases seen in this batch or needed for a payment are written back; unchanged loads are skipped.
    await upsertRows(manager, 'rm_stats_case', ['case_id'], [...changed].map((id) => cases.get(id)!));
    await addToCounters(manager, 'rm_stats_daily', ['day', 'province', 'violation_code'], COUNTERS, deltas);
  },
};
