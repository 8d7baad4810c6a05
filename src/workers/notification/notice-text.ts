/**
 * The notice as the owner reads it (Vietnamese). It is the only place personal data is put together, and it
 * goes only to the channel; nothing here is logged.
 */
import type { OwnerContact } from '../../ports/registry.ts';
import { catalogEntryFor } from '../../domain/case/legal.ts';
import type { ExistingCase } from '../../domain/case/state.ts';
import { portalRef } from '../../domain/citizen/view.ts';

const VN_TIME = new Intl.DateTimeFormat('vi-VN', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

export function noticeSubject(kase: ExistingCase): string {
  return `Thông báo vi phạm giao thông - hồ sơ ${kase.caseId}`;
}

/**
 * `portalUrl`: the node's public address (`PORTAL_URL`); the notice then links straight into the citizen portal
 * (docs/citizen-portal.md), where the reference below finds the case with the vehicle's papers.
 */
export function noticeText(kase: ExistingCase, owner: OwnerContact, noticeId: string, registrationRef?: string, portalUrl?: string): string {
  const d = kase.detection;
  let violation = d.violationCode;
  try {
    violation = `${d.violationCode} – ${catalogEntryFor(d.violationCode, d.vehicleClass, d.observedAt).title.vi}`;
  } catch {
    // an unknown code stays as its code; the case decider already vetted it at review
  }
  const plate = kase.review?.plate ?? d.plateRead?.text ?? '';
  return [
    `Kính gửi: ${owner.name}`,
    `Địa chỉ: ${owner.address}`,
    '',
    `Phương tiện biển số ${plate}${registrationRef ? ` (giấy đăng ký ${registrationRef})` : ''} đã bị hệ thống giám sát ghi nhận vi phạm:`,
    `- Thời gian: ${VN_TIME.format(new Date(d.observedAt))} (giờ Việt Nam)`,
    `- Địa điểm: ${d.location.description}`,
    `- Lỗi vi phạm: ${violation}`,
    `- Camera: ${d.cameraId}`,
    '',
    'Đề nghị chủ phương tiện đến cơ quan Công an nơi phát hiện vi phạm hoặc Công an cấp xã nơi cư trú trong thời hạn 20 ngày',
    'kể từ ngày nhận thông báo để giải quyết. Tra cứu hồ sơ bằng biển số và số giấy đăng ký xe trên cổng tra cứu.',
    `Xem ảnh vi phạm, nộp phạt hoặc khiếu nại trực tuyến: ${portalUrl ? `${portalUrl.replace(/\/+$/, '')}/#/citizen` : 'cổng tra cứu, mục Tra cứu vi phạm'} (số tham chiếu ${portalRef(kase.caseId)}).`,
    '',
    `Mã thông báo: ${noticeId}`,
    `Mã hồ sơ: ${kase.caseId}`,
  ].join('\n');
}
