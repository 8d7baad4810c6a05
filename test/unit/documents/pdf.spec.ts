/**
 * The PDF renderer, read back: every field of each document is found in the text extracted from the PDF
 * (pdf-parse, on pdf.js), the same input gives the same bytes, and the QR code decodes (jsQR) to the payment.
 */
import { expect } from 'chai';
import * as jsQRModule from 'jsqr';
import { PDFParse } from 'pdf-parse';
import {
  legalBasisText,
  PdfDocumentRenderer,
  QR_QUIET_ZONE,
  qrMatrix,
  vietnameseDateTime,
} from '../../../src/adapters/documents/pdf.ts';
import { parseVietQr } from '../../../src/domain/documents/vietqr.ts';
import type { CaseDocument } from '../../../src/domain/documents/types.ts';
import { createHash } from 'node:crypto';
import { decisionDoc, noticeDoc, noticeV2Doc, owner, recordDoc, treasury, unit, violation } from './fixtures.ts';

const renderer = new PdfDocumentRenderer();
// jsqr is CommonJS with `exports.default`: under Node's ESM interop the default import is the module object.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQrExports = jsQRModule as unknown as { default: JsQr | { default: JsQr } };
const jsQR: JsQr = typeof jsQrExports.default === 'function' ? jsQrExports.default : jsQrExports.default.default;

async function textOf(bytes: Uint8Array): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    // pdf.js breaks lines where the layout wraps them; join them so a wrapped sentence reads whole.
    // pdf-parse marks page ends ("-- 1 of 2 --"); drop them so a sentence across a page break reads whole.
    const text = (await parser.getText()).text.replace(/\n-- \d+ of \d+ --\n/g, '\n');
    return text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}

function expectAll(text: string, expected: string[]): void {
  for (const e of expected) expect(text, `the PDF text lacks "${e}"`).to.include(e);
}

const common = (d: CaseDocument): string[] => [
  'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
  'Độc lập - Tự do - Hạnh phúc',
  unit.superior,
  unit.name,
  `Số: ${d.number}`,
  violation.plate,
  `Màu biển số: ${violation.plateColour as string}`,
  'Loại phương tiện: Ô tô',
  `Thời gian vi phạm: ${vietnameseDateTime(violation.observedAt)}`,
  '14 giờ 05 phút, ngày 05/03/2025',
  violation.place,
  violation.description,
  legalBasisText(violation.legalBasis),
  'điểm b khoản 9 Điều 6 Nghị định số 168/2024/NĐ-CP',
  'Tốc độ đo được (km/h): 112',
  violation.cameraId,
];

