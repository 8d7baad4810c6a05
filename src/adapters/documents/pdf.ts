/**
 * The PDF renderer (port: src/ports/documents.ts): pdfkit with Noto Sans embedded (TrueType, Vietnamese
 * glyphs; pdfkit embeds only the glyphs a document uses). Layout after the official forms (docs/documents.md):
 * the national header, the issuing unit and number, place and date, the title, the legal basis, the body, and
 * the signature block; the decision adds a VietQR code to pay the State Treasury account. An appeal's resolution
 * (quyết định giải quyết khiếu nại) states the complaint, the decision complained against, the finding and the
 * outcome for the fine.
 *
 * Deterministic: the PDF's CreationDate and ModDate are the document's `issuedAt`, and pdfkit derives the file
 * ID from the document info, so the same input always gives the same bytes. The QR code is drawn as vector
 * squares from the QR module matrix (no raster image).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type {
  AppealResolutionDocument,
  CaseDocument,
  LegalBasisText,
  NoticeDocument,
  NoticeDocumentV1,
  NoticeDocumentV2,
  Party,
  PenaltyDecisionDocument,
  ViolationFacts,
  ViolationRecordDocument,
} from '../../domain/documents/types.ts';
import { formatVnd, numberInWords, vndInWords } from '../../domain/documents/vnd-words.ts';
import { assertNever } from '../../domain/shared/errors.ts';
import type { DocumentRenderer } from '../../ports/documents.ts';

const require = createRequire(import.meta.url);
/** pdfkit's version, recorded as the producer (its package exports no `package.json`: read it beside `js/`). */
export const PDFKIT_VERSION = (
  JSON.parse(readFileSync(join(dirname(require.resolve('pdfkit')), '..', 'package.json'), 'utf8')) as { version: string }
).version;

/** Noto Sans regular, bold and italic (OFL-1.1), from @expo-google-fonts/noto-sans: full TrueType files. */
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf',
  italic: '@expo-google-fonts/noto-sans/400Regular_Italic/NotoSans_400Regular_Italic.ttf',
} as const;
type FontName = keyof typeof FONT_FILES;

let fonts: Record<FontName, Buffer> | undefined;
export function fontBytes(): Record<FontName, Buffer> {
  fonts ??= {
    regular: readFileSync(require.resolve(FONT_FILES.regular)),
    bold: readFileSync(require.resolve(FONT_FILES.bold)),
    italic: readFileSync(require.resolve(FONT_FILES.italic)),
  };
  return fonts;
}

const TITLES = {
  notice: 'THÔNG BÁO',
  'violation-record': 'BIÊN BẢN VI PHẠM HÀNH CHÍNH',
  'penalty-decision': 'QUYẾT ĐỊNH',
  'appeal-resolution': 'QUYẾT ĐỊNH',
} as const;

const SUBTITLES = {
  notice: 'Về việc vi phạm hành chính về trật tự, an toàn giao thông đường bộ\nphát hiện qua phương tiện, thiết bị kỹ thuật nghiệp vụ',
  'violation-record': 'Về trật tự, an toàn giao thông trong lĩnh vực giao thông đường bộ',
  'penalty-decision': 'Xử phạt vi phạm hành chính',
  'appeal-resolution': 'Giải quyết khiếu nại đối với quyết định xử phạt vi phạm hành chính',
} as const;

const VEHICLE_CLASSES_VI: Readonly<Record<string, string>> = {
  car: 'Ô tô',
  motorbike: 'Mô tô, xe gắn máy',
  truck: 'Ô tô tải',
};

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;
const pad = (n: number) => String(n).padStart(2, '0');

/** "ngày 05 tháng 03 năm 2025" of an instant, in Viet Nam time. */
export function vietnameseLongDate(at: string): string {
  const d = new Date(Date.parse(at) + VIETNAM_OFFSET_MS);
  return `ngày ${pad(d.getUTCDate())} tháng ${pad(d.getUTCMonth() + 1)} năm ${d.getUTCFullYear()}`;
}

