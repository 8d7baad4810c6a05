/** Document inputs for the document specs: every field filled, with Vietnamese text throughout. */
import type {
  IssuingUnit,
  NoticeDocument,
  NoticeDocumentV2,
  Party,
  PenaltyDecisionDocument,
  TreasuryAccount,
  ViolationFacts,
  ViolationRecordDocument,
} from '../../../src/domain/documents/types.ts';
import { vietQrPayload } from '../../../src/domain/documents/vietqr.ts';

export const unit: IssuingUnit = {
  superior: 'CÔNG AN THÀNH PHỐ HÀ NỘI',
  name: 'PHÒNG CẢNH SÁT GIAO THÔNG',
  address: '86 Lý Thường Kiệt, phường Cửa Nam, Hà Nội',
  phone: '024 3942 4300',
  place: 'Hà Nội',
};

export const treasury: TreasuryAccount = {
  accountName: 'KHO BAC NHA NUOC HA NOI',
  accountNumber: '3949009999',
  bankName: 'Ngân hàng TMCP Công Thương Việt Nam',
  bankBin: '970415',
};

export const owner: Party = {
  kind: 'individual',
  name: 'Nguyễn Thị Hồng Nhung',
  address: 'Số 12 ngõ 34 phố Đội Cấn, phường Ngọc Hà, Hà Nội',
  registryRef: 'own-0001',
};

export const violation: ViolationFacts = {
  code: '168.6.9.b',
  description: 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông',
  legalBasis: { decree: '168/2024/NĐ-CP', article: 6, clause: 9, point: 'b' },
  observedAt: '2025-03-05T07:05:00.000Z',
  place: 'Ngã tư Kim Mã - Liễu Giai, phường Ngọc Hà',
  plate: '30A-123.45',
  plateColour: 'nền màu trắng, chữ và số màu đen',
  vehicleClass: 'car',
  measurements: ['Tốc độ đo được (km/h): 112'],
  cameraId: 'cam-01-0001',
};

export const noticeDoc: NoticeDocument & { templateVersion: 'notice/v1' } = {
  kind: 'notice',
  templateVersion: 'notice/v1',
  caseId: '1a2b3c4d-0000-4000-8000-000000000001',
  number: '1A2B3C4D/TB-CSGT',
  issuedAt: '2025-03-06T02:00:00.000Z',
  unit,
  violation,
  noticeId: 'notice-7f3a',
  channel: 'vneid',
  addressee: owner,
  fineRange: { minVnd: 18_000_000, maxVnd: 20_000_000 },
  points: 4,
  respondWithinDays: 20,
  respondBy: '2025-03-26',
};

export const recordDoc: ViolationRecordDocument = {
  kind: 'violation-record',
  templateVersion: 'violation-record/v1',
  caseId: noticeDoc.caseId,
  number: '1A2B3C4D/BB-VPHC',
  issuedAt: '2025-03-10T03:30:00.000Z',
  unit,
  violation,
  drawnAt: 'trụ sở Phòng Cảnh sát giao thông, 86 Lý Thường Kiệt',
  officer: { officerId: 'officer-01-reviewer', title: 'Cán bộ Cảnh sát giao thông đang thi hành công vụ', keyId: 'key-reviewer-1' },
  offender: owner,
  explanation: 'Tôi đi theo xe phía trước nên không quan sát được đèn tín hiệu.',
  driver: { name: 'Trần Văn Đức', licenceRef: 'GPLX-010203040506' },
  witnesses: ['Lê Thị Mai, cán bộ Công an phường Ngọc Hà'],
  explanationWithinDays: 2,
};

const decisionNumber = '1A2B3C4D/QĐ-XPHC';
export const decisionDoc: PenaltyDecisionDocument = {
  kind: 'penalty-decision',
  templateVersion: 'penalty-decision/v1',
  caseId: noticeDoc.caseId,
  number: decisionNumber,
  issuedAt: '2025-03-12T08:15:00.000Z',
  unit,
  violation,
  decider: { officerId: 'officer-01-director', title: 'Trưởng phòng Cảnh sát giao thông', keyId: 'key-director-1' },
  offender: owner,
  fineVnd: 18_000_000,
  fineInWords: 'Mười tám triệu đồng',
  points: 4,
  catalogVersion: 'decree-168-2024@2025-01-01',
  payWithinDays: 10,
  // Ten days from Wednesday 12 March 2025 is Saturday the 22nd: the period runs to Monday the 24th (periods.ts).
  payBy: '2025-03-24',
  lateSurchargeBpPerDay: 5,
  treasury,
  paymentReference: '1A2B3C4D/QD-XPHC',
  qrPayload: vietQrPayload({ bankBin: treasury.bankBin, accountNumber: treasury.accountNumber, amountVnd: 18_000_000, reference: '1A2B3C4D/QD-XPHC' }),
};

/** The same notice in the layout of Circular 73/2024, Mẫu số 01 (notice/v2). */
export const noticeV2Doc: NoticeDocumentV2 = {
  ...noticeDoc,
  templateVersion: 'notice/v2',
  issuedAt: '2026-12-08T02:00:00.000Z',
  respondBy: '2026-12-28',
  unit: { ...unit, fullName: 'Phòng Cảnh sát giao thông Công an thành phố Hà Nội' },
  detectingUnit: 'Phòng Cảnh sát giao thông Công an tỉnh Bắc Ninh',
  handlingUnit: 'Phòng Cảnh sát giao thông Công an thành phố Hà Nội',
  decreeDate: '26/12/2024',
  appointment: { date: '2026-12-15', time: '08:00' },
};
