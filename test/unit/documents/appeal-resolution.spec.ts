/**
 * The decision resolving a complaint (quyết định giải quyết khiếu nại) made from the case's `AppealFiled` and
 * `AppealResolved` and read back: every field it carries is in the PDF's text (the complaint, the decision
 * complained against, the officer's signed reason, the outcome and the fine due after it, the resolver and key),
 * for an annulled and an upheld decision, and the same events always give the same bytes.
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
import { appealResolutionDocumentFor, DocumentSourceMissingError, formatVnd, vndInWords } from '../../../src/domain/documents/index.ts';
import { caseCommand, confirmReview, decidePenalty, drawRecord, resolveAppeal, violationDetected } from '../domain/case-fixtures.ts';
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

const GROUNDS = 'Tôi không điều khiển xe qua ngã tư này vào thời điểm đó; biển số trong ảnh bị nhòe.';
const REASON = 'Ảnh chụp không đủ rõ để xác định biển số; hủy quyết định xử phạt.';
const complainant = { ...owner, registryRef: 'owner-0001' };
const resolver = { officerId: 'off-01-0001', title: 'provincial-division-head' };

function decided(): CaseEvent[] {
  const detected = [violationDetected()];
  const confirmed = after(detected, confirmReview(detected));
  const identified = after(confirmed, caseCommand({ type: 'IdentifyOwner', owner: { kind: 'individual', ref: 'owner-0001' }, registry: 'reg' }));
  const noticed = after(identified, caseCommand({ type: 'IssueNotice', noticeId: 'ntc-1', channel: 'vnetraffic', now: '2026-03-12T20:00:00.000Z' }));
  const recorded = after(noticed, drawRecord(noticed));
  return after(recorded, decidePenalty(recorded));
}

function resolvedHistory(outcome: 'overturned' | 'upheld'): CaseEvent[] {
  const appealed = after(decided(), caseCommand({ type: 'FileAppeal', appealId: 'apl-1', grounds: GROUNDS, now: '2026-03-25T03:00:00.000Z' }));
  return after(appealed, resolveAppeal(appealed, outcome === 'overturned' ? { outcome, fineVnd: 0, reason: REASON } : { outcome, reason: 'Ảnh chụp rõ biển số; giữ nguyên.' }));
}

function documentOf(events: CaseEvent[], context = { unit, complainant, resolver }) {
  const resolved = events.find((e): e is Extract<CaseEvent, { type: 'AppealResolved' }> => e.type === 'AppealResolved')!;
  return appealResolutionDocumentFor(fold(caseDecider, events) as ExistingCase, resolved.data, context);
}

describe('documents: the appeal resolution made from AppealFiled and AppealResolved, read back', function () {
  this.timeout(60_000);

  it('carries every field of an annulling resolution', async () => {
    const events = resolvedHistory('overturned');
    const doc = documentOf(events);
    const resolved = events.find((e): e is Extract<CaseEvent, { type: 'AppealResolved' }> => e.type === 'AppealResolved')!.data;
    const decision = events.find((e): e is Extract<CaseEvent, { type: 'PenaltyDecided' }> => e.type === 'PenaltyDecided')!.data.signoff;
    expect(doc.templateVersion).to.equal('appeal-resolution/v1');
    expect(doc.issuedAt).to.equal(resolved.resolvedAt);
    expect(doc.fineAfterVnd).to.equal(0);
    expect(doc.number).to.match(/^[0-9A-F]{8}-1\/QĐ-GQKN$/);
    const text = await textOf(await renderer.render(doc));
    for (const expected of [
      'QUYẾT ĐỊNH',
      'Giải quyết khiếu nại đối với quyết định xử phạt vi phạm hành chính',
      `Số: ${doc.number}`,
      unit.superior,
      'Căn cứ Luật Khiếu nại ngày 11 tháng 11 năm 2011',
      `Xét đơn khiếu nại ngày ${vietnameseDateTime('2026-03-25T03:00:00.000Z')} của Ông/Bà ${owner.name}`,
      'Người giải quyết khiếu nại: Trưởng phòng Cảnh sát giao thông, mã cán bộ off-01-0001',
      `Người khiếu nại: Ông/Bà ${owner.name}`,
      `Địa chỉ: ${owner.address}`,
      `Nội dung khiếu nại: ${GROUNDS}`,
      `Quyết định xử phạt vi phạm hành chính số ${doc.decision.number} ký ${vietnameseDateTime(decision.signedAt)}`,
      `Biển số: ${decision.plate}`,
      `Hành vi vi phạm: ${doc.violation.description}`,
      `Quy định tại: ${legalBasisText(decision.legalBasis)}`,
      `Mức phạt đã quyết định: ${formatVnd(decision.fineVnd)} đồng (bằng chữ: ${vndInWords(decision.fineVnd)})`,
      `Kết quả xem xét: ${REASON}`,
      `Khiếu nại của Ông/Bà ${owner.name} là đúng. Hủy bỏ Quyết định xử phạt vi phạm hành chính số ${doc.decision.number}.`,
      'Số tiền phạt phải nộp sau khi giải quyết khiếu nại: 0 đồng (bằng chữ: Không đồng)',
      'có quyền khiếu nại lần hai hoặc khởi kiện vụ án hành chính',
      `Mã hồ sơ: ${doc.caseId}`,
      'Mã khiếu nại: apl-1',
      'NGƯỜI GIẢI QUYẾT KHIẾU NẠI',
      `khóa ${resolved.keyId}`,
    ])
      expect(text, `the resolution lacks "${expected}"`).to.include(expected);
    if (decision.points > 0) expect(text).to.include(`Trừ điểm giấy phép lái xe: ${decision.points} điểm`);
  });

  it('an upheld decision keeps the decided fine', async () => {
    const doc = documentOf(resolvedHistory('upheld'));
    const text = await textOf(await renderer.render(doc));
    expect(doc.fineAfterVnd).to.equal(doc.decision.fineVnd).and.to.be.greaterThan(0);
    expect(text).to.include(`là không có cơ sở. Giữ nguyên Quyết định xử phạt vi phạm hành chính số ${doc.decision.number}.`);
    expect(text).to.include(`Số tiền phạt phải nộp sau khi giải quyết khiếu nại: ${formatVnd(doc.decision.fineVnd)} đồng (bằng chữ: ${vndInWords(doc.decision.fineVnd)})`);
    expect(text).not.to.include('Hủy bỏ');
  });

  it('refuses a complainant other than the offender the decision names', () => {
    expect(() => documentOf(resolvedHistory('overturned'), { unit, complainant: { ...complainant, registryRef: 'someone-else' }, resolver })).to.throw(DocumentSourceMissingError);
  });

  it('the same events give the same bytes; another reason gives others', async () => {
    const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
    const a = await renderer.render(documentOf(resolvedHistory('overturned')));
    const b = await renderer.render(documentOf(structuredClone(resolvedHistory('overturned'))));
    expect(digest(a)).to.equal(digest(b));
    expect(digest(await renderer.render(documentOf(resolvedHistory('upheld'))))).not.to.equal(digest(a));
  });
});
