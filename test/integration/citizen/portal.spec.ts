/**
 * The citizen portal over HTTP on a real node (PostgreSQL, projections, ledger; the stand-in registry and
 * bank): the lookup's grant and portal fields, the privacy copy (custody recorded, never an original),
 * complaints with checked attachments and receipts, payments confirmed by the bank's signed callback, the
 * Idempotency-Key rules, and that nothing sent with one vehicle's grant reaches another vehicle's case.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../../../src/config.ts';
import { startNode, type RunningNode } from '../../../src/node/index.ts';
import { seedDemo, type DemoResult } from '../../../src/demo/index.ts';
import { citizenLookup } from '../../../src/projections/queries.ts';
import { portalRef } from '../../../src/domain/citizen/index.ts';
import { signCallback } from '../../../src/adapters/payments/hmac.ts';
import { loadSecretFile } from '../../../src/adapters/keys/secret-file.ts';
import { identifyOwner, issueNotice } from '../../../src/commands/cases.ts';
import { loadCaseState } from '../../../src/commands/citizen.ts';
import type { Offender } from '../../../src/domain/signoff/payloads.ts';
import { stat } from 'node:fs/promises';
import { scratchDatabase, waitFor } from '../../support/env.ts';
import { addPrivacyCopy, detectionOf, registerHolder } from '../../support/citizen-portal.ts';

const CERT_A = 'DK-A-000001';
const CERT_B = 'DK-B-000002';
const CERT_N = 'DK-N-000003';
const CERT_ORG = 'DK-O-000004';

describe('citizen portal over HTTP', function () {
  this.timeout(180_000);
  let node: RunningNode;
  let demo: DemoResult;
  const stops: (() => Promise<unknown>)[] = [];
  let plateA: string;
  let plateB: string;
  let caseA: string;
  let caseB: string;
  let grantA: string;
  let config: ReturnType<typeof loadConfig>;
  /** A noticed case awaiting the owner's answer (an individual owner), and one owned by an organisation. */
  let caseN: string;
  let plateN: string;
  let caseOrg: string;
  let plateOrg: string;

  const url = (path: string) => `${node.url}${path}`;
  const get = (path: string, grant?: string) => fetch(url(path), { headers: grant ? { 'x-citizen-grant': grant } : {} });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(path), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const lookup = async (plate: string, certificate: string) => {
    const res = await get(`/v1/public/violations?plate=${encodeURIComponent(plate)}&certificate=${certificate}`);
    expect(res.status).to.equal(200);
    return (await res.json()) as { grant: string | null; violations: Record<string, unknown>[] };
  };
  const citizenRecords = async (caseId: string) => (await node.store.readStream(`citizen-${caseId}`)).map((s) => s.record);

  before(async () => {
    const db = await scratchDatabase('citizen');
    stops.push(() => db.drop());
    const dataDir = await mkdtemp(join(tmpdir(), 'tec-citizen-'));
    stops.push(() => rm(dataDir, { recursive: true, force: true }));
    config = loadConfig({ DATABASE_URL: db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '0', HANDLING_UNIT_PHONES: '01=024 3942 4300;79=028 3920 0000' });
    node = await startNode({ config, roles: ['api', 'projector', 'sequencer'], print: () => undefined, checkpointIntervalMs: 100, standInBankAutoPayMs: null, publicRateLimitPerMinute: 10_000 });
    stops.push(() => node.stop());
    demo = await seedDemo(node, { cases: 12 });
    // Two decided cases of two different vehicles; A not paid yet (the demo pays its first decided case).
    const unpaid = demo.decidedCaseIds.filter((id) => !demo.paidCaseIds.includes(id));
    caseA = unpaid[0]!;
    plateA = await registerHolder(node, node.standInRegistry!, caseA, CERT_A, 'own-a');
    for (const id of demo.decidedCaseIds.filter((x) => x !== caseA)) {
      const p = await registerHolder(node, node.standInRegistry!, id, CERT_B, 'own-b');
      if (p !== plateA) {
        caseB = id;
        plateB = p;
        break;
      }
    }
    expect(caseB, 'a second vehicle with a decided case').to.be.a('string');
    await waitFor(async () => (await citizenLookup(node.readModels, plateA)).length > 0 && (await citizenLookup(node.readModels, plateB)).length > 0, { what: 'published violations', timeoutMs: 30_000 });
    await addPrivacyCopy(node, caseA);
    const answer = await lookup(plateA, CERT_A);
    grantA = answer.grant!;

    // Two confirmed cases (other vehicles) taken to a notice, as the owner lookup and notice workers would.
    const confirmed: string[] = [];
    for (const id of demo.caseIds) if ((await loadCaseState(node.store, id)).status === 'confirmed') confirmed.push(id);
    const takenPlates = new Set([plateA, plateB]);
    const notify = async (caseId: string, owner: Offender) => {
      const kase = await loadCaseState(node.store, caseId);
      const director = demo.officers.find((o) => o.province === (kase.status === 'none' ? '' : kase.province) && o.title === 'provincial-police-director')!;
      const caller = { actor: { kind: 'officer' as const, id: director.subject }, province: director.province };
      await identifyOwner(node.commandDeps, caller, { caseId, owner, registry: 'test-registry' });
      await issueNotice(node.commandDeps, caller, { caseId, noticeId: `ntc-${caseId.slice(0, 8)}`, channel: 'vnetraffic' });
    };
    for (const id of confirmed) {
      const { detection } = await detectionOf(node, id);
      if (takenPlates.has(detection.plateRead.text)) continue;
      takenPlates.add(detection.plateRead.text);
      if (!caseN) {
        caseN = id;
        plateN = await registerHolder(node, node.standInRegistry!, id, CERT_N, 'own-n');
        await notify(id, { kind: 'individual', ref: 'own-n' });
      } else {
        caseOrg = id;
        plateOrg = await registerHolder(node, node.standInRegistry!, id, CERT_ORG, 'org-o');
        await notify(id, { kind: 'organisation', ref: 'org-o' });
        break;
      }
    }
    expect(caseOrg, 'two confirmed cases of other vehicles').to.be.a('string');
  });

  after(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it('a matching lookup answers a grant and, per violation, the reference, decision, deadlines, amount due and unit phone', async () => {
    const answer = await lookup(plateA, CERT_A);
    expect(answer.grant).to.be.a('string');
    const v = answer.violations.find((x) => x.ref === portalRef(caseA))!;
    expect(v).to.include({ handlingUnitPhone: '024 3942 4300', privacyImage: true, canPay: true, canComplain: true });
    expect(v.decision).to.have.property('fineVnd').that.is.a('number');
    expect(v.amountDue).to.include({ surchargeVnd: 0 });
    expect((v.deadlines as { payBy: string }).payBy).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(JSON.stringify(answer)).to.not.contain(caseA);
    // A wrong certificate: no grant, no violations (as for a vehicle without any).
    expect(await lookup(plateA, 'DK-WRONG-1')).to.deep.equal({ grant: null, violations: [] });
  });

  it('serves the privacy copy (not the original) and records the access in custody with a citizen actor', async () => {
    const res = await get(`/v1/public/violations/${portalRef(caseA)}/privacy-image`, grantA);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/jpeg');
    const custody = (await node.store.readStream(`custody-${caseA}`)).map((s) => s.record);
    const view = custody.find((r) => (r.data as { access?: string }).access === 'view');
    expect(view?.meta.actor.kind).to.equal('citizen');
    expect((await get(`/v1/public/violations/${portalRef(caseA)}/privacy-image`)).status).to.equal(401);
  });

  it('nothing sent with one vehicle\'s grant reaches another vehicle\'s case', async () => {
    const refB = portalRef(caseB);
    expect((await get(`/v1/public/violations/${refB}`, grantA)).status).to.equal(404);
    expect((await get(`/v1/public/violations/${refB}/privacy-image`, grantA)).status).to.equal(404);
    const complaint = await post(`/v1/public/violations/${refB}/complaints`, { kind: 'complaint', grounds: 'Không phải xe của tôi, xin xem lại', attachments: [] }, { 'x-citizen-grant': grantA, 'idempotency-key': 'cross-vehicle-1' });
    expect(complaint.status).to.equal(404);
    const pay = await post(`/v1/public/violations/${refB}/payments`, {}, { 'x-citizen-grant': grantA, 'idempotency-key': 'cross-vehicle-2' });
    expect(pay.status).to.equal(404);
    // A grant altered to name plate B does not verify.
    const [payload, mac] = grantA.split('.');
    const forged = `${Buffer.from(JSON.stringify({ p: plateB.replace(/[^A-Z0-9]/gi, '').toUpperCase(), e: Date.now() + 60_000 })).toString('base64url')}.${mac}`;
    void payload;
    expect((await get(`/v1/public/violations/${refB}`, forged)).status).to.equal(401);
    expect(await citizenRecords(caseB).catch(() => [])).to.deep.equal([]);
  });

  it('files an appeal with a checked attachment and answers a receipt; the same key repeats it, another request under it is refused', async () => {
    const ref = portalRef(caseA);
    const jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366aa' } }).jpeg().toBuffer();
    const up = await fetch(url('/v1/public/attachments'), { method: 'PUT', headers: { 'content-type': 'image/jpeg', 'x-citizen-grant': grantA }, body: jpeg });
    expect(up.status).to.equal(201);
    const attachment = (await up.json()) as { digest: string; size: number; mediaType: string };
    // Not an image, however labelled: refused like evidence.
    const bad = await fetch(url('/v1/public/attachments'), { method: 'PUT', headers: { 'content-type': 'image/jpeg', 'x-citizen-grant': grantA }, body: 'not a jpeg at all' });
    expect(bad.status).to.equal(422);
    const text = await fetch(url('/v1/public/attachments'), { method: 'PUT', headers: { 'content-type': 'text/plain', 'x-citizen-grant': grantA }, body: 'hello' });
    expect(text.status).to.equal(400);

    const body = { kind: 'appeal', grounds: 'Tôi không điều khiển xe lúc đó; xin xem ảnh đính kèm.', attachments: [attachment] };
    const headers = { 'x-citizen-grant': grantA, 'idempotency-key': 'appeal-key-0001' };
    expect((await post(`/v1/public/violations/${ref}/complaints`, body, { 'x-citizen-grant': grantA })).status).to.equal(400);
    const first = await post(`/v1/public/violations/${ref}/complaints`, body, headers);
    expect(first.status).to.equal(201);
    const receipt = (await first.json()) as { reference: string; digest: string; recordId: string };
    expect(receipt.reference).to.equal(`KN-${ref}-01`);
    expect(receipt.digest).to.match(/^sha256:[0-9a-f]{64}$/);
    const again = await post(`/v1/public/violations/${ref}/complaints`, body, headers);
    expect(again.status).to.equal(200);
    expect(await again.json()).to.deep.equal(receipt);
    const other = await post(`/v1/public/violations/${ref}/complaints`, { ...body, grounds: 'Một yêu cầu khác dưới cùng khóa' }, headers);
    expect(other.status).to.equal(409);

    const records = await citizenRecords(caseA);
    const filed = records.filter((r) => r.type === 'ComplaintFiled');
    expect(filed).to.have.length(1);
    expect(filed[0]!.meta.actor.kind).to.equal('citizen');
    expect(filed[0]!.meta.actor.id).to.match(/^holder-[0-9a-f]{16}$/);
    expect((filed[0]!.data as { attachments: { digest: string }[] }).attachments[0]!.digest).to.equal(attachment.digest);
    // Against a decision: the case records the appeal too, linked by the complaint's reference, once.
    expect((receipt as unknown as { appealId: string }).appealId).to.equal(receipt.reference);
    const appeals = (await node.store.readStream(`case-${caseA}`)).map((s) => s.record).filter((r) => r.type === 'AppealFiled');
    expect(appeals).to.have.length(1);
    expect(appeals[0]!.data).to.include({ appealId: receipt.reference, grounds: body.grounds });
    expect(appeals[0]!.meta.actor).to.deep.equal(filed[0]!.meta.actor);
    // The province's officers list it, with the case's appeal that carries it; another province's do not.
    const province = appeals[0]!.meta.province;
    const officer = await node.issuer!.mint({ subject: `officer-${province}-reviewer`, role: 'officer', province });
    const listed = (await (await fetch(url(`/v1/citizen-complaints?province=${province}`), { headers: { authorization: `Bearer ${officer}` } })).json()) as { items: { reference: string; caseRef: string; appeal: { appealId: string; outcome: string | null } | null }[] };
    const item = listed.items.find((i) => i.reference === receipt.reference);
    expect(item).to.deep.include({ caseRef: ref, appeal: { appealId: receipt.reference, outcome: null } });
    const elsewhere = province === '01' ? '79' : '01';
    const stranger = await node.issuer!.mint({ subject: `officer-${elsewhere}-reviewer`, role: 'officer', province: elsewhere });
    expect((await fetch(url(`/v1/citizen-complaints?province=${province}`), { headers: { authorization: `Bearer ${stranger}` } })).status).to.equal(404);
    // The officers open the attachment itself (with a purpose): the bytes uploaded, and a custody record of the case.
    const attachmentUrl = url(`/v1/citizen-complaints/${caseA}/attachments/${encodeURIComponent(attachment.digest)}`);
    expect((await fetch(attachmentUrl, { headers: { authorization: `Bearer ${officer}` } })).status).to.equal(400);
    const opened = await fetch(attachmentUrl, { headers: { authorization: `Bearer ${officer}`, 'x-purpose': 'review of the appeal' } });
    expect(opened.status).to.equal(200);
    expect(opened.headers.get('content-type')).to.equal('image/jpeg');
    expect(Buffer.from(await opened.arrayBuffer()).equals(jpeg)).to.equal(true);
    const custody = (await node.store.readStream(`custody-${caseA}`)).map((s) => s.record).filter((r) => (r.data as { digest?: string }).digest === attachment.digest);
    expect(custody.map((r) => (r.data as { access: string; purpose: string }).purpose)).to.deep.equal(['review of the appeal']);
    expect((await fetch(attachmentUrl, { headers: { authorization: `Bearer ${stranger}`, 'x-purpose': 'curiosity' } })).status).to.equal(404);
    const notAttached = url(`/v1/citizen-complaints/${caseA}/attachments/sha256:${'0'.repeat(64)}`);
    expect((await fetch(notAttached, { headers: { authorization: `Bearer ${officer}`, 'x-purpose': 'review of the appeal' } })).status).to.equal(404);
  });

  it('pays: the amount due and its VietQR, confirmed by the bank\'s signed callback; a forged callback is refused', async () => {
    const ref = portalRef(caseA);
    const headers = { 'x-citizen-grant': grantA, 'idempotency-key': 'payment-key-0001' };
    const requested = await post(`/v1/public/violations/${ref}/payments`, {}, headers);
    expect(requested.status).to.equal(201);
    const view = (await requested.json()) as { payment: { paymentId: string; totalVnd: number; qrPayload: string }; amountDue: { totalVnd: number } };
    expect(view.payment.totalVnd).to.equal(view.amountDue.totalVnd);
    expect(view.payment.qrPayload).to.match(/^000201010212/);
    const repeat = (await (await post(`/v1/public/violations/${ref}/payments`, {}, headers)).json()) as typeof view;
    expect(repeat.payment.paymentId).to.equal(view.payment.paymentId);

    // A callback signed with another secret.
    const forgedBody = { caseId: caseA, paymentId: view.payment.paymentId, gatewayRef: 'forged-1', amountVnd: view.payment.totalVnd, paidAt: new Date().toISOString() };
    const forged = await post('/v1/public/payments/callback', forgedBody, { 'x-gateway-signature': signCallback(new Uint8Array(32), forgedBody, Date.now()) });
    expect(forged.status).to.equal(401);

    expect(await node.standInBank!.pay(view.payment.paymentId)).to.equal(200);
    const after = (await (await get(`/v1/public/violations/${ref}`, grantA)).json()) as { paid: { amountVnd: number } | null; canPay: boolean };
    expect(after.paid?.amountVnd).to.equal(view.payment.totalVnd);
    expect(after.canPay).to.equal(false);
    // Recorded once, on the CASE, by the payment gateway; the citizen stream keeps only the request.
    const caseRecords = async () => (await node.store.readStream(`case-${caseA}`)).map((s) => s.record);
    const recorded = (await caseRecords()).filter((r) => r.type === 'PaymentRecorded');
    expect(recorded).to.have.length(1);
    expect(recorded[0]!.meta.actor).to.deep.equal({ kind: 'service', id: 'payment-gateway' });
    expect(recorded[0]!.data).to.include({ paymentRef: view.payment.paymentId, amountVnd: view.payment.totalVnd, channel: 'vietqr' });
    expect((await citizenRecords(caseA)).map((r) => r.type)).to.not.include('PaymentRecorded');
    // The bank replays its confirmation: answered, nothing recorded twice.
    expect(await node.standInBank!.pay(view.payment.paymentId)).to.equal(200);
    expect((await caseRecords()).filter((r) => r.type === 'PaymentRecorded')).to.have.length(1);
    // Paid: a new request is refused.
    expect((await post(`/v1/public/violations/${ref}/payments`, {}, { ...headers, 'idempotency-key': 'payment-key-0002' })).status).to.equal(409);
  });

  it('a violation seen on the road: reported with photos, flagged citizen, in the province\'s queue until an officer reviews it', async () => {
    const jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: '#aa3333' } }).jpeg().toBuffer();
    // An upload needs a grant or a report session: without either (or with a forged session) nothing is stored.
    const bare = await fetch(url('/v1/public/attachments'), { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: jpeg });
    expect(bare.status).to.equal(401);
    const forgedSession = await fetch(url('/v1/public/attachments'), { method: 'PUT', headers: { 'content-type': 'image/jpeg', 'x-report-session': `${Buffer.from('{"s":"x","e":99999999999999}').toString('base64url')}.${'A'.repeat(43)}` }, body: jpeg });
    expect(forgedSession.status).to.equal(401);
    const { sha256Hex } = await import('../../../src/domain/integrity/hash.ts');
    expect(await node.evidence.stat(`sha256:${sha256Hex(jpeg)}`)).to.equal(undefined);
    const sessionRes = await post('/v1/public/report-sessions', {});
    expect(sessionRes.status).to.equal(201);
    const { session } = (await sessionRes.json()) as { session: string };
    // A grant is not a session (nor the reverse): the MACs are domain-separated.
    expect((await get(`/v1/public/violations/${portalRef(caseA)}`, session)).status).to.equal(401);
    const up = await fetch(url('/v1/public/attachments'), { method: 'PUT', headers: { 'content-type': 'image/jpeg', 'x-report-session': session }, body: jpeg });
    expect(up.status).to.be.oneOf([200, 201]);
    const photo = (await up.json()) as { digest: string; size: number; mediaType: string };
    const body = { province: '01', observedAt: new Date(Date.now() - 3600_000).toISOString(), place: 'Cầu Giấy, Hà Nội', plate: '30A-999.99', description: 'Xe máy đi ngược chiều trên cầu vượt', photos: [photo] };
    const first = await post('/v1/public/reports', body, { 'idempotency-key': 'report-key-000001' });
    expect(first.status).to.equal(201);
    const reported = (await first.json()) as { reportId: string; reference: string; status: string; source: string };
    expect(reported).to.include({ status: 'awaiting-review', source: 'citizen' });
    expect(reported.reference).to.match(/^PA-01-[0-9A-F]{8}$/);
    const again = await post('/v1/public/reports', body, { 'idempotency-key': 'report-key-000001' });
    expect(again.status).to.equal(200);
    expect(((await again.json()) as { reportId: string }).reportId).to.equal(reported.reportId);

    const officer = await node.issuer!.mint({ subject: 'officer-01-reviewer', role: 'officer', province: '01' });
    const other = await node.issuer!.mint({ subject: 'officer-79-reviewer', role: 'officer', province: '79' });
    const list = await fetch(url('/v1/citizen-reports?province=01'), { headers: { authorization: `Bearer ${officer}` } });
    const items = ((await list.json()) as { items: { reportId: string; source: string }[] }).items;
    expect(items.find((i) => i.reportId === reported.reportId)?.source).to.equal('citizen');
    expect((await fetch(url('/v1/citizen-reports?province=01'), { headers: { authorization: `Bearer ${other}` } })).status).to.equal(404);
    // A report is not a case: it is nowhere in the case lists.
    const cases = await fetch(url('/v1/cases?limit=200'), { headers: { authorization: `Bearer ${officer}` } });
    expect(JSON.stringify(await cases.json())).to.not.contain(reported.reportId);

    // Each photo view is a custody record (stream custody-<reportId>), with the officer and the stated purpose.
    const photoUrl = url(`/v1/citizen-reports/01/${reported.reportId}/photos/${photo.digest}`);
    expect((await fetch(photoUrl, { headers: { authorization: `Bearer ${officer}` } })).status).to.equal(400);
    const viewed = await fetch(photoUrl, { headers: { authorization: `Bearer ${officer}`, 'x-purpose': 'verify the citizen report' } });
    expect(viewed.status).to.equal(200);
    expect(Buffer.from(await viewed.arrayBuffer()).equals(jpeg)).to.equal(true);
    const custody = (await node.store.readStream(`custody-${reported.reportId}`)).map((r) => r.record);
    expect(custody.map((r) => [r.type, r.meta.actor.kind, (r.data as { digest: string }).digest, (r.data as { access: string }).access])).to.deep.equal([
      ['EvidenceAccessed', 'officer', photo.digest, 'view'],
    ]);

    const reviewed = await post(`/v1/citizen-reports/01/${reported.reportId}/review`, { outcome: 'accepted', reason: 'Ảnh rõ, chuyển tổ xác minh' }, { authorization: `Bearer ${officer}` });
    expect(reviewed.status).to.equal(200);
    const followed = (await (await get(`/v1/public/reports/01/${reported.reportId}`)).json()) as { status: string };
    expect(followed.status).to.equal('accepted');
    const records = (await node.store.readStream('report-01')).map((r) => r.record);
    expect(records.map((r) => [r.type, r.meta.actor.kind])).to.deep.equal([
      ['ViolationReported', 'citizen'],
      ['ReportReviewed', 'officer'],
    ]);
  });
  it('answers a notice online: the driver and an explanation on the case with the citizen actor, and a receipt with the records\' digests', async () => {
    const grant = (await lookup(plateN, CERT_N)).grant!;
    const ref = portalRef(caseN);
    const before = (await (await get(`/v1/public/violations/${ref}`, grant)).json()) as { response: { canRespond: boolean; driverRequired: boolean; explained: boolean } };
    expect(before.response).to.include({ canRespond: true, driverRequired: false, explained: false });
    const body = { statement: 'Hôm đó em trai tôi mượn xe để đi làm.', driver: { registryRef: 'cccd-ref-0002', licenceRef: 'gplx-0002' } };
    const headers = { 'x-citizen-grant': grant, 'idempotency-key': 'answer-key-00001' };
    expect((await post(`/v1/public/violations/${ref}/responses`, body, { 'x-citizen-grant': grant })).status).to.equal(400);
    expect((await post(`/v1/public/violations/${ref}/responses`, {}, headers)).status).to.equal(400);
    const first = await post(`/v1/public/violations/${ref}/responses`, body, headers);
    expect(first.status).to.equal(201);
    const receipt = (await first.json()) as { reference: string; records: { type: string; recordId: string; digest: string }[]; digest: string };
    expect(receipt.reference).to.match(new RegExp(`^PH-${ref}-[0-9A-F]{8}$`));
    expect(receipt.records.map((r) => r.type)).to.deep.equal(['DriverIdentified', 'ExplanationSubmitted']);
    const stored = await node.store.readStream(`case-${caseN}`);
    for (const r of receipt.records) {
      const s = stored.find((x) => x.record.id === r.recordId)!;
      expect(`sha256:${s.hash}`).to.equal(r.digest);
      expect(s.record.meta.actor.kind).to.equal('citizen');
    }
    const explained = stored.find((x) => x.record.type === 'ExplanationSubmitted')!.record.data;
    expect(explained).to.include({ channel: 'online', statement: body.statement });
    const named = stored.find((x) => x.record.type === 'DriverIdentified')!.record.data;
    expect(named).to.deep.include({ driver: { kind: 'individual', ref: 'cccd-ref-0002' }, licenceRef: 'gplx-0002' });
    // A retry answers the same receipt and records nothing; another statement under the key is refused.
    const again = await post(`/v1/public/violations/${ref}/responses`, body, headers);
    expect(again.status).to.equal(200);
    expect(await again.json()).to.deep.equal(receipt);
    expect((await post(`/v1/public/violations/${ref}/responses`, { ...body, statement: 'Một nội dung khác hẳn' }, headers)).status).to.equal(409);
    // So is the same statement with the driver dropped, or with another driver: the key names the whole answer.
    expect((await post(`/v1/public/violations/${ref}/responses`, { statement: body.statement }, headers)).status).to.equal(409);
    expect((await post(`/v1/public/violations/${ref}/responses`, { ...body, driver: { registryRef: 'cccd-ref-0004', licenceRef: 'gplx-0004' } }, headers)).status).to.equal(409);
    // Another driver cannot replace the one named.
    expect((await post(`/v1/public/violations/${ref}/responses`, { driver: { registryRef: 'cccd-ref-0003', licenceRef: 'gplx-0003' } }, { ...headers, 'idempotency-key': 'answer-key-00002' })).status).to.equal(409);
    expect((await node.store.readStream(`case-${caseN}`)).length).to.equal(stored.length);
    const after = (await (await get(`/v1/public/violations/${ref}`, grant)).json()) as { response: { explained: boolean; driverNamed: boolean } };
    expect(after.response).to.include({ explained: true, driverNamed: true });
  });

  it('an organisation names its driver before it explains; another vehicle\'s grant reaches nothing; a decided case takes no answer', async () => {
    const grant = (await lookup(plateOrg, CERT_ORG)).grant!;
    const ref = portalRef(caseOrg);
    const v = (await (await get(`/v1/public/violations/${ref}`, grant)).json()) as { response: { driverRequired: boolean } };
    expect(v.response.driverRequired).to.equal(true);
    const only = await post(`/v1/public/violations/${ref}/responses`, { statement: 'Xe của công ty, lái xe là nhân viên.' }, { 'x-citizen-grant': grant, 'idempotency-key': 'org-answer-0001' });
    expect(only.status).to.equal(422);
    expect(((await only.json()) as { type: string }).type).to.match(/organisation-must-name-driver$/);
    // The grant of vehicle A answers nothing about this case.
    expect((await post(`/v1/public/violations/${ref}/responses`, { driver: { registryRef: 'x-1', licenceRef: 'y-1' } }, { 'x-citizen-grant': grantA, 'idempotency-key': 'cross-answer-01' })).status).to.equal(404);
    const both = await post(`/v1/public/violations/${ref}/responses`, { statement: 'Xe của công ty, lái xe là nhân viên.', driver: { registryRef: 'cccd-ref-0009', licenceRef: 'gplx-0009' } }, { 'x-citizen-grant': grant, 'idempotency-key': 'org-answer-0002' });
    expect(both.status).to.equal(201);
    // A decided case (A): the record is drawn, the notice is answered for good.
    expect((await post(`/v1/public/violations/${portalRef(caseA)}/responses`, { statement: 'Trả lời muộn sau quyết định' }, { 'x-citizen-grant': grantA, 'idempotency-key': 'late-answer-001' })).status).to.equal(409);
  });

  it('a second API process over the same database and data directory accepts the first one\'s grants and the bank\'s signature', async () => {
    const second = await startNode({ config, roles: ['api'], print: () => undefined, standInBankAutoPayMs: null, publicRateLimitPerMinute: 10_000 });
    try {
      const res = await fetch(`${second.url}/v1/public/violations/${portalRef(caseA)}`, { headers: { 'x-citizen-grant': grantA } });
      expect(res.status).to.equal(200);
      expect(((await res.json()) as { ref: string }).ref).to.equal(portalRef(caseA));
      // The secrets are node files (0600), not per process.
      for (const file of [config.citizenGrantKeyFile, config.paymentGatewaySecretFile]) expect((await stat(file)).mode & 0o077).to.equal(0);
      const secret = await loadSecretFile(config.paymentGatewaySecretFile);
      const body = { caseId: caseA, paymentId: 'never-requested-1', gatewayRef: 'bank-x-1', amountVnd: 1, paidAt: new Date().toISOString() };
      // Verified (so refused for what it says, 422), not refused for its signature (401).
      const cb = await fetch(`${second.url}/v1/public/payments/callback`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gateway-signature': signCallback(secret, body, Date.now()) }, body: JSON.stringify(body) });
      expect(cb.status).to.equal(422);
    } finally {
      await second.stop();
    }
  });
});
