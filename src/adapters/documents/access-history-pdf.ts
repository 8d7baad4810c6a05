/**
 * The auditor's access history as a PDF (A4, Noto Sans, the fonts and text options of the case documents in
 * ./pdf.ts): a title naming what was exported and when, then one block per access (time, who, how, which
 * evidence, why). Deterministic for the same rows and `generatedAt`.
 */
import PDFDocument from 'pdfkit';
import type { AccessHistoryRow } from '../../commands/access-history.ts';
import { CONTENT_WIDTH, PAGE, PDFKIT_VERSION, fontBytes, plain } from './pdf.ts';

export async function renderAccessHistoryPdf(rows: readonly AccessHistoryRow[], meta: { subject: string; generatedAt: string }): Promise<Uint8Array> {
  const created = new Date(meta.generatedAt);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.margin, bottom: PAGE.margin, left: PAGE.margin, right: PAGE.margin },
    pdfVersion: '1.7',
    compress: true,
    info: {
      Title: `Access history: ${meta.subject}`,
      Creator: 'traffic-evidence-center',
      Producer: `PDFKit ${PDFKIT_VERSION}`,
      CreationDate: created,
      ModDate: created,
    },
  });
  const f = fontBytes();
  doc.registerFont('regular', f.regular);
  doc.registerFont('bold', f.bold);
  const line = (text: string, font: 'regular' | 'bold' = 'regular', size = 10) =>
    doc.font(font).fontSize(size).text(text, PAGE.margin, doc.y, plain({ width: CONTENT_WIDTH, lineGap: 2 }));
  line('Lịch sử truy cập chứng cứ / Evidence access history', 'bold', 14);
  line(`${meta.subject} — ${rows.length} truy cập — lập lúc ${meta.generatedAt}`);
  doc.moveDown(0.8);
  for (const r of rows) {
    line(`${r.accessedAt}  ${r.access}  ${r.actorKind} ${r.actorId}`, 'bold');
    line(`case ${r.caseId}${r.digest ? `  evidence ${r.digest}` : ''}`);
    line(`purpose: ${r.purpose}  (record ${r.recordId})`);
    doc.moveDown(0.4);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
    doc.end();
  });
}