/** "14 giờ 05 phút, ngày 05/03/2025" of an instant, in Viet Nam time. */
export function vietnameseDateTime(at: string): string {
  const d = new Date(Date.parse(at) + VIETNAM_OFFSET_MS);
  return `${pad(d.getUTCHours())} giờ ${pad(d.getUTCMinutes())} phút, ngày ${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** "05/03/2025" of a YYYY-MM-DD date. */
export function vietnameseShortDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

/** "điểm b khoản 9 Điều 6 Nghị định số 168/2024/NĐ-CP". */
export function legalBasisText(basis: LegalBasisText): string {
  const point = basis.point ? `điểm ${basis.point} ` : '';
  return `${point}khoản ${basis.clause} Điều ${basis.article} Nghị định số ${basis.decree}`;
}

function partyLabel(party: Party): string {
  return party.kind === 'organisation' ? 'Tổ chức' : 'Ông/Bà';
}

export const PAGE = { width: 595.28, height: 841.89, margin: 56 };
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;

/** The quiet zone around a QR code, in modules (ISO/IEC 18004 asks for 4). */
export const QR_QUIET_ZONE = 4;

/** The QR code of `payload` (error correction M) as a square matrix of dark modules, row by row. */
export function qrMatrix(payload: string): { size: number; dark: ArrayLike<number | boolean> } {
  const code = QRCode.create(payload, { errorCorrectionLevel: 'M' });
  return { size: code.modules.size, dark: code.modules.data };
}

/**
 * Text options for every run: glyph composition (`ccmp`) off. Noto Sans would otherwise split precomposed
 * Vietnamese letters (ị, ọ, ụ …) into a base and a combining mark, which pdfkit maps back to the wrong text,
 * so copying or searching the PDF would fail. The font has a precomposed glyph for every Vietnamese letter.
 * A fresh object per call: pdfkit fills in the features it adds.
 */
export function plain<T extends object>(options: T): T & PDFKit.Mixins.TextOptions {
  return { ...options, features: { ccmp: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[] };
}

class Writer {
  readonly doc: PDFKit.PDFDocument;
  constructor(document: CaseDocument) {
    const created = new Date(document.issuedAt);
    this.doc = new PDFDocument({
      size: 'A4',
      margins: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
      pdfVersion: '1.7',
      compress: true,
      info: {
        Title: `${TITLES[document.kind]} ${document.number}`,
        Author: document.unit.name,
        Subject: document.caseId,
        Keywords: document.templateVersion,
        Creator: 'traffic-evidence-center',
        Producer: `PDFKit ${PDFKIT_VERSION}`,
        CreationDate: created,
        ModDate: created,
      },
    });
    const f = fontBytes();
    this.doc.registerFont('regular', f.regular);
    this.doc.registerFont('bold', f.bold);
    this.doc.registerFont('italic', f.italic);
    this.doc.font('regular').fontSize(11);
  }

  text(text: string, options: { font?: FontName; size?: number; align?: 'left' | 'center' | 'right' | 'justify'; gap?: number } = {}): this {
    this.doc
      .font(options.font ?? 'regular')
      .fontSize(options.size ?? 11)
      .text(text, PAGE.margin, this.doc.y, plain({ width: CONTENT_WIDTH, align: options.align ?? 'left', lineGap: 2 }));
    if (options.gap) this.doc.moveDown(options.gap);
    return this;
  }

  /** A label in bold followed by its value on the same line. */
  field(label: string, value: string): this {
    this.doc.font('bold').fontSize(11).text(`${label}: `, PAGE.margin, this.doc.y, plain({ width: CONTENT_WIDTH, continued: true, lineGap: 2 }));
    this.doc.font('regular').text(value, plain({ lineGap: 2 }));
    return this;
  }

  header(document: CaseDocument): this {
    const top = this.doc.y;
    const leftWidth = 210;
    const rightX = PAGE.margin + leftWidth + 10;
    const rightWidth = CONTENT_WIDTH - leftWidth - 10;
    this.doc.font('regular').fontSize(10).text(document.unit.superior, PAGE.margin, top, plain({ width: leftWidth, align: 'center' }));
    this.doc.font('bold').fontSize(10).text(document.unit.name, PAGE.margin, this.doc.y, plain({ width: leftWidth, align: 'center' }));
    this.doc.font('regular').fontSize(10).text(`Số: ${document.number}`, PAGE.margin, this.doc.y + 6, plain({ width: leftWidth, align: 'center' }));
    const leftBottom = this.doc.y;
    this.doc.font('bold').fontSize(10).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', rightX, top, plain({ width: rightWidth, align: 'center' }));
    this.doc.font('bold').fontSize(11).text('Độc lập - Tự do - Hạnh phúc', rightX, this.doc.y, plain({ width: rightWidth, align: 'center' }));
    const ruleY = this.doc.y + 1;
    this.doc.moveTo(rightX + rightWidth / 2 - 70, ruleY).lineTo(rightX + rightWidth / 2 + 70, ruleY).lineWidth(0.6).stroke();
    this.doc
      .font('italic')
      .fontSize(10)
      .text(`${document.unit.place}, ${vietnameseLongDate(document.issuedAt)}`, rightX, ruleY + 6, plain({ width: rightWidth, align: 'center' }));
    this.doc.y = Math.max(leftBottom, this.doc.y) + 18;
    this.text(TITLES[document.kind], { font: 'bold', size: 14, align: 'center' });
    this.text(SUBTITLES[document.kind], { font: 'bold', size: 11, align: 'center', gap: 1 });
    return this;
  }

  violation(v: ViolationFacts): this {
    this.field('Biển số', v.plate);
    if (v.plateColour !== undefined) this.field('Màu biển số', v.plateColour);
    this.field('Loại phương tiện', VEHICLE_CLASSES_VI[v.vehicleClass] ?? v.vehicleClass);
    this.field('Thời gian vi phạm', vietnameseDateTime(v.observedAt));
    this.field('Địa điểm vi phạm', v.place);
    this.field('Hành vi vi phạm', v.description);
    this.field('Quy định tại', legalBasisText(v.legalBasis));
    for (const m of v.measurements) this.text(`- ${m}`);
    this.field('Phương tiện, thiết bị kỹ thuật nghiệp vụ phát hiện', v.cameraId);
    return this;
  }

  signature(role: string, lines: string[]): this {
    this.doc.moveDown(1.5);
    const x = PAGE.margin + CONTENT_WIDTH / 2;
    const width = CONTENT_WIDTH / 2;
    this.doc.font('bold').fontSize(11).text(role, x, this.doc.y, plain({ width, align: 'center' }));
    for (const line of lines) this.doc.font('regular').fontSize(10).text(line, x, this.doc.y, plain({ width, align: 'center' }));
    return this;
  }

  /** Draws the QR code of `payload` as vector squares, `size` points wide, at the current position. */
  qr(payload: string, size: number, caption: string[]): this {
    const code = qrMatrix(payload);
    const n = code.size;
    const quiet = QR_QUIET_ZONE;
    const cell = size / (n + 2 * quiet);
    if (this.doc.y + size + 60 > PAGE.height - PAGE.margin) this.doc.addPage();
    const x0 = PAGE.margin;
    const y0 = this.doc.y;
    this.doc.save().fillColor('#000000');
    for (let r = 0; r < n; r++)
      for (let c = 0; c < n; c++)
        if (code.dark[r * n + c]) this.doc.rect(x0 + (c + quiet) * cell, y0 + (r + quiet) * cell, cell, cell);
    this.doc.fill().restore();
    const textX = x0 + size + 12;
    this.doc.y = y0 + quiet * cell;
    for (const [i, line] of caption.entries())
      this.doc.font(i === 0 ? 'bold' : 'regular').fontSize(10).text(line, textX, this.doc.y, plain({ width: CONTENT_WIDTH - size - 12 }));
    this.doc.y = Math.max(this.doc.y, y0 + size) + 6;
    return this;
  }

  finish(): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      this.doc.on('data', (c: Buffer) => chunks.push(c));
      this.doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      this.doc.on('error', reject);
      this.doc.end();
    });
  }
}

const LEGAL_GROUNDS = [
  'Căn cứ Luật Xử lý vi phạm hành chính ngày 20 tháng 6 năm 2012, được sửa đổi, bổ sung;',
  'Căn cứ Nghị định số 168/2024/NĐ-CP ngày 26 tháng 12 năm 2024 của Chính phủ quy định xử phạt vi phạm hành chính về trật tự, an toàn giao thông trong lĩnh vực giao thông đường bộ;',
];

function noticeV1(w: Writer, d: NoticeDocumentV1): void {
  w.header(d);
  w.field('Kính gửi', `${partyLabel(d.addressee)} ${d.addressee.name}`);
  w.field('Địa chỉ', d.addressee.address);
  w.doc.moveDown(0.5);
  for (const line of [...LEGAL_GROUNDS, 'Căn cứ Thông tư số 73/2024/TT-BCA ngày 15 tháng 11 năm 2024 của Bộ trưởng Bộ Công an;'])
    w.text(line, { font: 'italic', size: 10 });
  w.doc.moveDown(0.5);
  w.text(`Qua phương tiện, thiết bị kỹ thuật nghiệp vụ, ${d.unit.name} phát hiện phương tiện sau có hành vi vi phạm hành chính:`, { gap: 0.3 });
  w.violation(d.violation);
  w.doc.moveDown(0.5);
  w.field(
    'Mức phạt tiền',
    `từ ${formatVnd(d.fineRange.minVnd)} đồng đến ${formatVnd(d.fineRange.maxVnd)} đồng (bằng chữ: từ ${numberInWords(d.fineRange.minVnd)} đồng đến ${numberInWords(d.fineRange.maxVnd)} đồng)`,
  );
  if (d.points > 0) w.field('Trừ điểm giấy phép lái xe', `${d.points} điểm`);
  w.doc.moveDown(0.5);
  const phone = d.unit.phone ? `, điện thoại ${d.unit.phone}` : '';
  w.text(
    `Đề nghị ${partyLabel(d.addressee)} ${d.addressee.name} đến trụ sở ${d.unit.name} (${d.unit.address}${phone}) hoặc trả lời qua Cổng dịch vụ công để giải quyết vụ việc trong thời hạn ${d.respondWithinDays} ngày kể từ ngày thông báo, chậm nhất ngày ${vietnameseShortDate(d.respondBy)}. Trường hợp không phải là người điều khiển phương tiện khi vi phạm, đề nghị cung cấp họ tên, địa chỉ và giấy phép lái xe của người điều khiển.`,
    { gap: 0.5 },
  );
  w.field('Mã hồ sơ', d.caseId);
  w.field('Mã thông báo', d.noticeId);
  w.signature('THỦ TRƯỞNG ĐƠN VỊ', [d.unit.name, '(Văn bản điện tử, đã ký số)']);
}

/** A dotted line where the blank form has one and the events give no value (never an invented one). */
export const DOTS = '..........';

/** The Mẫu số 01 time line: "08 giờ 00 ngày 14/12/2026". */
function appointmentText(a: { date: string; time: string }): string {
  const [hh, mm] = a.time.split(':');
  return `${hh} giờ ${mm} ngày ${vietnameseShortDate(a.date)}`;
}

/**
 * notice/v2: Circular 73/2024/TT-BCA, Mẫu số 01 (docs/documents.md, "The notice form"), heading by heading and
 * in its order; the numbered blanks (1)–(7) of the form filled from the input, or dotted where it has nothing.
 */
function noticeV2(w: Writer, d: NoticeDocumentV2): void {
  const doc = w.doc;
  const top = doc.y;
  const leftWidth = 210;
  const rightX = PAGE.margin + leftWidth + 10;
  const rightWidth = CONTENT_WIDTH - leftWidth - 10;
  // (1) the superior body, (2) the unit of the competent officer, then the number; (3) place and date.
  doc.font('regular').fontSize(10).text(d.unit.superior, PAGE.margin, top, plain({ width: leftWidth, align: 'center' }));
  doc.font('bold').fontSize(10).text(d.unit.name, PAGE.margin, doc.y, plain({ width: leftWidth, align: 'center' }));
  doc.font('regular').fontSize(10).text(`Số ${d.number}`, PAGE.margin, doc.y + 6, plain({ width: leftWidth, align: 'center' }));
  const leftBottom = doc.y;
  doc.font('bold').fontSize(10).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', rightX, top, plain({ width: rightWidth, align: 'center' }));
  doc.font('bold').fontSize(11).text('Độc lập - Tự do - Hạnh phúc', rightX, doc.y, plain({ width: rightWidth, align: 'center' }));
  const ruleY = doc.y + 1;
  doc.moveTo(rightX + rightWidth / 2 - 70, ruleY).lineTo(rightX + rightWidth / 2 + 70, ruleY).lineWidth(0.6).stroke();
  doc.font('italic').fontSize(10).text(`${d.unit.place}, ${vietnameseLongDate(d.issuedAt)}`, rightX, ruleY + 6, plain({ width: rightWidth, align: 'center' }));
  doc.y = Math.max(leftBottom, doc.y) + 18;
  w.text('THÔNG BÁO', { font: 'bold', size: 14, align: 'center' });
  w.text('Vi phạm hành chính về trật tự, an toàn giao thông đường bộ', { font: 'bold', size: 11, align: 'center', gap: 1 });
  // (4) the owner.
  w.field('Kính gửi', `${partyLabel(d.addressee)} ${d.addressee.name}`);
  doc.moveDown(0.3);
  // (5) the detecting unit; (6) the unit that passed on a device's results: not recorded, dotted.
  w.text(
    `${d.detectingUnit} đã sử dụng phương tiện, thiết bị kỹ thuật nghiệp vụ hoặc tiếp nhận kết quả ghi thu được từ phương tiện, thiết bị kỹ thuật của ${DOTS} phát hiện và ghi nhận:`,
    { gap: 0.2 },
  );
  const v = d.violation;
  w.field(
    'Phương tiện (ghi rõ loại phương tiện, biển số, màu biển số)',
    `${VEHICLE_CLASSES_VI[v.vehicleClass] ?? v.vehicleClass}, biển số ${v.plate}, màu biển số ${v.plateColour ?? DOTS}`,
  );
  w.field('Chủ phương tiện', `${d.addressee.name}; số định danh cá nhân hoặc số Căn cước/Căn cước công dân (nếu có): ${DOTS}`);
  w.field('Địa chỉ', d.addressee.address);
  w.field('Thời gian, địa điểm vi phạm', `${vietnameseDateTime(v.observedAt)}, tại ${v.place}`);
  const measured = v.measurements.length > 0 ? ` (${v.measurements.join('; ')})` : '';
  const basis = v.legalBasis;
  const point = basis.point ? `điểm ${basis.point} ` : '';
  w.field(
    'Hành vi vi phạm',
    `${v.description}${measured}, được quy định tại ${point}khoản ${basis.clause} Điều ${basis.article} Nghị định số ${basis.decree} ngày ${d.decreeDate ?? '.../.../...'} của Chính phủ quy định xử phạt vi phạm hành chính về trật tự, an toàn giao thông trong lĩnh vực giao thông đường bộ; trừ điểm, phục hồi điểm giấy phép lái xe.`,
  );
  w.field('Biện pháp ngăn chặn được áp dụng (nếu có)', DOTS);
  doc.moveDown(0.3);
  const contact = `${d.unit.address}${d.unit.phone ? `, điện thoại ${d.unit.phone}` : ''}`;
  w.text(
    `Yêu cầu chủ phương tiện, tổ chức, cá nhân có liên quan đến hành vi vi phạm đúng ${appointmentText(d.appointment)} có mặt tại trụ sở ${d.handlingUnit} (${contact}) để giải quyết vụ việc vi phạm theo quy định của pháp luật. Nếu việc đi lại gặp khó khăn và không có điều kiện trực tiếp đến trụ sở cơ quan ${d.handlingUnit} để giải quyết vụ việc vi phạm, thì đúng ${DOTS} giờ ${DOTS} ngày ${DOTS} có mặt tại trụ sở ${DOTS} để giải quyết vụ việc vi phạm theo quy định của pháp luật.`,
  );
  w.text('Khi đến giải quyết phải mang theo thông báo này và các giấy tờ có liên quan đến phương tiện và người điều khiển phương tiện.');
  w.text('Nếu quá thời gian trên, người được yêu cầu không đến để giải quyết vụ việc vi phạm, thì sẽ bị xử lý theo quy định của pháp luật./.');
  w.text('(Kèm theo kết quả thu thập được bằng phương tiện, thiết bị kỹ thuật nghiệp vụ).', { font: 'italic', size: 10, gap: 0.3 });
  // Beyond the form: what the owner needs to answer online and the period the procedure counts (Art. 24.5).
  w.text(
    `Thời hạn giải quyết: ${d.respondWithinDays} ngày kể từ ngày thông báo, chậm nhất ngày ${vietnameseShortDate(d.respondBy)}; có thể trả lời trực tuyến qua Cổng tra cứu vi phạm với mã hồ sơ và mã thông báo dưới đây.`,
    { size: 10 },
  );
  w.field('Mã hồ sơ', d.caseId);
  w.field('Mã thông báo', d.noticeId);
  // Nơi nhận (left) and the signature block (right), side by side as on the form.
  doc.moveDown(1);
  // The two columns are drawn from one top: keep them on one page (pdfkit would break each column apart).
  if (doc.y + 110 > PAGE.height - PAGE.margin) doc.addPage();
  const blockTop = doc.y;
  const half = CONTENT_WIDTH / 2;
  doc.font('bold').fontSize(10).text('Nơi nhận:', PAGE.margin, blockTop, plain({ width: half }));
  for (const line of ['- Như trên;', `- ${DOTS};`, '- Lưu: Hồ sơ vụ việc.'])
    doc.font('regular').fontSize(10).text(line, PAGE.margin, doc.y, plain({ width: half }));
  const x = PAGE.margin + half;
  doc.font('bold').fontSize(11).text('THỦ TRƯỞNG ĐƠN VỊ', x, blockTop, plain({ width: half, align: 'center' }));
  doc.font('italic').fontSize(10).text('(Chữ ký, đóng dấu/chữ ký số)', x, doc.y, plain({ width: half, align: 'center' }));
  doc.font('regular').fontSize(10).text(DOTS + DOTS, x, doc.y + 40, plain({ width: half, align: 'center' }));
}

function notice(w: Writer, d: NoticeDocument): void {
  switch (d.templateVersion) {
    case 'notice/v1':
      return noticeV1(w, d);
    case 'notice/v2':
      return noticeV2(w, d);
    default:
      return assertNever(d, 'notice template version');
  }
}

function violationRecord(w: Writer, d: ViolationRecordDocument): void {
  w.header(d);
  w.text(`Hôm nay, hồi ${vietnameseDateTime(d.issuedAt)}, tại ${d.drawnAt}.`);
  for (const line of LEGAL_GROUNDS) w.text(line, { font: 'italic', size: 10 });
  w.doc.moveDown(0.5);
  w.field('Người lập biên bản', `${d.officer.title}, mã cán bộ ${d.officer.officerId}`);
  w.field('Đơn vị', d.unit.name);
  for (const witness of d.witnesses) w.field('Người chứng kiến', witness);
  w.text('Tiến hành lập biên bản vi phạm hành chính đối với:', { gap: 0.2 });
  w.field(partyLabel(d.offender), d.offender.name);
  w.field('Địa chỉ', d.offender.address);
  if (d.driver) w.field('Người điều khiển phương tiện', `${d.driver.name}, giấy phép lái xe ${d.driver.licenceRef}`);
  w.doc.moveDown(0.3);
  w.text('Đã có hành vi vi phạm hành chính:', { gap: 0.2 });
  w.violation(d.violation);
  w.doc.moveDown(0.3);
  w.field('Ý kiến trình bày của người vi phạm', d.explanation ?? 'Không có');
  w.text(
    `Trong thời hạn ${d.explanationWithinDays} ngày làm việc kể từ ngày lập biên bản, người vi phạm có quyền gửi văn bản yêu cầu giải trình đến ${d.unit.name} (${d.unit.address}${d.unit.phone ? `, điện thoại ${d.unit.phone}` : ''}).`,
  );
  w.field('Mã hồ sơ', d.caseId);
  w.signature('NGƯỜI LẬP BIÊN BẢN', [d.officer.title, `(Đã ký số, khóa ${d.officer.keyId})`]);
  w.signature('NGƯỜI VI PHẠM', ['(Ký, ghi rõ họ tên)']);
}

function penaltyDecision(w: Writer, d: PenaltyDecisionDocument): void {
  w.header(d);
  for (const line of [
    ...LEGAL_GROUNDS,
    'Căn cứ Nghị định số 118/2021/NĐ-CP ngày 23 tháng 12 năm 2021 của Chính phủ quy định chi tiết một số điều và biện pháp thi hành Luật Xử lý vi phạm hành chính, được sửa đổi, bổ sung;',
    `Căn cứ kết quả ghi nhận của phương tiện, thiết bị kỹ thuật nghiệp vụ (hồ sơ ${d.caseId});`,
  ])
    w.text(line, { font: 'italic', size: 10 });
  w.doc.moveDown(0.3);
  w.field('Người ra quyết định', `${d.decider.title}, mã cán bộ ${d.decider.officerId}`);
  w.field('Đơn vị', d.unit.name);
  w.text('QUYẾT ĐỊNH:', { font: 'bold', align: 'center', gap: 0.2 });
  w.text('Điều 1. Xử phạt vi phạm hành chính đối với:', { font: 'bold' });
  w.field(partyLabel(d.offender), d.offender.name);
  w.field('Địa chỉ', d.offender.address);
  w.text('Đã thực hiện hành vi vi phạm hành chính:', { gap: 0.2 });
  w.violation(d.violation);
  w.field('Hình thức xử phạt chính', 'Phạt tiền');
  w.field('Mức phạt', `${formatVnd(d.fineVnd)} đồng (bằng chữ: ${d.fineInWords})`);
  if (d.points > 0) w.field('Trừ điểm giấy phép lái xe', `${d.points} điểm`);
  w.doc.moveDown(0.3);
  w.text('Điều 2. Thi hành quyết định', { font: 'bold' });
  w.text(
    `${partyLabel(d.offender)} ${d.offender.name} phải nộp tiền phạt trong thời hạn ${d.payWithinDays} ngày kể từ ngày nhận được Quyết định này (nhận ngày ký thì hạn cuối là ngày ${vietnameseShortDate(d.payBy)}), vào tài khoản của Kho bạc Nhà nước:`,
  );
  w.field('Tên tài khoản', d.treasury.accountName);
  w.field('Số tài khoản', d.treasury.accountNumber);
  w.field('Tại', d.treasury.bankName);
  w.field('Nội dung nộp', d.paymentReference);
  w.text(
    `Quá thời hạn trên, mỗi ngày chậm nộp phạt phải nộp thêm ${(d.lateSurchargeBpPerDay / 100).toFixed(2).replace('.', ',')}% trên tổng số tiền phạt chưa nộp.`,
  );
  w.doc.moveDown(0.3);
  w.qr(d.qrPayload, 120, [
    'Quét mã VietQR để nộp phạt',
    `Số tiền: ${formatVnd(d.fineVnd)} đồng`,
    `Tài khoản: ${d.treasury.accountNumber}`,
    `Nội dung: ${d.paymentReference}`,
  ]);
  w.text('Điều 3. Hiệu lực', { font: 'bold' });
  w.text(
    'Quyết định này có hiệu lực kể từ ngày ký. Người bị xử phạt có quyền khiếu nại, khởi kiện đối với Quyết định này theo quy định của pháp luật.',
  );
  if (d.catalogVersion) w.field('Phiên bản danh mục áp dụng', d.catalogVersion);
  w.signature('NGƯỜI RA QUYẾT ĐỊNH', [d.decider.title, `(Đã ký số, khóa ${d.decider.keyId})`]);
}

/** "18.000.000 đồng (bằng chữ: Mười tám triệu đồng)"; 0 is "0 đồng (bằng chữ: Không đồng)". */
function amountText(vnd: number): string {
  return `${formatVnd(vnd)} đồng (bằng chữ: ${vnd === 0 ? 'Không đồng' : vndInWords(vnd)})`;
}

function appealResolution(w: Writer, d: AppealResolutionDocument): void {
  w.header(d);
  for (const line of [
    'Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011;',
    'Căn cứ Luật Xử lý vi phạm hành chính ngày 20 tháng 6 năm 2012, được sửa đổi, bổ sung;',
    `Xét đơn khiếu nại ngày ${vietnameseDateTime(d.filedAt)} của ${partyLabel(d.complainant)} ${d.complainant.name} đối với Quyết định xử phạt vi phạm hành chính số ${d.decision.number};`,
  ])
    w.text(line, { font: 'italic', size: 10 });
  w.doc.moveDown(0.3);
  w.field('Người giải quyết khiếu nại', `${d.resolver.title}, mã cán bộ ${d.resolver.officerId}`);
  w.field('Đơn vị', d.unit.name);
  w.field('Người khiếu nại', `${partyLabel(d.complainant)} ${d.complainant.name}`);
  w.field('Địa chỉ', d.complainant.address);
  w.field('Nội dung khiếu nại', d.grounds);
  w.doc.moveDown(0.3);
  w.text(`Quyết định bị khiếu nại: Quyết định xử phạt vi phạm hành chính số ${d.decision.number} ký ${vietnameseDateTime(d.decision.signedAt)}:`, { gap: 0.2 });
  w.violation(d.violation);
  w.field('Mức phạt đã quyết định', amountText(d.decision.fineVnd));
  if (d.decision.points > 0) w.field('Trừ điểm giấy phép lái xe', `${d.decision.points} điểm`);
  w.doc.moveDown(0.3);
  w.field('Kết quả xem xét', d.reason);
  w.text('QUYẾT ĐỊNH:', { font: 'bold', align: 'center', gap: 0.2 });
  w.text('Điều 1.', { font: 'bold' });
  w.text(
    d.outcome === 'overturned'
      ? `Khiếu nại của ${partyLabel(d.complainant)} ${d.complainant.name} là đúng. Hủy bỏ Quyết định xử phạt vi phạm hành chính số ${d.decision.number}.`
      : `Khiếu nại của ${partyLabel(d.complainant)} ${d.complainant.name} là không có cơ sở. Giữ nguyên Quyết định xử phạt vi phạm hành chính số ${d.decision.number}.`,
  );
  w.field('Số tiền phạt phải nộp sau khi giải quyết khiếu nại', amountText(d.fineAfterVnd));
  w.doc.moveDown(0.3);
  w.text('Điều 2.', { font: 'bold' });
  w.text(
    `Quyết định này có hiệu lực kể từ ngày ký. Nếu không đồng ý với Quyết định này, ${partyLabel(d.complainant)} ${d.complainant.name} có quyền khiếu nại lần hai hoặc khởi kiện vụ án hành chính tại Tòa án theo quy định của pháp luật.`,
  );
  w.field('Mã hồ sơ', d.caseId);
  w.field('Mã khiếu nại', d.appealId);
  w.signature('NGƯỜI GIẢI QUYẾT KHIẾU NẠI', [d.resolver.title, `(Đã ký số, khóa ${d.resolver.keyId})`]);
}

export class PdfDocumentRenderer implements DocumentRenderer {
  readonly producer = { library: 'pdfkit', version: PDFKIT_VERSION };

  async render(document: CaseDocument): Promise<Uint8Array> {
    const w = new Writer(document);
    switch (document.kind) {
      case 'notice':
        notice(w, document);
        break;
      case 'violation-record':
        violationRecord(w, document);
        break;
      case 'penalty-decision':
        penaltyDecision(w, document);
        break;
      case 'appeal-resolution':
        appealResolution(w, document);
        break;
      default:
        return assertNever(document, 'document kind');
    }
    return w.finish();
  }
}