describe('documents: PDF rendering (pdfkit, Noto Sans)', function () {
  this.timeout(20_000);

  it('the notice carries every field', async () => {
    const text = await textOf(await renderer.render(noticeDoc));
    expectAll(text, [
      ...common(noticeDoc),
      'THÔNG BÁO',
      'Hà Nội, ngày 06 tháng 03 năm 2025',
      `Kính gửi: Ông/Bà ${owner.name}`,
      owner.address,
      'Thông tư số 73/2024/TT-BCA',
      'Mức phạt tiền: từ 18.000.000 đồng đến 20.000.000 đồng',
      'bằng chữ: từ mười tám triệu đồng đến hai mươi triệu đồng',
      'Trừ điểm giấy phép lái xe: 4 điểm',
      'trong thời hạn 20 ngày kể từ ngày thông báo, chậm nhất ngày 26/03/2025',
      unit.address,
      `điện thoại ${unit.phone as string}`,
      `Mã hồ sơ: ${noticeDoc.caseId}`,
      `Mã thông báo: ${noticeDoc.noticeId}`,
    ]);
  });

  it('notice/v1 still renders to the bytes it gave before notice/v2 existed', async () => {
    // The digest of the fixture's v1 notice, taken before v2 was added: documents issued under v1 regenerate as issued.
    const bytes = await renderer.render(noticeDoc);
    expect(createHash('sha256').update(bytes).digest('hex')).to.equal('535b07fbb94f317f4ca6f99389a9824775cdcf97bf801f81ade7d128d3b0883e');
  });

  it('notice/v2 follows Mẫu số 01 of Circular 73/2024: every heading and field, in the form\'s order', async () => {
    const text = await textOf(await renderer.render(noticeV2Doc));
    const inOrder = [
      unit.superior,
      unit.name,
      `Số ${noticeV2Doc.number}`,
      'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
      'Độc lập - Tự do - Hạnh phúc',
      'Hà Nội, ngày 08 tháng 12 năm 2026',
      'THÔNG BÁO',
      'Vi phạm hành chính về trật tự, an toàn giao thông đường bộ',
      `Kính gửi: Ông/Bà ${owner.name}`,
      'Phòng Cảnh sát giao thông Công an tỉnh Bắc Ninh đã sử dụng phương tiện, thiết bị kỹ thuật nghiệp vụ hoặc tiếp nhận kết quả ghi thu được từ phương tiện, thiết bị kỹ thuật của .......... phát hiện và ghi nhận:',
      `Phương tiện (ghi rõ loại phương tiện, biển số, màu biển số): Ô tô, biển số ${violation.plate}, màu biển số ${violation.plateColour as string}`,
      `Chủ phương tiện: ${owner.name}; số định danh cá nhân hoặc số Căn cước/Căn cước công dân (nếu có): ..........`,
      `Địa chỉ: ${owner.address}`,
      `Thời gian, địa điểm vi phạm: 14 giờ 05 phút, ngày 05/03/2025, tại ${violation.place}`,
      `Hành vi vi phạm: ${violation.description} (Tốc độ đo được (km/h): 112), được quy định tại điểm b khoản 9 Điều 6 Nghị định số 168/2024/NĐ-CP ngày 26/12/2024 của Chính phủ quy định xử phạt vi phạm hành chính về trật tự, an toàn giao thông trong lĩnh vực giao thông đường bộ; trừ điểm, phục hồi điểm giấy phép lái xe.`,
      'Biện pháp ngăn chặn được áp dụng (nếu có): ..........',
      `Yêu cầu chủ phương tiện, tổ chức, cá nhân có liên quan đến hành vi vi phạm đúng 08 giờ 00 ngày 15/12/2026 có mặt tại trụ sở Phòng Cảnh sát giao thông Công an thành phố Hà Nội (${unit.address}, điện thoại ${unit.phone as string}) để giải quyết vụ việc vi phạm theo quy định của pháp luật.`,
      'Nếu việc đi lại gặp khó khăn và không có điều kiện trực tiếp đến trụ sở cơ quan Phòng Cảnh sát giao thông Công an thành phố Hà Nội để giải quyết vụ việc vi phạm, thì đúng .......... giờ .......... ngày .......... có mặt tại trụ sở .......... để giải quyết vụ việc vi phạm theo quy định của pháp luật.',
      'Khi đến giải quyết phải mang theo thông báo này và các giấy tờ có liên quan đến phương tiện và người điều khiển phương tiện.',
      'Nếu quá thời gian trên, người được yêu cầu không đến để giải quyết vụ việc vi phạm, thì sẽ bị xử lý theo quy định của pháp luật./.',
      '(Kèm theo kết quả thu thập được bằng phương tiện, thiết bị kỹ thuật nghiệp vụ).',
      'Thời hạn giải quyết: 20 ngày kể từ ngày thông báo, chậm nhất ngày 28/12/2026',
      `Mã hồ sơ: ${noticeV2Doc.caseId}`,
      `Mã thông báo: ${noticeV2Doc.noticeId}`,
    ];
    let from = 0;
    for (const e of inOrder) {
      const at = text.indexOf(e, from);
      expect(at, `the PDF text lacks "${e}" after what precedes it in the form`).to.be.greaterThan(-1);
      from = at + e.length;
    }
    // The closing block: Nơi nhận on the left, the head of the unit on the right (read side by side).
    expectAll(text, ['Nơi nhận:', '- Như trên;', '- ..........;', '- Lưu: Hồ sơ vụ việc.', 'THỦ TRƯỞNG ĐƠN VỊ', '(Chữ ký, đóng dấu/chữ ký số)']);
    // v1's own lines are gone: v2 is the form, not v1 with additions.
    for (const gone of ['Mức phạt tiền', 'Căn cứ Thông tư số 73/2024/TT-BCA', 'Số: ']) expect(text).not.to.include(gone);
  });

  it('notice/v2 leaves dotted what the input lacks: plate colour, decree date, measurements', async () => {
    const { decreeDate: _d, ...rest } = noticeV2Doc;
    const { plateColour: _c, ...bareViolation } = violation;
    const text = await textOf(await renderer.render({ ...rest, violation: { ...bareViolation, measurements: [] } }));
    expect(text).to.include(`biển số ${violation.plate}, màu biển số ..........`);
    expect(text).to.include(`Hành vi vi phạm: ${violation.description}, được quy định tại điểm b khoản 9 Điều 6 Nghị định số 168/2024/NĐ-CP ngày .../.../... của Chính phủ`);
  });

  it('a notice of an unknown template version does not render', async () => {
    let failed: unknown;
    try {
      await renderer.render({ ...noticeDoc, templateVersion: 'notice/v9' } as unknown as CaseDocument);
    } catch (error) {
      failed = error;
    }
    expect(failed).to.be.instanceOf(Error);
  });

  it('the violation record carries every field', async () => {
    const text = await textOf(await renderer.render(recordDoc));
    expectAll(text, [
      ...common(recordDoc),
      'BIÊN BẢN VI PHẠM HÀNH CHÍNH',
      'Hôm nay, hồi 10 giờ 30 phút, ngày 10/03/2025',
      recordDoc.drawnAt,
      `Người lập biên bản: ${recordDoc.officer.title}, mã cán bộ ${recordDoc.officer.officerId}`,
      `Người chứng kiến: ${recordDoc.witnesses[0] as string}`,
      `Ông/Bà: ${owner.name}`,
      owner.address,
      `Người điều khiển phương tiện: Trần Văn Đức, giấy phép lái xe GPLX-010203040506`,
      `Ý kiến trình bày của người vi phạm: ${recordDoc.explanation as string}`,
      'Trong thời hạn 2 ngày làm việc kể từ ngày lập biên bản',
      'NGƯỜI LẬP BIÊN BẢN',
      'NGƯỜI VI PHẠM',
      `khóa ${recordDoc.officer.keyId}`,
    ]);
  });

  it('the violation record without an explanation says so, and omits optional fields', async () => {
    const { explanation: _e, driver: _d, ...rest } = recordDoc;
    const bare = { ...rest, witnesses: [], unit: { ...unit, phone: undefined as unknown as string }, violation: { ...violation, plateColour: undefined as unknown as string } };
    delete (bare.unit as { phone?: string }).phone;
    delete (bare.violation as { plateColour?: string }).plateColour;
    const text = await textOf(await renderer.render(bare));
    expect(text).to.include('Ý kiến trình bày của người vi phạm: Không có');
    expect(text).not.to.include('Người điều khiển phương tiện');
    expect(text).not.to.include('Màu biển số');
    expect(text).not.to.include('điện thoại');
  });

  it('the penalty decision carries every field', async () => {
    const text = await textOf(await renderer.render(decisionDoc));
    expectAll(text, [
      ...common(decisionDoc),
      'QUYẾT ĐỊNH',
      'Xử phạt vi phạm hành chính',
      'Hà Nội, ngày 12 tháng 03 năm 2025',
      'Nghị định số 118/2021/NĐ-CP',
      `Người ra quyết định: ${decisionDoc.decider.title}, mã cán bộ ${decisionDoc.decider.officerId}`,
      `Ông/Bà: ${owner.name}`,
      owner.address,
      'Hình thức xử phạt chính: Phạt tiền',
      'Mức phạt: 18.000.000 đồng (bằng chữ: Mười tám triệu đồng)',
      'Trừ điểm giấy phép lái xe: 4 điểm',
      'trong thời hạn 10 ngày kể từ ngày nhận được Quyết định này',
      'hạn cuối là ngày 24/03/2025',
      `Tên tài khoản: ${treasury.accountName}`,
      `Số tài khoản: ${treasury.accountNumber}`,
      `Tại: ${treasury.bankName}`,
      `Nội dung nộp: ${decisionDoc.paymentReference}`,
      '0,05% trên tổng số tiền phạt chưa nộp',
      'Quét mã VietQR để nộp phạt',
      'Số tiền: 18.000.000 đồng',
      `Phiên bản danh mục áp dụng: ${decisionDoc.catalogVersion as string}`,
      'NGƯỜI RA QUYẾT ĐỊNH',
      `khóa ${decisionDoc.decider.keyId}`,
    ]);
  });

  it('an organisation is addressed as one', async () => {
    const org = { ...owner, kind: 'organisation' as const, name: 'Công ty TNHH Vận tải Hồng Hà' };
    const text = await textOf(await renderer.render({ ...decisionDoc, offender: org }));
    expect(text).to.include('Tổ chức: Công ty TNHH Vận tải Hồng Hà');
    expect(text).not.to.include('Ông/Bà');
  });

  it('the same input gives the same bytes; dates inside come from the input', async function () {
    this.timeout(60_000);
    for (const doc of [noticeDoc, noticeV2Doc, recordDoc, decisionDoc]) {
      const a = Buffer.from(await renderer.render(doc));
      const b = Buffer.from(await renderer.render(structuredClone(doc)));
      expect(a.equals(b), doc.kind).to.equal(true);
      expect(a.subarray(0, 8).toString('latin1')).to.equal('%PDF-1.7');
      const raw = a.toString('latin1');
      const stamp = `(D:${doc.issuedAt.replace(/[-:T]/g, '').slice(0, 14)}Z)`;
      expect(raw.split(stamp).length - 1, 'CreationDate and ModDate are issuedAt').to.equal(2);
    }
    const later = Buffer.from(await renderer.render({ ...decisionDoc, issuedAt: '2025-03-13T08:15:00.000Z' }));
    expect(later.equals(Buffer.from(await renderer.render(decisionDoc)))).to.equal(false);
  });

  it('embeds its font (no reference to a font the reader must have)', async () => {
    const raw = Buffer.from(await renderer.render(noticeDoc)).toString('latin1');
    expect(raw).to.include('/FontFile2');
    expect(raw).to.match(/\/BaseFont \/[A-Z]{6}\+NotoSans/);
  });

  it('the QR code the decision draws decodes to the treasury account, the fine and the decision number', () => {
    const { size, dark } = qrMatrix(decisionDoc.qrPayload);
    const scale = 4;
    const width = (size + 2 * QR_QUIET_ZONE) * scale;
    const pixels = new Uint8ClampedArray(width * width * 4).fill(255);
    for (let r = 0; r < size; r++)
      for (let c = 0; c < size; c++) {
        if (!dark[r * size + c]) continue;
        for (let dy = 0; dy < scale; dy++)
          for (let dx = 0; dx < scale; dx++) {
            const i = (((r + QR_QUIET_ZONE) * scale + dy) * width + (c + QR_QUIET_ZONE) * scale + dx) * 4;
            pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
          }
      }
    const decoded = jsQR(pixels, width, width);
    expect(decoded?.data).to.equal(decisionDoc.qrPayload);
    const transfer = parseVietQr(decoded!.data);
    expect(transfer).to.include({
      bankBin: treasury.bankBin,
      accountNumber: treasury.accountNumber,
      amountVnd: decisionDoc.fineVnd,
      reference: '1A2B3C4D/QD-XPHC',
    });
  });
});
