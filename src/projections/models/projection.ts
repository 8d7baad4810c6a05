/**
 * `model-performance`: AI model versions and every plate reading they made (the edge model's reading in the
 * detection, and each `PlateRecognized`), with the human outcome once the case is reviewed:
 * confirmed (the officer confirmed the same plate), corrected (confirmed another plate), rejected (the review
 * rejected the case, with the reviewer's reason). A reading is keyed by the case and the revision of the record that carried it, so the
 * outcome of a review applies exactly to the readings before it, whatever the batch boundaries.
 */
import type { StoredRecord } from '../../ports/eventstore.ts';
import type { CaseEventType } from '../../domain/case/events.ts';
import { MODEL_EVENT_TYPES, type ModelEvent } from '../../domain/model/events.ts';
import { caseIdOf, streamIdOf } from '../../domain/record.ts';
import { assertNever } from '../../domain/shared/errors.ts';
import { handledTypes, isHandled, type Handling } from '../../domain/shared/exhaustive.ts';
import { plateKey } from '../cases/plate.ts';
import { caseEventOf, eventOf } from '../events.ts';
import type { Projection } from '../projection.ts';
import { insertRows, loadRows, upsertRows, type Row } from '../sql.ts';

interface ModelRow extends Row {
  model_id: string;
  name: string;
  version: string;
  status: 'registered' | 'approved' | 'suspended';
  registered_at: string;
  approved_at: string | null;
  suspended_at: string | null;
}

export function applyModelEvent(row: ModelRow | undefined, event: ModelEvent): ModelRow | undefined {
  switch (event.type) {
    case 'ModelVersionRegistered':
      return row ?? {
        model_id: event.data.modelId,
        name: event.data.name,
        version: event.data.version,
        status: 'registered',
        registered_at: event.data.registeredAt,
        approved_at: null,
        suspended_at: null,
      };
    case 'ModelVersionApproved':
      return row && { ...row, status: row.status === 'suspended' ? 'suspended' : 'approved', approved_at: event.data.approvedAt };
    case 'ModelVersionSuspended':
      return row && { ...row, status: 'suspended', suspended_at: event.data.suspendedAt };
    default:
      return assertNever(event, 'model event');
  }
}

/** Per case event type: whether it carries a plate reading (edge or ANPR) or a review outcome. */
const READINGS = {
  ViolationDetected: 'handled',
  PlateRecognized: 'handled',
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
  PenaltyDecided: 'ignored',
  PenaltyPaid: 'ignored',
  PaymentRecorded: 'ignored',
  AppealFiled: 'ignored',
  AppealResolved: 'ignored',
  CaseClosed: 'ignored',
  CaseExpired: 'ignored',
  CaseVoided: 'ignored',
} as const satisfies Record<CaseEventType, Handling>;

export const modelPerformanceProjection: Projection = {
  name: 'model-performance',
  eventTypes: [...MODEL_EVENT_TYPES, ...handledTypes(READINGS)],
  tables: ['rm_model_version', 'rm_model_reading'],
  async handle(batch, manager) {
    const modelRecords = batch.filter((s) => streamIdOf('model', s.record.stream) !== undefined);
    const rows = await loadRows<ModelRow>(manager, 'rm_model_version', 'model_id', [
      ...new Set(modelRecords.map((s) => streamIdOf('model', s.record.stream)!)),
    ], 'text');
    const touched = new Set<string>();
    const readings: Row[] = [];
    const reviews: Row[] = [];
    for (const stored of batch) {
      const stream = stored.record.stream;
      const id = streamIdOf('model', stream);
      if (id !== undefined) {
        const next = applyModelEvent(rows.get(id), eventOf(stored) as ModelEvent);
        if (next) {
          rows.set(id, next);
          touched.add(id);
        }
        continue;
      }
      const caseId = caseIdOf(stream);
      if (caseId === undefined) continue;
      const event = caseEventOf(stored);
      if (!isHandled(READINGS, event)) continue;
      const reading = (modelId: string, source: 'edge' | 'anpr', plate: string) =>
        readings.push({
          case_id: caseId,
          reading_no: stored.record.revision,
          model_id: modelId,
          source,
          plate_compact: plateKey(plate),
          read_at: stored.record.meta.recordedAt,
          outcome: null,
          reviewed_at: null,
          reject_reason: null,
        });
      switch (event.type) {
        case 'ViolationDetected':
          if (event.data.model && event.data.detection.plateRead)
            reading(event.data.model.modelId, 'edge', event.data.detection.plateRead.text);
          break;
        case 'PlateRecognized':
          reading(event.data.model.modelId, 'anpr', event.data.compact);
          break;
        case 'ReviewConfirmed':
        case 'ReviewRejected': {
          const s = event.data.signoff;
          reviews.push({
            case_id: caseId,
            revision: stored.record.revision,
            decision: s.decision,
            plate_compact: plateKey(s.plate),
            reviewed_at: s.signedAt,
            reject_reason: s.decision === 'reject' ? (s.rejectReason ?? null) : null,
          });
          break;
        }
        default:
          assertNever(event, 'case event');
      }
    }
    await upsertRows(manager, 'rm_model_version', ['model_id'], [...touched].map((id) => rows.get(id)!));
    await insertRows(manager, 'rm_model_reading', readings);
    if (reviews.length > 0) {
      await manager.query(
        `UPDATE rm_model_reading r
            SET outcome = CASE WHEN x.decision = 'reject' THEN 'rejected'
                               WHEN r.plate_compact = x.plate_compact THEN 'confirmed' ELSE 'corrected' END,
                reviewed_at = x.reviewed_at,
                reject_reason = x.reject_reason
           FROM jsonb_to_recordset($1::jsonb) AS x(case_id uuid, revision bigint, decision text, plate_compact text, reviewed_at timestamptz, reject_reason text)
          WHERE r.case_id = x.case_id AND r.reading_no < x.revision AND r.outcome IS NULL`,
        [JSON.stringify(reviews)],
      );
    }
  },
};

export type { StoredRecord };
