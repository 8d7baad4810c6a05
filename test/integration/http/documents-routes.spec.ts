/**
 * The case documents over HTTP (docs/documents.md): an officer opens the notice and the violation record as
 * PDFs; the first opening records `DocumentIssued` with the PDF's digest (once: the same bytes again record
 * nothing), each opening is a custody `view`; a document whose source event is missing is a 422 problem; an
 * officer of another province gets 404; and the court bundle carries the issued documents, which the shipped
 * verifier ties to their records.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { PDFParse } from 'pdf-parse';
import { carViolation } from '../../unit/domain/case-fixtures.ts';
import { PdfDocumentRenderer } from '../../../src/adapters/documents/pdf.ts';
import { readBundleZip, verifyBundle } from '../../../src/domain/bundle/index.ts';
import type { CaseDocument } from '../../../src/domain/documents/types.ts';
import { buildAppealSignoff, buildDecisionSignoff, buildRecordSignoff, buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, SAIGON, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';

async function textOf(bytes: Uint8Array): Promise<string> {
  const parser = new PDFParse({ data: new Uint8Array(bytes) });
  try {
    return (await parser.getText()).text.replace(/\s+/g, ' ');
  } finally {
    await parser.destroy();
  }
}

describe('HTTP: case documents (notice, record) and the bundle that carries them', function () {
  this.timeout(300_000);
  let node: ApiNode;
  let world: HttpWorld;
  const entry = carViolation();

  before(async () => {
    node = await startApiNode('http_documents');
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  it('opens the record and the notice, records each once, and exports them in a bundle that verifies', async () => {
    const owner = [...node.registry.vehicles.values()][0]!.owner;
    const officer = world.officers[HANOI]!;
    const camera = world.cameras[HANOI]!;
    const created = await ingest(node, camera, await signedDetection(camera));
    expectStatus(created, 201, 'ingest');
    const caseId = created.json.caseId as string;
    const post = (path: string, body: unknown, extra: { purpose?: string; token?: string } = {}) =>
      call(node, 'POST', `/v1/cases/${caseId}${path}`, { token: extra.token ?? officer.token, body, ...(extra.purpose ? { purpose: extra.purpose } : {}) });
    const basis = async () => {
      const doc = await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'documents test' });
      expectStatus(doc, 200, 'case');
      const b = doc.json.signoffBasis as { caseRevision: number; evidence: string[]; plate: string };
      return { caseId, caseRevision: b.caseRevision, violationCode: entry.code, plate: b.plate, evidence: b.evidence, signedAt: new Date().toISOString() };
    };
    expectStatus(await post('/review', signSignoff(buildReviewSignoff({ ...(await basis()), decision: 'confirm' }), officer.key.secretKey)), 200, 'review');
    expectStatus(await post('/owner', { owner: { kind: owner.kind, ref: owner.ref }, registry: 'reg' }), 200, 'owner');
    expectStatus(await post('/notices', { noticeId: 'ntc-doc-1', channel: 'post' }), 200, 'notice');
    const offender = { kind: owner.kind, ref: owner.ref };
    const record = signSignoff(buildRecordSignoff({ ...(await basis()), recordId: 'bb-doc-1', offender }), officer.key.secretKey);
    expectStatus(await post('/record', record), 200, 'record');

    // No decision yet: a 422 problem, nothing recorded.
    const early = await post('/documents/decision', {}, { purpose: 'print the decision' });
    expect(early.status).to.equal(422);
    expect(early.json.type).to.match(/document-source-missing$/);

    const opened = await post('/documents/record', {}, { purpose: 'print the record' });
    expectStatus(opened, 200, 'record document');
    expect(opened.headers.get('content-type')).to.match(/^application\/pdf/);
    const digest = `sha256:${createHash('sha256').update(opened.bytes).digest('hex')}`;
    expect(opened.headers.get('x-document-digest')).to.equal(digest);

    const again = await post('/documents/record', {}, { purpose: 'print the record again' });
    expectStatus(again, 200, 'record again');
    expect(Buffer.from(again.bytes).equals(Buffer.from(opened.bytes))).to.equal(true);
    expectStatus(await post('/documents/notice', { noticeId: 'ntc-doc-1' }, { purpose: 'print the notice' }), 200, 'notice document');
    expect((await post('/documents/notice', { noticeId: 'ntc-nope' }, { purpose: 'print a notice' })).status).to.equal(422);

    // The penalty decided, complained against and annulled: the resolution opens as its own document.
    const decision = buildDecisionSignoff({ ...(await basis()), fineVnd: entry.fineMinVnd, points: entry.points, legalBasis: { ...entry.legalBasis }, offender });
    expectStatus(await post('/decision', signSignoff(decision, officer.key.secretKey)), 200, 'decision');
    expectStatus(await post('/appeals', { appealId: 'apl-doc-1', grounds: 'Biển số bị làm giả' }), 200, 'appeal');
    expect((await post('/documents/appeal', { appealId: 'apl-doc-1' }, { purpose: 'print the resolution' })).status, 'open appeal').to.equal(422);
    const appealSignoff = buildAppealSignoff({ ...(await basis()), appealId: 'apl-doc-1', outcome: 'overturned', reason: 'Biển số giả, xe thật ở nơi khác', fineVnd: 0 });
    expectStatus(await post('/appeals/apl-doc-1/resolution', signSignoff(appealSignoff, officer.key.secretKey)), 200, 'resolution');
    expect((await post('/documents/appeal', {}, { purpose: 'print the resolution' })).status, 'no appeal id').to.equal(422);
    expect((await post('/documents/decision', { appealId: 'apl-doc-1' }, { purpose: 'print the decision' })).status, 'appeal id on a decision').to.equal(400);
    const resolution = await post('/documents/appeal', { appealId: 'apl-doc-1' }, { purpose: 'print the resolution' });
    expectStatus(resolution, 200, 'resolution document');
    expect(resolution.headers.get('x-document-template')).to.equal('appeal-resolution/v1');
    expect(resolution.headers.get('content-disposition')).to.include('appeal-apl-doc-1.pdf');

    const caseRecords = (await node.store.readStream(streams.case(caseId))).map((r) => r.record);
    const issued = caseRecords.filter((r) => r.type === 'DocumentIssued').map((r) => r.data as { kind: string; digest: string });
    expect(issued.map((d) => d.kind)).to.deep.equal(['record', 'notice', 'appeal']);
    expect(issued[2]).to.include({ appealId: 'apl-doc-1', digest: `sha256:${createHash('sha256').update(resolution.bytes).digest('hex')}` });
    expect(issued[0]!.digest).to.equal(digest);
    const custody = (await node.store.readStream(streams.custody(caseId))).map((r) => r.record.data as { access: string; purpose: string });
    expect(custody.filter((c) => c.purpose.startsWith('print the record')).map((c) => c.access)).to.deep.equal(['view', 'view']);

    // Another province's officer: the case does not exist for them.
    const saigon = world.officers[SAIGON]!;
    expect((await post('/documents/record', {}, { purpose: 'look', token: saigon.token })).status).to.equal(404);

    const court = await node.token('court', HANOI, 'toa-an-01');
    let bundle: Awaited<ReturnType<typeof call>> | undefined;
    await waitFor(
      async () => {
        bundle = await call(node, 'GET', `/v1/cases/${caseId}/bundle`, { token: court, purpose: 'court case file' });
        return bundle.status === 200;
      },
      { timeoutMs: 120_000, intervalMs: 1000, what: 'the bundle once sealed' },
    );
    const entries = await readBundleZip(bundle!.bytes);
    expect(Buffer.from(entries.get('documents/record-1.pdf')!).equals(Buffer.from(opened.bytes))).to.equal(true);
    expect(entries.has('documents/notice-1.pdf')).to.equal(true);
    const report = verifyBundle(entries);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.code)).to.deep.equal([]);
    expect(report.checks.find((c) => c.code === 'DOCUMENTS')?.status).to.equal('pass');
    expect(report.documents.map((d) => d.entry).sort()).to.deep.equal(['documents/appeal-1.pdf', 'documents/notice-1.pdf', 'documents/record-1.pdf']);
    expect(Buffer.from(entries.get('documents/appeal-1.pdf')!).equals(Buffer.from(resolution.bytes))).to.equal(true);
    // The exporter could render each again from the events: the inputs are carried, and DOCUMENTS matched them.
    expect(report.documents.map((d) => d.input).sort()).to.deep.equal(['documents/appeal-1.json', 'documents/notice-1.json', 'documents/record-1.json']);
    const appealInput = JSON.parse(new TextDecoder().decode(entries.get('documents/appeal-1.json'))) as CaseDocument;
    expect(Buffer.from(await new PdfDocumentRenderer().render(appealInput)).equals(Buffer.from(resolution.bytes))).to.equal(true);
    const rerendered = await new PdfDocumentRenderer().render(JSON.parse(new TextDecoder().decode(entries.get('documents/record-1.json'))) as CaseDocument);
    expect(Buffer.from(rerendered).equals(Buffer.from(opened.bytes))).to.equal(true);

    // Read back last (slow under load; an idle keep-alive connection would be closed under a pending POST).
    const text = await textOf(opened.bytes);
    for (const expected of ['BIÊN BẢN VI PHẠM HÀNH CHÍNH', owner.name, owner.address, 'CÔNG AN THÀNH PHỐ HÀ NỘI', caseId, 'Ý kiến trình bày của người vi phạm: Không có'])
      expect(text, expected).to.include(expected);
    const resolutionText = await textOf(resolution.bytes);
    for (const expected of ['QUYẾT ĐỊNH', 'Giải quyết khiếu nại', owner.name, 'Nội dung khiếu nại: Biển số bị làm giả', 'Kết quả xem xét: Biển số giả, xe thật ở nơi khác', 'Hủy bỏ Quyết định xử phạt', 'Mã khiếu nại: apl-doc-1'])
      expect(resolutionText, expected).to.include(expected);
  });
});
