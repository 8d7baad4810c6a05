/**
 * The court verifier's words in both languages, keyed by the verifier core's codes: check codes (bundle.md),
 * case event types, actor kinds and the error codes of an unreadable archive. The core
 * (src/domain/bundle/verify.ts) reports in English for the CLI; this page translates by code, and each table
 * `satisfies` a record over its code type, so a new code fails to compile until it has its words. A code this
 * page does not know (a newer core) is shown with the core's own English text.
 */
import type { CheckCode } from '../../../src/domain/bundle/format.ts';
import type { CaseEventType } from '../../../src/domain/case/events.ts';
import type { ActorKind } from '../../../src/domain/record.ts';
import type { Lang } from './i18n.ts';

type Words = Readonly<Record<Lang, string>>;

/** Per check: what it verifies, and what a failure of it means. */
export const CHECK_TEXT = {
  FILES: {
    name: { vi: 'Tệp và manifest', en: 'Files and manifest' },
    failure: { vi: 'Tệp trong hồ sơ không khớp với manifest đã ký, hoặc chữ ký manifest không hợp lệ', en: 'An entry does not match the signed manifest, or the manifest signature does not verify' },
  },
  RECORD_HASH: {
    name: { vi: 'Mã băm từng bản ghi', en: 'Record hashes' },
    failure: { vi: 'Nội dung bản ghi không khớp với mã băm của nó (bản ghi đã bị sửa)', en: 'A record does not match its hash (the record was altered)' },
  },
  CHAIN: {
    name: { vi: 'Chuỗi băm của luồng sự kiện', en: 'Hash chain of the streams' },
    failure: { vi: 'Chuỗi băm bị đứt: thiếu, thừa hoặc đảo thứ tự bản ghi', en: 'The hash chain is broken: a record is missing, added or out of order' },
  },
  INCLUSION: {
    name: { vi: 'Bằng chứng có mặt trong nhật ký', en: 'Inclusion in the log' },
    failure: { vi: 'Bằng chứng Merkle không chứng minh được bản ghi nằm trong nhật ký', en: 'A Merkle proof does not show the record in the log' },
  },
  CHECKPOINT: {
    name: { vi: 'Điểm kiểm và khóa nhật ký', en: 'Checkpoint and log key' },
    failure: { vi: 'Chữ ký điểm kiểm không hợp lệ, hoặc khóa nhật ký không phải khóa tin cậy', en: 'The checkpoint signature does not verify, or the log key is not the trusted one' },
  },
  EVIDENCE: {
    name: { vi: 'Tệp chứng cứ', en: 'Evidence files' },
    failure: { vi: 'Tệp chứng cứ thiếu hoặc không khớp mã băm đã ghi', en: 'An evidence file is missing or does not match its recorded digest' },
  },
  DEVICE_SIGNATURE: {
    name: { vi: 'Chữ ký của camera', en: 'Camera signatures' },
    failure: { vi: 'Chữ ký phát hiện của camera không hợp lệ dưới khóa đang có hiệu lực', en: 'A camera detection signature does not verify under the key in force' },
  },
  SIGNOFF_SIGNATURE: {
    name: { vi: 'Chữ ký của cán bộ', en: 'Officer signatures' },
    failure: { vi: 'Chữ ký xác nhận hoặc quyết định của cán bộ không hợp lệ dưới khóa đang có hiệu lực', en: 'An officer sign-off signature does not verify under the key in force' },
  },
  RULES: {
    name: { vi: 'Quy tắc nghiệp vụ', en: 'Business rules' },
    failure: { vi: 'Hồ sơ vi phạm quy tắc nghiệp vụ (người ký, thứ tự hoặc nội dung sự kiện)', en: 'The case breaks a business rule (who signed, the order or the content of events)' },
  },
  DOCUMENTS: {
    name: { vi: 'Văn bản đã ban hành', en: 'Issued documents' },
    failure: { vi: 'Văn bản trong hồ sơ không khớp với mã băm đã ghi khi ban hành', en: 'An included document does not match the digest recorded when it was issued' },
  },
} as const satisfies Record<CheckCode, { name: Words; failure: Words }>;

