/**
 * Building each document's input from the case: pure functions of the folded case, the event the document is
 * made from, and what records never hold (the addressee's name and address from the registry, the issuing
 * unit and the treasury account from configuration).
 *
 * - the notice from `NoticeIssued` (its id, channel and time);
 * - the penalty decision from `PenaltyDecided` (the officer's signed sign-off: fine, points, legal basis,
 *   offender, signedAt);
 * - the violation record from `ViolationRecordDrawn` (the officer's signed `record/v1`: number, offender,
 *   explanation verbatim, signedAt);
 * - an appeal's resolution from `AppealFiled` and `AppealResolved` (the officer's signed `appeal/v1`: outcome,
 *   reason, new fine, signedAt) and the penalty decision it resolves.
 */
import { fineRangeFor } from '../catalog/authority.ts';
import type { OfficerTitle } from '../catalog/authority.ts';
import type { CaseEventData } from '../case/events.ts';
import { PAYMENT_DAYS as CASE_PAYMENT_DAYS, SURCHARGE_BASIS_POINTS_PER_DAY } from '../case/handlers/penalty.ts';
import { RESPONSE_DAYS } from '../case/handlers/procedure.ts';
import { catalogEntryFor } from '../case/legal.ts';
import { addDays, isNonWorkingDay, periodOfDays } from '../case/periods.ts';
import { vietnamDate } from '../signoff/primitives.ts';
import type { ExistingCase } from '../case/state.ts';
import { DocumentSourceMissingError } from './errors.ts';
import {
  TEMPLATE_VERSIONS,
  type AppealResolutionDocument,
  type DocumentKind,
  type IssuingUnit,
  type NoticeAppointment,
  type NoticeDocument,
  type NoticeDocumentV1,
  type NoticeTemplateVersion,
  type Party,
  type PenaltyDecisionDocument,
  type SigningOfficer,
  type TreasuryAccount,
  type ViolationFacts,
  type ViolationRecordDocument,
} from './types.ts';
import { vietQrPayload } from './vietqr.ts';
import { vndInWords } from './vnd-words.ts';

/**
 * Days the owner has to come, or answer online, after the notice. Issue 13 reads the owner unresponsive 20
 * days after the notice (Circular 73/2024/TT-BCA Art. 24; docs/legal-procedure.md holds the verified text).
 */
export const NOTICE_RESPONSE_DAYS: number = RESPONSE_DAYS;
/** Days to pay, from receiving the decision (Law on Handling Administrative Violations 2012, Art. 73.1). */
export const PAYMENT_DAYS: number = CASE_PAYMENT_DAYS;
/** Late payment: 0.05% of the fine per day (Law on Handling Administrative Violations 2012, Art. 78.3). */
export const LATE_SURCHARGE_BP_PER_DAY: number = SURCHARGE_BASIS_POINTS_PER_DAY;
/** Days the offender has to send a written explanation of the record (same law, Art. 61.2, as amended). */
export const EXPLANATION_DAYS = 2;

/** How a title is printed on a document. */
export const OFFICER_TITLE_VI: Readonly<Record<OfficerTitle, string>> = {
  'officer-on-duty': 'Cán bộ Cảnh sát giao thông đang thi hành công vụ',
  'team-leader': 'Đội trưởng Đội Cảnh sát giao thông',
  'commune-police-chief': 'Trưởng Công an cấp xã',
  'provincial-division-head': 'Trưởng phòng Cảnh sát giao thông',
  'provincial-police-director': 'Giám đốc Công an cấp tỉnh',
  'c08-director': 'Cục trưởng Cục Cảnh sát giao thông',
};

/** An officer's title as printed: the Vietnamese wording of a known title, else the title as enrolled. */
export function officerTitleText(title: string): string {
  return Object.hasOwn(OFFICER_TITLE_VI, title) ? OFFICER_TITLE_VI[title as OfficerTitle] : title;
}

