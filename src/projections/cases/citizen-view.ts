/**
 * The citizen lookup row: ONLY the fields the law publishes for a camera case (TT 73/2024 Art. 24, the csgt.vn
 * lookup): vehicle type, plate and plate colour, time, place, violation, detecting unit, status. A case is
 * published once an officer confirmed it; unreviewed, rejected and voided cases are never shown. No owner,
 * evidence, officer or signature data lives in this table, so no query on it can leak them.
 */
import { lookupViolation, type VehicleClass } from '../../domain/catalog/index.ts';
import type { CaseEvent } from '../../domain/case/events.ts';
import { provinceByCode } from '../../domain/provinces/index.ts';
import { assertNever } from '../../domain/shared/errors.ts';
import type { JsonRowOf } from '../read-models/declare.ts';
import type { CitizenViolationEntity } from '../read-models/entities.ts';
import { vietnamDate } from '../../domain/signoff/primitives.ts';
import { plateKey } from './plate.ts';
import { plateColourOf } from '../../domain/case/plate-colour.ts';

/** The `rm_citizen_violation` row in its JSON form, as declared by `CitizenViolationEntity`. */
export type CitizenRow = JsonRowOf<typeof CitizenViolationEntity>;

/**
 * Citizen-facing status words (the lookup shows a status, not the internal lifecycle). `transferred`: handed over
 * to the police of another province served by another node (`transferred_to` names it); the case goes on there.
 */
export type CitizenStatus = 'unresolved' | 'under-appeal' | 'resolved' | 'expired' | 'transferred';

export function detectingUnitOf(province: string): string {
  const p = provinceByCode(province);
  return p ? `Phòng CSGT Công an ${p.name}` : `Phòng CSGT (${province})`;
}

function violationText(code: string, vehicleClass: string, observedAt: string): string {
  try {
    return lookupViolation(code, vehicleClass as VehicleClass, vietnamDate(observedAt)).title.vi;
  } catch {
    return code;
  }
}

export function applyCitizenEvent(row: CitizenRow | undefined, event: CaseEvent): CitizenRow | undefined {
  if (!row) {
    if (event.type === 'CaseReceived') return receivedRow(event);
    if (event.type !== 'ViolationDetected') return undefined;
    const det = event.data.detection;
    const plate = det.plateRead?.text ?? '';
    return {
      case_id: event.data.caseId,
      plate_compact: plate ? plateKey(plate) : '',
      plate,
      plate_colour: plateColourOf(det) ?? null,
      vehicle_type: det.vehicleClass,
      observed_at: det.observedAt,
      place: det.location.description,
      violation_code: det.violationCode,
      violation: violationText(det.violationCode, det.vehicleClass, det.observedAt),
      detecting_unit: detectingUnitOf(event.data.province),
      status: 'unresolved' satisfies CitizenStatus,
      published: false,
      owner_unresponsive: false,
      transferred_to: null,
    };
  }
  switch (event.type) {
    case 'ReviewConfirmed': {
      const s = event.data.signoff;
      if (row.status !== 'unresolved' || row.published) return row;
      return {
        ...row,
        plate: s.plate,
        plate_compact: plateKey(s.plate),
        violation_code: s.violationCode,
        violation: violationText(s.violationCode, row.vehicle_type, row.observed_at),
        published: true,
      };
    }
    case 'ReviewRejected':
    case 'CaseVoided':
      return { ...row, published: false, status: 'resolved' };
    case 'AppealFiled':
      return row.status === 'unresolved' ? { ...row, status: 'under-appeal' } : row;
    case 'AppealResolved':
      if (row.status !== 'under-appeal') return row;
      return event.data.outcome === 'overturned' ? { ...row, status: 'resolved' } : { ...row, status: 'unresolved' };
    // Handed over across nodes: the case is closed here (reason `transferred`) and goes on in the receiving
    // province, so the citizen is told where, not that it is resolved. An in-node transfer stays on this node.
    case 'CaseTransferred':
      return event.data.handover === 'federation'
        ? { ...row, status: 'transferred' satisfies CitizenStatus, transferred_to: event.data.signoff.toProvince }
        : row;
    case 'CaseClosed':
      return row.status === 'expired' || row.status === 'transferred' ? row : { ...row, status: 'resolved' };
    case 'PenaltyPaid':
    case 'PaymentRecorded':
      return row.status === 'expired' ? row : { ...row, status: 'resolved' };
    case 'CaseExpired':
      return row.status === 'resolved' ? row : { ...row, status: 'expired' };
    case 'ViolationDetected':
    case 'PlateRecognized':
    case 'EvidenceDerived':
    case 'EvidenceAttached':
    case 'CaseFlagged':
    case 'ProcessingFailed':
    case 'OwnerIdentified':
    case 'OwnerNotFound':
    case 'NoticeIssued':
    case 'NoticeDelivered':
    case 'NoticeDeliveryFailed':
    case 'PenaltyDecided':
      return row;
    // Only the record of an unresponsive owner flags the vehicle (these events once fell through to it).
    case 'OwnerUnresponsive':
      return { ...row, owner_unresponsive: true };
    case 'AgencyWarningSent':
    // Opens the row (above); a repeat on an existing row changes nothing.
    case 'CaseReceived':
    case 'ExplanationSubmitted':
    case 'DriverIdentified':
    case 'ViolationRecordDrawn':
    case 'DocumentIssued':
      return row;
    default:
      return assertNever(event, 'case event');
  }
}

/**
 * A case handed over by another node (docs/federation.md "Case handover"): published from its first record
 * here, since an officer of the sending province confirmed it (the review `CaseReceived` carries); the plate and
 * violation are the confirmed ones, the detecting unit is the sending province's police, whose camera saw it.
 */
function receivedRow(event: Extract<CaseEvent, { type: 'CaseReceived' }>): CitizenRow {
  const { detection: det, review, from } = event.data;
  return {
    case_id: event.data.caseId,
    plate_compact: plateKey(review.plate),
    plate: review.plate,
    plate_colour: plateColourOf(det) ?? null,
    vehicle_type: det.vehicleClass,
    observed_at: det.observedAt,
    place: det.location.description,
    violation_code: review.violationCode,
    violation: violationText(review.violationCode, det.vehicleClass, det.observedAt),
    detecting_unit: detectingUnitOf(from.province),
    status: 'unresolved' satisfies CitizenStatus,
    published: true,
    owner_unresponsive: false,
    transferred_to: null,
  };
}