/** Case event types as a person reads them in the bundle's timeline. */
export const EVENT_TEXT = {
  ViolationDetected: { vi: 'Camera phát hiện vi phạm', en: 'Violation detected' },
  PlateRecognized: { vi: 'AI nhận dạng biển số', en: 'Plate recognised' },
  EvidenceDerived: { vi: 'Tạo ảnh chứng cứ dẫn xuất', en: 'Evidence derived' },
  EvidenceAttached: { vi: 'Bổ sung chứng cứ', en: 'Evidence attached' },
  CaseFlagged: { vi: 'Gắn cảnh báo hồ sơ', en: 'Case flagged' },
  ProcessingFailed: { vi: 'Xử lý tự động thất bại', en: 'Processing failed' },
  ReviewConfirmed: { vi: 'Cán bộ xác nhận', en: 'Review confirmed' },
  ReviewRejected: { vi: 'Cán bộ từ chối', en: 'Review rejected' },
  OwnerIdentified: { vi: 'Xác định chủ xe', en: 'Owner identified' },
  OwnerNotFound: { vi: 'Không tìm thấy chủ xe', en: 'Owner not found' },
  NoticeIssued: { vi: 'Gửi thông báo', en: 'Notice issued' },
  NoticeDelivered: { vi: 'Thông báo đã đến', en: 'Notice delivered' },
  NoticeDeliveryFailed: { vi: 'Gửi thông báo không thành công', en: 'Notice delivery failed' },
  PenaltyDecided: { vi: 'Quyết định xử phạt', en: 'Penalty decided' },
  PenaltyPaid: { vi: 'Đã nộp phạt', en: 'Penalty paid' },
  AppealFiled: { vi: 'Nộp khiếu nại', en: 'Appeal filed' },
  AppealResolved: { vi: 'Giải quyết khiếu nại', en: 'Appeal resolved' },
  CaseClosed: { vi: 'Đóng hồ sơ', en: 'Case closed' },
  CaseExpired: { vi: 'Hết thời hiệu', en: 'Limitation expired' },
  CaseVoided: { vi: 'Hủy hồ sơ', en: 'Case voided' },
  CaseTransferred: { vi: 'Chuyển hồ sơ cho công an nơi chủ xe cư trú', en: 'Case transferred' },
  CaseReceived: { vi: 'Tiếp nhận hồ sơ chuyển từ tỉnh khác', en: 'Case received from another province' },
  ExplanationSubmitted: { vi: 'Chủ xe giải trình', en: 'Explanation submitted' },
  DriverIdentified: { vi: 'Xác định người điều khiển', en: 'Driver identified' },
  OwnerUnresponsive: { vi: 'Chủ xe không phản hồi', en: 'Owner unresponsive' },
  DocumentIssued: { vi: 'Ban hành văn bản', en: 'Document issued' },
  AgencyWarningSent: { vi: 'Đã gửi cảnh báo cho cơ quan', en: 'Agency warned' },
  ViolationRecordDrawn: { vi: 'Lập biên bản vi phạm hành chính', en: 'Violation record drawn' },
  PaymentRecorded: { vi: 'Ghi nhận nộp phạt', en: 'Payment recorded' },
} as const satisfies Record<CaseEventType, Words>;

/** Who recorded a fact. */
export const ACTOR_TEXT = {
  officer: { vi: 'Cán bộ', en: 'Officer' },
  device: { vi: 'Thiết bị (camera)', en: 'Device (camera)' },
  service: { vi: 'Dịch vụ hệ thống', en: 'System service' },
  citizen: { vi: 'Công dân', en: 'Citizen' },
  system: { vi: 'Hệ thống', en: 'System' },
} as const satisfies Record<ActorKind, Words>;

/** Why an archive or a trusted key could not be read (the core's error codes). */
export const UNREADABLE_TEXT = {
  'bundle-unreadable': { vi: 'Tệp không phải là hồ sơ ZIP đọc được, hoặc có cấu trúc không hợp lệ', en: 'The file is not a readable bundle archive, or its structure is invalid' },
  'bundle-entry-too-large': { vi: 'Một tệp trong hồ sơ vượt quá kích thước cho phép', en: 'An entry of the archive is larger than allowed' },
  'trusted-key-malformed': { vi: 'Khóa nhật ký tin cậy không phải khóa xác minh hay dấu vân tay sha256 hợp lệ', en: 'The trusted log key is neither a verifier key nor a sha256 fingerprint' },
  'trusted-witness-malformed': { vi: 'Một khóa nhân chứng tin cậy không phải khóa xác minh của nhân chứng (loại đồng xác nhận)', en: 'A trusted witness key is not a witness (cosignature) verifier key' },
} as const satisfies Record<string, Words>;

const has = <T extends object>(table: T, code: string): code is Extract<keyof T, string> => Object.hasOwn(table, code);

/** A check's name; an unknown code as it is. */
export function checkName(code: string, lang: Lang): string {
  return has(CHECK_TEXT, code) ? CHECK_TEXT[code].name[lang] : code;
}

/** What a failure of a check means; for an unknown code, the core's own message. */
export function checkFailure(code: string, coreMessage: string, lang: Lang): string {
  return has(CHECK_TEXT, code) ? CHECK_TEXT[code].failure[lang] : coreMessage;
}

/** An event type's name; an unknown type as it is. */
export function eventName(type: string, lang: Lang): string {
  return has(EVENT_TEXT, type) ? EVENT_TEXT[type][lang] : type;
}

export function actorName(kind: string, lang: Lang): string {
  return has(ACTOR_TEXT, kind) ? ACTOR_TEXT[kind][lang] : kind;
}

/** Why the bundle is unreadable; for an unknown code, the core's own message. */
export function unreadableReason(code: string | undefined, coreMessage: string, lang: Lang): string {
  return code !== undefined && has(UNREADABLE_TEXT, code) ? UNREADABLE_TEXT[code][lang] : coreMessage;
}