const MEASUREMENT_LABELS: Readonly<Record<string, string>> = {
  speedKmh: 'Tốc độ đo được (km/h)',
  limitKmh: 'Tốc độ tối đa cho phép (km/h)',
  overloadPercent: 'Tỷ lệ quá tải (%)',
};

/** The short form of a case id printed in document numbers: its first 8 hex digits, upper case. */
export function caseShortId(caseId: string): string {
  return caseId.replace(/-/g, '').slice(0, 8).toUpperCase();
}

/**
 * A document's number. An appeal resolution's carries the appeal's place among the case's appeals (1, 2, …),
 * since a case may see more than one complaint, each resolved by its own decision.
 */
export function documentNumber(kind: 'notice' | 'violation-record' | 'penalty-decision', caseId: string): string;
export function documentNumber(kind: 'appeal-resolution', caseId: string, appealNumber: number): string;
export function documentNumber(kind: DocumentKind, caseId: string, appealNumber = 1): string {
  const short = caseShortId(caseId);
  if (kind === 'appeal-resolution') return `${short}-${appealNumber}/QĐ-GQKN`;
  if (kind === 'notice') return `${short}/TB-CSGT`;
  if (kind === 'violation-record') return `${short}/BB-VPHC`;
  return `${short}/QĐ-XPHC`;
}

