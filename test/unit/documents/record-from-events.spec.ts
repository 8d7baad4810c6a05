/**
 * The violation record (biên bản) made from the case's events and read back: every field the record carries is
 * in the PDF's text (the officer who drew it up, offender, place, time, violation and article, the explanation
 * verbatim, the named driver's licence), and the same events always give the same bytes.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { PDFParse } from 'pdf-parse';
import { legalBasisText, PdfDocumentRenderer, vietnameseDateTime } from '../../../src/adapters/documents/pdf.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import type { CaseCommand } from '../../../src/domain/case/commands.ts';
import type { CaseEvent } from '../../../src/domain/case/events.ts';
import type { ExistingCase } from '../../../src/domain/case/state.ts';
import { fold } from '../../../src/domain/decider.ts';
import { violationRecordDocumentFor } from '../../../src/domain/documents/index.ts';
import { caseCommand, confirmReview, drawRecord, violationDetected } from '../domain/case-fixtures.ts';
import { owner, unit } from './fixtures.ts';

const renderer = new PdfDocumentRenderer();
const after = (history: CaseEvent[], command: CaseCommand): CaseEvent[] => [...history, ...caseDecider.decide(command, fold(caseDecider, history))];

async function textOf(bytes: Uint8Array): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text.replace(/\n-- \d+ of \d+ --\n/g, '\n').replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}

const STATEMENT = 'Tôi cho em trai mượn xe; em tôi là người điều khiển phương tiện lúc đó.';
const DRIVER = { kind: 'individual' as const, ref: 'drv-0002' };

function history(): CaseEvent[] {
  const detected = [violationDetected()];
  const confirmed = after(detected, confirmReview(detected));
  const identified = after(confirmed, caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'owner-0001' }, registry: 'reg' }));
  const noticed = after(identified, caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic', now: '2026-03-12T20:00:00.000Z' }));
  const explained = after(noticed, caseCommand({ type: 'SubmitExplanation', explanationId: 'exp-1', channel: 'in-person', statement: STATEMENT }));
  const named = after(explained, caseCommand({ type: 'IdentifyDriver', driver: DRIVER, licenceRef: 'GPLX-790123456789' }));
  return after(named, drawRecord(named, { offender: DRIVER, explanation: STATEMENT }));
}

const driverParty = { ...owner, name: 'Trần Văn Đức', address: 'Số 5 phố Huế, phường Hai Bà Trưng, Hà Nội', registryRef: DRIVER.ref };
const context = { unit, offender: driverParty, officer: { officerId: 'officer-01-reviewer', title: 'officer-on-duty' } };

function documentOf(events: CaseEvent[]) {
  const drawn = events.at(-1) as Extract<CaseEvent, { type: 'ViolationRecordDrawn' }>;
  return violationRecordDocumentFor(fold(caseDecider, events) as ExistingCase, drawn.data, context);
}

describe('documents: the violation record made from ViolationRecordDrawn, read back', function () {
  this.timeout(60_000);

  it('carries every field of the record', async () => {
    const events = history();
    const doc = documentOf(events);
    const drawn = (events.at(-1) as Extract<CaseEvent, { type: 'ViolationRecordDrawn' }>).data;
    const text = await textOf(await renderer.render(doc));
    for (const expected of [
      'BIÊN BẢN VI PHẠM HÀNH CHÍNH',
      `Số: ${doc.number}`,
      unit.superior,
      `Hôm nay, hồi ${vietnameseDateTime(drawn.signoff.signedAt)}, tại trụ sở ${unit.name}, ${unit.address}`,
      'Người lập biên bản: Cán bộ Cảnh sát giao thông đang thi hành công vụ, mã cán bộ officer-01-reviewer',
      `khóa ${drawn.keyId}`,
      `Ông/Bà: ${driverParty.name}`,
      `Địa chỉ: ${driverParty.address}`,
      `Người điều khiển phương tiện: ${driverParty.name}, giấy phép lái xe GPLX-790123456789`,
      `Biển số: ${drawn.signoff.plate}`,
      `Thời gian vi phạm: ${vietnameseDateTime(doc.violation.observedAt)}`,
      `Địa điểm vi phạm: ${doc.violation.place}`,
      `Hành vi vi phạm: ${doc.violation.description}`,
      `Quy định tại: ${legalBasisText(doc.violation.legalBasis)}`,
      `Ý kiến trình bày của người vi phạm: ${STATEMENT}`,
      'Trong thời hạn 2 ngày làm việc kể từ ngày lập biên bản',
      `Mã hồ sơ: ${doc.caseId}`,
      'NGƯỜI LẬP BIÊN BẢN',
      'NGƯỜI VI PHẠM',
    ])
      expect(text, `the record lacks "${expected}"`).to.include(expected);
  });

  it('the same events give the same bytes (and so the same digest DocumentIssued records)', async () => {
    const a = await renderer.render(documentOf(history()));
    const b = await renderer.render(documentOf(structuredClone(history())));
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(true);
    const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    expect(digest(a)).to.equal(digest(b));
    const otherOfficer = await renderer.render(violationRecordDocumentFor(fold(caseDecider, history()) as ExistingCase, (history().at(-1) as Extract<CaseEvent, { type: 'ViolationRecordDrawn' }>).data, { ...context, officer: { officerId: 'officer-01-other', title: 'team-leader' } }));
    expect(digest(otherOfficer)).not.to.equal(digest(a));
  });
});
