/**
 * The documents a person holds in their hand, as typed, pure inputs to a renderer: the notice of a violation
 * (thông báo vi phạm), the violation record (biên bản vi phạm hành chính) and the penalty decision (quyết định
 * xử phạt vi phạm hành chính). Each input holds every field its printed form carries, already resolved to text
 * and numbers, so that rendering is a pure function of it: the same input always gives the same bytes.
 *
 * Facts come from the case's events; the addressee's name and address come from the vehicle registry at issue
 * time (records never hold them); the issuing unit and the State Treasury account come from the node's
 * configuration. See docs/documents.md.
 */
import type { AppealOutcome, IssuedDocumentKind } from '../case/events.ts';

export const DOCUMENT_KINDS = ['notice', 'violation-record', 'penalty-decision', 'appeal-resolution'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/**
 * Template versions. A change to a template's layout or wording is a new version, never an edit. The notice has
 * two: `notice/v1` (the first layout) and `notice/v2` (Circular 73/2024/TT-BCA, Mẫu số 01), chosen per notice
 * by `noticeTemplateVersionFor` (build.ts); `TEMPLATE_VERSIONS.notice` names the current one.
 */
export const TEMPLATE_VERSIONS = {
  notice: 'notice/v2',
  'violation-record': 'violation-record/v1',
  'penalty-decision': 'penalty-decision/v1',
  'appeal-resolution': 'appeal-resolution/v1',
} as const satisfies Record<DocumentKind, string>;

/** The short kind `DocumentIssued` records (and the bundle's `documents/<kind>-<n>.pdf` names) of each document. */
export const ISSUED_KIND_OF = {
  notice: 'notice',
  'violation-record': 'record',
  'penalty-decision': 'decision',
  'appeal-resolution': 'appeal',
} as const satisfies Record<DocumentKind, IssuedDocumentKind>;
export const DOCUMENT_KIND_OF = {
  notice: 'notice',
  record: 'violation-record',
  decision: 'penalty-decision',
  appeal: 'appeal-resolution',
} as const satisfies Record<IssuedDocumentKind, DocumentKind>;

/**
 * Every template version a document of each kind has been issued with (the current one last): a record made
 * with an older version stays valid, and `DocumentIssued` names only versions listed here.
 */
export const ISSUABLE_TEMPLATE_VERSIONS: Readonly<Record<IssuedDocumentKind, readonly string[]>> = {
  notice: ['notice/v1', TEMPLATE_VERSIONS.notice],
  record: [TEMPLATE_VERSIONS['violation-record']],
  decision: [TEMPLATE_VERSIONS['penalty-decision']],
  appeal: [TEMPLATE_VERSIONS['appeal-resolution']],
};

/** The police unit that issues the document. */
export interface IssuingUnit {
  /** The superior body, first header line, e.g. "CÔNG AN TỈNH BẮC NINH". */
  superior: string;
  /** The unit itself, e.g. "PHÒNG CẢNH SÁT GIAO THÔNG". */
  name: string;
  address: string;
  /** The handling unit's phone number, when configured (published with the case). */
  phone?: string;
  /** Where the document is made, for the place-and-date line ("Bắc Ninh, ngày … tháng … năm …"). */
  place: string;
  /** The unit as named inside a sentence, e.g. "Phòng Cảnh sát giao thông Công an tỉnh Bắc Ninh" (notice/v2). */
  fullName?: string;
}

/** The State Treasury account fines are paid into. */
export interface TreasuryAccount {
  /** The account holder as the bank shows it, e.g. "KHO BAC NHA NUOC BAC NINH". */
  accountName: string;
  accountNumber: string;
  /** The bank that holds it and its 6-digit NAPAS BIN (for VietQR). */
  bankName: string;
  bankBin: string;
}

/** A person or organisation a document is addressed to. Personal data: never logged. */
export interface Party {
  kind: 'individual' | 'organisation';
  name: string;
  address: string;
  /** The registry's opaque reference (what the case records hold). */
  registryRef: string;
}

export interface LegalBasisText {
  decree: string;
  article: number;
  clause: number;
  /** The point letter ('' when the clause has none). */
  point: string;
}

/** The violation as every document states it. */
export interface ViolationFacts {
  /** Catalog code, e.g. "168.6.9.b". */
  code: string;
  /** The catalog title in Vietnamese. */
  description: string;
  legalBasis: LegalBasisText;
  /** When it was observed (UTC, RFC 3339); documents print it in Viet Nam time. */
  observedAt: string;
  /** Where: the camera location's description (and commune when known). */
  place: string;
  plate: string;
  /** Plate colour (issue 13, branch p5-legaldata), when the case records it. */
  plateColour?: string;
  vehicleClass: string;
  /** Measured values printed on the document, e.g. "Tốc độ vượt quá giới hạn: 25 km/h". */
  measurements: string[];
  /** The detecting device. */
  cameraId: string;
}

/** The officer who signs (records hold ids, titles and key ids, never names). */
export interface SigningOfficer {
  officerId: string;
  /** The title in Vietnamese, e.g. "Trưởng phòng Cảnh sát giao thông". */
  title: string;
  keyId: string;
}

interface DocumentBase {
  caseId: string;
  /** The document's number as printed ("Số: …"). */
  number: string;
  /** When the document was made (UTC, RFC 3339): the causing event's time. Fixes the PDF's dates. */
  issuedAt: string;
  unit: IssuingUnit;
  violation: ViolationFacts;
}

export type NoticeTemplateVersion = 'notice/v1' | 'notice/v2';

/** The notice: the first layout (`notice/v1`) or the official form's (`notice/v2`). */
export type NoticeDocument = NoticeDocumentV1 | NoticeDocumentV2;

/**
 * A time the owner is asked to come to the unit (Circular 73/2024, Mẫu số 01: "đúng … giờ … ngày …"), in Viet
 * Nam time: the handling unit's setting applied to the notice's date (`appointmentFor`, build.ts).
 */
export interface NoticeAppointment {
  /** `YYYY-MM-DD`, Viet Nam calendar. */
  date: string;
  /** `HH:MM`, Viet Nam time. */
  time: string;
}

/**
 * The notice in the layout of Circular 73/2024/TT-BCA, Mẫu số 01 (docs/documents.md, "The notice form"): the
 * v1 fields plus what the form asks that v1 lacked. A field the events and the registry do not give (the
 * owner's identity number, a preventive measure, the unit that passed on the results, the commune or district
 * police of the owner's residence) has no value here and prints as a dotted line, as on the blank form.
 */
export interface NoticeDocumentV2 extends Omit<NoticeDocumentV1, 'templateVersion'> {
  templateVersion: 'notice/v2';
  /** (5) The unit that detected the violation (the camera's province's unit), as named in a sentence. */
  detectingUnit: string;
  /** (2) The unit the owner comes to (the handling unit), as named in a sentence. */
  handlingUnit: string;
  /** The date of the decree the legal basis cites (`DD/MM/YYYY`), when known. */
  decreeDate?: string;
  /** When the owner is asked to come to the handling unit. */
  appointment: NoticeAppointment;
}

export interface NoticeDocumentV1 extends DocumentBase {
  kind: 'notice';
  templateVersion: 'notice/v1';
  noticeId: string;
  channel: string;
  addressee: Party;
  /** Fine range that applies to the addressee's kind, integer VND. */
  fineRange: { minVnd: number; maxVnd: number };
  points: number;
  /** Calendar days the addressee has to come or answer online, counted from the notice date. */
  respondWithinDays: number;
  /** The last Viet Nam calendar day to respond (YYYY-MM-DD). */
  respondBy: string;
}

export interface ViolationRecordDocument extends DocumentBase {
  kind: 'violation-record';
  templateVersion: (typeof TEMPLATE_VERSIONS)['violation-record'];
  /** Where the record was drawn up. */
  drawnAt: string;
  officer: SigningOfficer;
  offender: Party;
  /** The offender's explanation, when given (ExplanationSubmitted). */
  explanation?: string;
  /** The driver named by the owner (DriverIdentified), when someone else drove. */
  driver?: { name: string; licenceRef: string };
  /** Witnesses or the representative of the local authority, when present. */
  witnesses: string[];
  /** Days the offender has to send a written explanation (Law on Handling Administrative Violations Art. 61). */
  explanationWithinDays: number;
}

export interface PenaltyDecisionDocument extends DocumentBase {
  kind: 'penalty-decision';
  templateVersion: (typeof TEMPLATE_VERSIONS)['penalty-decision'];
  decider: SigningOfficer;
  offender: Party;
  fineVnd: number;
  fineInWords: string;
  points: number;
  /** The catalog version the decision applied. */
  catalogVersion?: string;
  /** Calendar days to pay, counted from receiving the decision (Law on Handling Administrative Violations Art. 73). */
  payWithinDays: number;
  /** The last Viet Nam calendar day to pay when received on the decision date (YYYY-MM-DD). */
  payBy: string;
  /** The late-payment surcharge per day, in basis points of the fine (0.05% = 5). */
  lateSurchargeBpPerDay: number;
  treasury: TreasuryAccount;
  /** The transfer message: the decision number in ASCII. */
  paymentReference: string;
  /** The VietQR payload printed as a QR code. */
  qrPayload: string;
}

/**
 * The decision resolving a complaint against the penalty decision (quyết định giải quyết khiếu nại), made from
 * `AppealFiled` and `AppealResolved`: who complained, when and on what grounds, what the officer found (the
 * signed reason) and what follows for the penalty decision (kept, or annulled with the fine no longer due).
 */
export interface AppealResolutionDocument extends DocumentBase {
  kind: 'appeal-resolution';
  templateVersion: (typeof TEMPLATE_VERSIONS)['appeal-resolution'];
  appealId: string;
  /** The person who complained: the offender the penalty decision names. */
  complainant: Party;
  /** When the complaint was filed (UTC, RFC 3339) and its grounds verbatim. */
  filedAt: string;
  grounds: string;
  /** The penalty decision complained against: its number, date, fine and points as decided. */
  decision: { number: string; signedAt: string; fineVnd: number; fineInWords: string; points: number };
  /** `upheld`: the decision stands; `overturned`: it is annulled (the signed new fine is 0). */
  outcome: AppealOutcome;
  /** The resolving officer's signed reason, verbatim. */
  reason: string;
  /** The fine due after the resolution (integer VND): the decided one when upheld, 0 when overturned. */
  fineAfterVnd: number;
  resolver: SigningOfficer;
}

export type CaseDocument = NoticeDocument | ViolationRecordDocument | PenaltyDecisionDocument | AppealResolutionDocument;