/** The decision number as a bank transfer message (ASCII): "1A2B3C4D/QD-XPHC". */
export function paymentReferenceFor(decisionNumber: string): string {
  return decisionNumber.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

function violationFacts(kase: ExistingCase, plate: string, violationCode: string): ViolationFacts {
  const d = kase.detection;
  const entry = catalogEntryFor(violationCode, d.vehicleClass, d.observedAt);
  const place = d.location.commune ? `${d.location.description}, ${d.location.commune}` : d.location.description;
  const measurements = Object.entries(d.measurements ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${MEASUREMENT_LABELS[k] ?? k}: ${v}`);
  return {
    code: entry.code,
    description: entry.title.vi,
    legalBasis: { ...entry.legalBasis },
    observedAt: d.observedAt,
    place,
    plate,
    vehicleClass: d.vehicleClass,
    measurements,
    cameraId: d.cameraId,
  };
}

/**
 * Which notice template applies from which Viet Nam day (dated like the catalog versions): a notice issued on
 * or after a version's day is rendered with it, unless the case already recorded its document with another
 * version (`DocumentIssued`), which then stands: a document once issued regenerates byte for byte.
 */
export const NOTICE_TEMPLATE_DATES: readonly { version: NoticeTemplateVersion; effectiveFrom: string }[] = [
  { version: 'notice/v1', effectiveFrom: '2025-01-01' },
  { version: 'notice/v2', effectiveFrom: '2026-12-07' },
];

/** The template of the case's notice `noticeId` issued at `issuedAt`: the recorded one, else the one in force. */
export function noticeTemplateVersionFor(kase: ExistingCase, noticeId: string, issuedAt: string): NoticeTemplateVersion {
  const recorded = (kase.documents ?? []).find((d) => d.kind === 'notice' && d.noticeId === noticeId)?.templateVersion;
  if (recorded === 'notice/v1' || recorded === 'notice/v2') return recorded;
  const day = vietnamDate(issuedAt);
  let version: NoticeTemplateVersion = 'notice/v1';
  for (const v of NOTICE_TEMPLATE_DATES) if (v.effectiveFrom <= day) version = v.version;
  return version;
}

/**
 * The handling unit's setting for the time printed on the notice (Mẫu số 01: "đúng … giờ … ngày … có mặt tại
 * trụ sở …"): the owner is asked to come on the `workingDaysAfterNotice`-th working day after the notice's date
 * (Viet Nam calendar; weekends and fixed public holidays skipped, as `periodOfDays` does) at `opensAt`, the
 * start of the unit's working hours. Circular 73/2024 fixes no such day; its Art. 24.5 only ends the owner's
 * time 20 days after the notice, so the setting is bounded to keep the appointment well inside those 20 days.
 */
export interface AppointmentSetting {
  workingDaysAfterNotice: number;
  /** `HH:MM`, Viet Nam time. */
  opensAt: string;
}

/** The setting a unit has unless it configures its own: the 5th working day after the notice, at 08:00. */
export const DEFAULT_APPOINTMENT: AppointmentSetting = { workingDaysAfterNotice: 5, opensAt: '08:00' };
/** The most working days after the notice a setting may name (10 calendar days or so: inside the 20). */
export const MAX_APPOINTMENT_WORKING_DAYS = 7;

/** Throws RangeError for a setting outside its bounds (1–7 working days, a time 00:00–23:59). */
export function checkAppointmentSetting(setting: AppointmentSetting): AppointmentSetting {
  const n = setting.workingDaysAfterNotice;
  if (!Number.isInteger(n) || n < 1 || n > MAX_APPOINTMENT_WORKING_DAYS)
    throw new RangeError(`an appointment is 1 to ${MAX_APPOINTMENT_WORKING_DAYS} working days after the notice`);
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(setting.opensAt)) throw new RangeError('an appointment time is HH:MM (00:00 to 23:59)');
  return setting;
}

/** The appointment a notice issued at `issuedAt` prints under `setting`. */
export function appointmentFor(issuedAt: string, setting: AppointmentSetting): NoticeAppointment {
  checkAppointmentSetting(setting);
  let day = vietnamDate(issuedAt);
  for (let left = setting.workingDaysAfterNotice; left > 0; ) {
    day = addDays(day, 1);
    if (!isNonWorkingDay(day)) left--;
  }
  return { date: day, time: setting.opensAt };
}

/** Dates of the decrees the catalog cites, as the form prints them ("Nghị định số … ngày …"). */
const DECREE_DATES: Readonly<Record<string, string>> = { '168/2024/NĐ-CP': '26/12/2024' };

export interface NoticeContext {
  /** The handling unit: it issues the notice and the owner comes to it. */
  unit: IssuingUnit;
  /** The registered owner, from the registry (`OwnerIdentified.owner.ref`). */
  addressee: Party;
  /** notice/v2: the unit of the province whose camera detected the violation (default: `unit`). */
  detectingUnit?: IssuingUnit;
  /** notice/v2: the handling unit's appointment setting (default: `DEFAULT_APPOINTMENT`). */
  appointment?: AppointmentSetting;
}

/** The notice for `noticeId` of the case (made from its `NoticeIssued`), in the template that applies to it. */
export function noticeDocumentFor(kase: ExistingCase, noticeId: string, context: NoticeContext): NoticeDocument {
  const notice = kase.notices.find((n) => n.noticeId === noticeId);
  if (!notice) throw new DocumentSourceMissingError('The case has no such notice', {});
  if (!kase.review || kase.review.decision !== 'confirm' || !kase.owner)
    throw new DocumentSourceMissingError('A notice needs a confirmed review and an identified owner', {});
  const violation = violationFacts(kase, kase.review.plate, kase.review.violationCode);
  const entry = catalogEntryFor(kase.review.violationCode, kase.detection.vehicleClass, kase.detection.observedAt);
  const v1: NoticeDocumentV1 = {
    kind: 'notice',
    templateVersion: 'notice/v1',
    caseId: kase.caseId,
    number: documentNumber('notice', kase.caseId),
    issuedAt: notice.issuedAt,
    unit: context.unit,
    violation,
    noticeId: notice.noticeId,
    channel: notice.channel,
    addressee: context.addressee,
    fineRange: fineRangeFor(entry, kase.owner.kind),
    points: kase.owner.kind === 'individual' ? entry.points : 0,
    respondWithinDays: NOTICE_RESPONSE_DAYS,
    // The last day of the period as the decider counts it (periods.ts: past a weekend or fixed holiday).
    respondBy: periodOfDays(notice.issuedAt, NOTICE_RESPONSE_DAYS).lastDay,
  };
  const version = noticeTemplateVersionFor(kase, noticeId, notice.issuedAt);
  if (version === 'notice/v1') return v1;
  const detecting = context.detectingUnit ?? context.unit;
  const decreeDate = DECREE_DATES[violation.legalBasis.decree];
  return {
    ...v1,
    templateVersion: 'notice/v2',
    detectingUnit: detecting.fullName ?? detecting.name,
    handlingUnit: context.unit.fullName ?? context.unit.name,
    ...(decreeDate !== undefined ? { decreeDate } : {}),
    appointment: appointmentFor(notice.issuedAt, context.appointment ?? DEFAULT_APPOINTMENT),
  };
}

export interface DecisionContext {
  unit: IssuingUnit;
  /** The offender named in the signed decision, from the registry (`signoff.offender.ref`). */
  offender: Party;
  /** The deciding officer's title (from the officer stream) and id; the key id comes from the event. */
  decider: { officerId: string; title: OfficerTitle | string };
  treasury: TreasuryAccount;
}

/** The penalty decision made from the case's `PenaltyDecided`. */
export function penaltyDecisionDocumentFor(
  kase: ExistingCase,
  decided: CaseEventData<'PenaltyDecided'>,
  context: DecisionContext,
): PenaltyDecisionDocument {
  const s = decided.signoff;
  if (s.caseId !== kase.caseId) throw new DocumentSourceMissingError('The decision belongs to another case', {});
  const number = documentNumber('penalty-decision', kase.caseId);
  const paymentReference = paymentReferenceFor(number);
  const decider: SigningOfficer = {
    officerId: context.decider.officerId,
    title: officerTitleText(context.decider.title),
    keyId: decided.keyId,
  };
  return {
    kind: 'penalty-decision',
    templateVersion: TEMPLATE_VERSIONS['penalty-decision'],
    caseId: kase.caseId,
    number,
    issuedAt: s.signedAt,
    unit: context.unit,
    violation: { ...violationFacts(kase, s.plate, s.violationCode), legalBasis: { ...s.legalBasis } },
    decider,
    offender: context.offender,
    fineVnd: s.fineVnd,
    fineInWords: vndInWords(s.fineVnd),
    points: s.points,
    ...(decided.catalogVersion !== undefined ? { catalogVersion: decided.catalogVersion } : {}),
    payWithinDays: PAYMENT_DAYS,
    payBy: periodOfDays(s.signedAt, PAYMENT_DAYS).lastDay,
    lateSurchargeBpPerDay: LATE_SURCHARGE_BP_PER_DAY,
    treasury: context.treasury,
    paymentReference,
    qrPayload: vietQrPayload({
      bankBin: context.treasury.bankBin,
      accountNumber: context.treasury.accountNumber,
      amountVnd: s.fineVnd,
      reference: paymentReference,
    }),
  };
}

export interface RecordContext {
  unit: IssuingUnit;
  /** The offender the signed record names, from the registry (`signoff.offender.ref`). */
  offender: Party;
  /** The officer who drew the record up: id and title from the officer stream; the key id comes from the event. */
  officer: { officerId: string; title: OfficerTitle | string };
}

/**
 * The violation record (biên bản vi phạm hành chính) made from the case's `ViolationRecordDrawn`: its number
 * (the signed `recordId`), the time it was signed, the offender it names (the named driver, else the owner) with
 * the driving licence when the owner named the driver, and the owner's explanation verbatim as signed. Camera
 * cases are drawn up at the unit's office (Decree 168 Art. 47.8.c), so that is the place; no witness is recorded.
 */
export function violationRecordDocumentFor(
  kase: ExistingCase,
  drawn: CaseEventData<'ViolationRecordDrawn'>,
  context: RecordContext,
): ViolationRecordDocument {
  const s = drawn.signoff;
  if (s.caseId !== kase.caseId) throw new DocumentSourceMissingError('The record belongs to another case', {});
  if (context.offender.registryRef !== s.offender.ref || context.offender.kind !== s.offender.kind)
    throw new DocumentSourceMissingError('The offender given is not the one the record names', {});
  const driver = kase.driver && kase.driver.person.ref === s.offender.ref ? kase.driver : undefined;
  return {
    kind: 'violation-record',
    templateVersion: TEMPLATE_VERSIONS['violation-record'],
    caseId: kase.caseId,
    number: documentNumber('violation-record', kase.caseId),
    issuedAt: s.signedAt,
    unit: context.unit,
    violation: violationFacts(kase, s.plate, s.violationCode),
    drawnAt: `trụ sở ${context.unit.name}, ${context.unit.address}`,
    officer: { officerId: context.officer.officerId, title: officerTitleText(context.officer.title), keyId: drawn.keyId },
    offender: context.offender,
    ...(s.explanation !== undefined ? { explanation: s.explanation } : {}),
    ...(driver ? { driver: { name: context.offender.name, licenceRef: driver.licenceRef } } : {}),
    witnesses: [],
    explanationWithinDays: EXPLANATION_DAYS,
  };
}

export interface AppealResolutionContext {
  unit: IssuingUnit;
  /** The person who complained (the offender the penalty decision names), from the registry. */
  complainant: Party;
  /** The resolving officer: id and title from the officer stream; the key id comes from the event. */
  resolver: { officerId: string; title: OfficerTitle | string };
}

/**
 * The decision resolving appeal `appealId` (quyết định giải quyết khiếu nại), made from its `AppealFiled` (as
 * folded into the case: grounds, time) and its `AppealResolved` (the signed `appeal/v1`: outcome, reason, new
 * fine, time), and the penalty decision it resolves. A resolution recorded before `appeal/v1` existed carries
 * no signature, so no document is made from it.
 */
export function appealResolutionDocumentFor(
  kase: ExistingCase,
  resolved: CaseEventData<'AppealResolved'>,
  context: AppealResolutionContext,
): AppealResolutionDocument {
  const index = kase.appeals.findIndex((a) => a.appealId === resolved.appealId);
  const appeal = kase.appeals[index];
  if (!appeal || appeal.outcome === undefined) throw new DocumentSourceMissingError('The case has no such resolved appeal', {});
  const s = resolved.signoff;
  if (!s || resolved.keyId === undefined) throw new DocumentSourceMissingError('The appeal was resolved without a signed appeal/v1', {});
  if (s.caseId !== kase.caseId) throw new DocumentSourceMissingError('The resolution belongs to another case', {});
  const decision = kase.decision;
  if (!decision) throw new DocumentSourceMissingError('No penalty was decided', {});
  if (context.complainant.registryRef !== decision.offender.ref || context.complainant.kind !== decision.offender.kind)
    throw new DocumentSourceMissingError('The complainant given is not the offender the decision names', {});
  // appeal/v1 signs the new fine exactly where the outcome changes it (overturned: 0); upheld keeps the decided one.
  const fineAfterVnd = s.fineVnd ?? decision.fineVnd;
  return {
    kind: 'appeal-resolution',
    templateVersion: TEMPLATE_VERSIONS['appeal-resolution'],
    caseId: kase.caseId,
    number: documentNumber('appeal-resolution', kase.caseId, index + 1),
    issuedAt: resolved.resolvedAt,
    unit: context.unit,
    violation: { ...violationFacts(kase, s.plate, s.violationCode), legalBasis: { ...decision.legalBasis } },
    appealId: appeal.appealId,
    complainant: context.complainant,
    filedAt: appeal.filedAt,
    grounds: appeal.grounds,
    decision: {
      number: documentNumber('penalty-decision', kase.caseId),
      signedAt: decision.signedAt,
      fineVnd: decision.fineVnd,
      fineInWords: vndInWords(decision.fineVnd),
      points: decision.points,
    },
    outcome: s.outcome,
    reason: s.reason,
    fineAfterVnd,
    resolver: { officerId: context.resolver.officerId, title: officerTitleText(context.resolver.title), keyId: resolved.keyId },
  };
}
