/**
 * A case handed over between provinces across nodes, as citizens and the national views see it (docs/federation.md,
 * "Handed-over cases" and "The citizen on the national node"), with three real nodes in one process: 01's officer
 * transfers a case to 79; the witness cosigns both logs, the national mirror follows both, 79 receives the case,
 * and the national node projects both mirrored logs.
 * - 01's citizen lookup shows the case `transferred` to 79 (not `resolved`);
 * - the national lookup shows it once (where it goes on, with 79's portal), the officers' plate lookup as one
 *   case with a part per province, and the national statistics count it once;
 * - on the national node, portal actions are refused naming 79's node, a data-subject access request is answered
 *   from the mirror (both provinces' custody logs), and a correction or erasure is refused naming 79's node.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { GRANT_HEADER } from '../../../src/adapters/http/citizen-grant.ts';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import { readModelQueries } from '../../../src/adapters/http/routes/read-models.ts';
import { HANDOVER_SUBJECT, HandoverReceiver } from '../../../src/adapters/witness/handover-receiver.ts';
import { MirrorFollower } from '../../../src/adapters/witness/mirror.ts';
import { NationalProjector } from '../../../src/adapters/witness/national-projections.ts';
import { NationalViews, type NationalPlateCase } from '../../../src/adapters/witness/national-views.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { Witness } from '../../../src/adapters/witness/witness.ts';
import { LogPublisher } from '../../../src/adapters/ledger/log.ts';
import { createBundleExporter } from '../../../src/bundle-export/index.ts';
import { loadProvincialLogRegistry } from '../../../src/commands/federation.ts';
import { systemClock, uuidV7Ids } from '../../../src/commands/deps.ts';
import { plateKey } from '../../../src/domain/case/plate-key.ts';
import { sha256 } from '../../../src/domain/integrity/index.ts';
import { portalRef } from '../../../src/domain/citizen/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { buildReviewSignoff, buildTransferSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { detectingUnitOf } from '../../../src/projections/cases/citizen-view.ts';
import { expectDeclaredResponse } from '../../support/declared-response.ts';
import { waitFor } from '../../support/env.ts';
import { carViolation } from '../../unit/domain/case-fixtures.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';
import { HANOI, SAIGON, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from '../http/support/world.ts';

const ORIGIN = { [HANOI]: 'vn-traffic/province-01', [SAIGON]: 'vn-traffic/province-79' } as Record<string, string>;
const PLATE = '30A-555.66';
const CERTIFICATE = 'DK-HO-000777';
const owner = { ref: 'own-hc-1', kind: 'individual' as const, name: 'Trần Thị B', address: 'TP. Hồ Chí Minh' };
const PROBLEM = 'https://tec.csgt.vn/problems/';

describe('a case handed over across nodes, as citizens and the national views see it', function () {
  this.timeout(300_000);
  const issuerSeed = new Uint8Array(randomBytes(32));
  let national: ApiNode;
  let nationalPool: pg.Pool;
  let witness: Witness;
  let mirror: MirrorFollower;
  let projector: NationalProjector;
  let receiver: HandoverReceiver;
  const provinces = new Map<string, { node: ApiNode; pool: pg.Pool; world: HttpWorld; submitter: CheckpointSubmitter }>();
  let caseId: string;
  const entry = carViolation();

  /** Seals each province's log, has the witness cosign it and the national mirror follow it, then projects. */
  async function witnessAndMirror(): Promise<void> {
    for (const [province, p] of provinces) {
      const { rows } = await p.pool.query<{ n: string }>('SELECT count(*) AS n FROM event_records');
      await waitFor(async () => ((await p.node.ledger.latestCheckpoint())?.treeSize ?? 0) >= Number(rows[0]!.n), { what: `${province} sealed`, timeoutMs: 60_000 });
      expect((await p.submitter.submitOnce()).outcome).to.be.oneOf(['cosigned', 'already-cosigned']);
    }
    await waitFor(
      async () => {
        await mirror.syncOnce();
        const status = await mirror.status();
        return status.length === 2 && status.every((s) => s.size > 0 && s.size === s.checkpointSize);
      },
      { what: 'both mirrored', timeoutMs: 60_000 },
    );
    await projector.runOnce();
  }

  before(async () => {
    national = await startApiNode('hc_national', { sequencer: false, issuerSeed });
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 6 });
    witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('national witness seed (handover citizen spec)'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    national.services.nationalViews = new NationalViews(nationalPool);
    projector = new NationalProjector({ dataSource: national.dataSource, db: nationalPool });
    national.services.nationalReadModels = projector;
    const admin = await national.token('admin', '00', 'adm-00-1');
    for (const province of [HANOI, SAIGON]) {
      const node = await startApiNode(`hc_${province}`, { checkpointIntervalMs: 50, origin: ORIGIN[province]!, servedProvinces: [province], issuerSeed, projections: true });
      const pool = new pg.Pool({ connectionString: node.db.url, max: 3 });
      const submitter = new CheckpointSubmitter({ db: pool, ledger: node.ledger, witnessUrl: `${national.url}/witness`, witnessKey: witness.verifierKey(), clock: systemClock });
      provinces.set(province, { node, pool, world: await buildHttpWorld(node), submitter });
      const res = await call(national, 'POST', '/v1/admin/provincial-logs', {
        token: admin,
        body: { province, origin: ORIGIN[province], verifierKey: node.ledger.verifierKey(), baseUrl: node.url },
      });
      expectStatus(res, 201, 'register');
    }
    const hanoi = provinces.get(HANOI)!;
    const saigon = provinces.get(SAIGON)!;
    for (const node of [national, hanoi.node, saigon.node]) node.registry.add({ plate: plateKey(PLATE), registrationNumber: CERTIFICATE, vehicleClass: 'car', owner });
    hanoi.node.services.bundles = createBundleExporter({
      store: hanoi.node.store,
      evidence: hanoi.node.evidence,
      ledger: hanoi.node.ledger,
      commandDeps: { store: hanoi.node.store, clock: systemClock, ids: uuidV7Ids },
      witnessVerifierKeys: [witness.verifierKey()],
      cosignedCheckpoint: (min) => new LogPublisher(hanoi.pool).newestCosignedCheckpoint(min),
    });
    mirror = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => national.token('auditor', '00', MIRROR_SUBJECT),
    });
    receiver = new HandoverReceiver({
      nationalUrl: national.url,
      provinces: [SAIGON],
      token: (province) => saigon.node.token('auditor', province, HANDOVER_SUBJECT),
      deps: saigon.node.services.commandDeps,
      evidence: saigon.node.evidence,
      trustedWitnesses: [witness.verifierKey()],
    });

    // 01: detected, reviewed, owner known, transferred to 79 (which 01's node does not serve).
    const camera = hanoi.world.cameras[HANOI]!;
    const created = await ingest(hanoi.node, camera, await signedDetection(camera, { plate: PLATE }));
    expectStatus(created, 201, 'ingest');
    caseId = created.json.caseId as string;
    const officer = hanoi.world.officers[HANOI]!;
    const basis = async () => {
      const doc = await call(hanoi.node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'handover citizen test' });
      expectStatus(doc, 200, 'case');
      const b = doc.json.signoffBasis as { caseRevision: number; evidence: string[]; plate: string };
      return { caseId, caseRevision: b.caseRevision, violationCode: entry.code, plate: b.plate, evidence: b.evidence, signedAt: new Date().toISOString() };
    };
    const post = (path: string, body: unknown) => call(hanoi.node, 'POST', `/v1/cases/${caseId}${path}`, { token: officer.token, body });
    expectStatus(await post('/review', signSignoff(buildReviewSignoff({ ...(await basis()), decision: 'confirm' }), officer.key.secretKey)), 200, 'review');
    expectStatus(await post('/owner', { owner: { kind: 'individual', ref: owner.ref }, registry: 'reg' }), 200, 'owner');
    const transfer = buildTransferSignoff({ ...(await basis()), toProvince: SAIGON, reason: 'The owner resides in TP. Hồ Chí Minh' });
    expectStatus(await post('/transfer', signSignoff(transfer, officer.key.secretKey)), 200, 'transfer');

    // Cosigned and mirrored; 79 receives it; then both logs (79's reception, 01's export custody) mirrored again.
    await witnessAndMirror();
    expect(await receiver.round()).to.deep.equal({ received: 1, failed: 0 });
    await waitFor(async () => (await saigon.node.projectionRunner!.status()).every((s) => s.lagEvents === 0), { what: '79 projected', timeoutMs: 60_000 });
    await waitFor(async () => (await hanoi.node.projectionRunner!.status()).every((s) => s.lagEvents === 0), { what: '01 projected', timeoutMs: 60_000 });
    await witnessAndMirror();
  });
  after(async () => {
    await receiver?.stop();
    await mirror?.stop();
    for (const p of provinces.values()) {
      await p.submitter.stop();
      await p.pool.end();
      await p.node.close();
    }
    await nationalPool?.end();
    await national?.close();
  });

  const lookupPath = `/v1/public/violations?plate=${encodeURIComponent(PLATE)}&certificate=${CERTIFICATE}`;
  type Violation = Record<string, unknown> & { ref: string; status: string };

  it("the sending node's citizen lookup shows the case transferred to 79, not resolved", async () => {
    const reply = await call(provinces.get(HANOI)!.node, 'GET', lookupPath);
    expectStatus(reply, 200, '01 lookup');
    const violations = reply.json.violations as Violation[];
    expect(violations.map((v) => v.ref)).to.deep.equal([portalRef(caseId)]);
    expect(violations[0]).to.deep.include({
      status: 'transferred',
      transferredTo: { province: SAIGON, unit: detectingUnitOf(SAIGON) },
      detectingUnit: detectingUnitOf(HANOI),
      canPay: false,
      canComplain: false,
    });
    // On the receiving node it goes on, unresolved.
    const there = await call(provinces.get(SAIGON)!.node, 'GET', lookupPath);
    expect((there.json.violations as Violation[]).map((v) => [v.ref, v.status, v.transferredTo])).to.deep.equal([[portalRef(caseId), 'unresolved', null]]);
  });

  it('the national lookup shows the case once, where it goes on, with the portal of the node that holds it', async () => {
    // Both logs hold a row of it (the union view would join each with the other's case row).
    const rows = await projector.read((m) => readModelQueries(m, systemClock).citizenViolations(plateKey(PLATE)));
    expect(rows.filter((r) => r.caseId === caseId).length).to.be.greaterThan(1);
    const reply = await call(national, 'GET', lookupPath);
    expectStatus(reply, 200, 'national lookup');
    const violations = reply.json.violations as Violation[];
    expect(violations).to.have.length(1);
    expect(violations[0]).to.deep.include({
      ref: portalRef(caseId),
      status: 'unresolved',
      transferredTo: null,
      detectingUnit: detectingUnitOf(HANOI),
      followAt: `${provinces.get(SAIGON)!.node.url}/#/citizen`,
      canPay: false,
    });
    expect(reply.json.grant).to.be.a('string');
    // The disclosure is recorded on the national node, filed under the province that handles the case.
    const custody = await national.store.readStream(streams.custody(caseId));
    expect(custody.at(-1)!.record.meta.province).to.equal(SAIGON);
  });

  it("the national plate lookup gives one case with its records in both provinces, and the statistics count it once", async () => {
    const officer = await national.token('officer', '00', 'off-00-1');
    const reply = await call(national, 'GET', `/v1/national/plates/${encodeURIComponent(PLATE)}/cases`, { token: officer, purpose: 'cross-province enquiry' });
    expectStatus(reply, 200, 'plate lookup');
    expectDeclaredResponse('GET', '/v1/national/plates/:plate/cases', reply.json);
    const cases = reply.json.cases as NationalPlateCase[];
    expect(cases.map((c) => c.caseId)).to.deep.equal([caseId]);
    const [c] = cases;
    expect(c!.parts.map((p) => [p.province, p.lastEvent])).to.deep.equal([[HANOI, 'CaseClosed'], [SAIGON, 'EvidenceAttached']]);
    expect(c).to.include({ province: SAIGON, origin: ORIGIN[SAIGON], violationCode: entry.code });
    const types = (province: string) => c!.records.filter((r) => r.province === province).map((r) => r.type);
    expect(types(HANOI)).to.include.members(['ViolationDetected', 'ReviewConfirmed', 'CaseTransferred', 'CaseClosed']);
    expect(types(SAIGON)).to.deep.equal(['CaseReceived', 'EvidenceAttached']);
    // The 01 records come first, each with its own log's leaf index.
    expect(c!.records[0]).to.include({ origin: ORIGIN[HANOI], type: 'ViolationDetected' });

    const stats = await call(national, 'GET', '/v1/national/statistics', { token: officer });
    expectStatus(stats, 200, 'statistics');
    expectDeclaredResponse('GET', '/v1/national/statistics', stats.json);
    const byProvince = Object.fromEntries((stats.json.provinces as { province: string; cases: Record<string, number> }[]).map((p) => [p.province, p.cases]));
    expect(byProvince[HANOI]).to.include({ detected: 1, transferredOut: 1, closed: 0 });
    expect(byProvince[SAIGON]).to.include({ detected: 0, received: 1, closed: 0 });
  });

  it("on the national node, portal actions are refused with a problem naming 79's node; reading the case works", async () => {
    const lookup = await call(national, 'GET', lookupPath);
    const grant = lookup.json.grant as string;
    const ref = portalRef(caseId);
    const before = (await nationalPool.query<{ n: string }>('SELECT count(*) AS n FROM event_records')).rows[0]!.n;
    const headers = { [GRANT_HEADER]: grant, 'idempotency-key': 'national-try-0001' };
    const attempts = [
      call(national, 'POST', `/v1/public/violations/${ref}/payments`, { headers, body: {} }),
      call(national, 'POST', `/v1/public/violations/${ref}/responses`, { headers, body: { statement: 'I was not driving that day at all.' } }),
      call(national, 'POST', `/v1/public/violations/${ref}/complaints`, { headers, body: { kind: 'complaint', grounds: 'The plate was misread by the camera.', attachments: [] } }),
      call(national, 'GET', `/v1/public/violations/${ref}/privacy-image`, { headers }),
    ];
    for (const reply of await Promise.all(attempts)) {
      expect(reply.status, JSON.stringify(reply.json)).to.equal(409);
      expect(reply.headers.get('content-type')).to.match(/application\/problem\+json/);
      expect(reply.json).to.deep.include({
        type: `${PROBLEM}case-held-by-province-node`,
        province: SAIGON,
        node: provinces.get(SAIGON)!.node.url,
        portal: `${provinces.get(SAIGON)!.node.url}/#/citizen`,
      });
    }
    // Nothing was accepted: the national node appended only the lookup's custody record.
    const after = (await nationalPool.query<{ n: string; citizen: string }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE stream LIKE 'citizen-%') AS citizen FROM event_records`,
    )).rows[0]!;
    expect(Number(after.citizen)).to.equal(0);
    expect(Number(after.n)).to.equal(Number(before));
    // Another vehicle's reference is not found; without a grant, 401.
    expect((await call(national, 'POST', `/v1/public/violations/0000ABCD/payments`, { headers, body: {} })).status).to.equal(404);
    expect((await call(national, 'POST', `/v1/public/violations/${ref}/payments`, { headers: { 'idempotency-key': 'national-try-0002' }, body: {} })).status).to.equal(401);
    const one = await call(national, 'GET', `/v1/public/violations/${ref}`, { headers: { [GRANT_HEADER]: grant } });
    expectStatus(one, 200, 'read one');
    expect(one.json).to.deep.include({ ref, status: 'unresolved', followAt: `${provinces.get(SAIGON)!.node.url}/#/citizen` });
  });

  it("citizen reports are refused on the national node naming the province's node, and at a node that does not serve the province", async () => {
    const before = (await nationalPool.query<{ n: string }>('SELECT count(*) AS n FROM event_records')).rows[0]!.n;
    const report = {
      province: SAIGON,
      observedAt: '2026-12-01T08:00:00.000Z',
      place: 'Nguyễn Huệ, Quận 1',
      description: 'A car ran the red light at the crossing.',
      photos: [{ digest: `sha256:${'ab'.repeat(32)}`, mediaType: 'image/jpeg', size: 10 }],
    };
    const saigon = provinces.get(SAIGON)!.node.url;
    const atNational = await call(national, 'POST', '/v1/public/reports', { headers: { 'idempotency-key': 'national-report-0001' }, body: report });
    expect(atNational.status, atNational.text).to.equal(409);
    expect(atNational.json).to.deep.include({ type: `${PROBLEM}report-at-province-node`, province: SAIGON, node: saigon, portal: `${saigon}/#/citizen` });
    const session = await call(national, 'POST', '/v1/public/report-sessions', { body: {} });
    expect(session.status, session.text).to.equal(409);
    const nodes = (session.json as { nodes: { province: string; node: string }[] }).nodes;
    expect(nodes.map((n) => [n.province, n.node])).to.deep.equal([
      [HANOI, provinces.get(HANOI)!.node.url],
      [SAIGON, saigon],
    ]);
    const upload = await call(national, 'PUT', '/v1/public/attachments', { headers: { 'content-type': 'image/jpeg', 'x-report-session': 'anything' }, raw: new Uint8Array([0xff, 0xd8, 0xff]) });
    expect(upload.status, upload.text).to.equal(409);
    expect((upload.json as { type: string }).type).to.equal(`${PROBLEM}report-at-province-node`);
    expect((await nationalPool.query<{ n: string }>('SELECT count(*) AS n FROM event_records')).rows[0]!.n).to.equal(before);
    // Province 01's node serves 01 only: a report of what was seen in 79 would sit in a queue nobody there reads.
    const atHanoi = await call(provinces.get(HANOI)!.node, 'POST', '/v1/public/reports', { headers: { 'idempotency-key': 'hanoi-report-0001' }, body: report });
    expect(atHanoi.status, atHanoi.text).to.equal(403);
    expect(atHanoi.json).to.deep.include({ type: `${PROBLEM}province-not-served`, province: SAIGON });
  });

  it('a data-subject access request on the national node is answered from the mirror; a correction or erasure is refused naming the province node', async () => {
    const reply = await call(national, 'POST', '/v1/public/subject-requests', { body: { plate: PLATE, certificate: CERTIFICATE, kind: 'access' } });
    expectStatus(reply, 200, 'access');
    const cases = reply.json.cases as { caseId: string; published: Violation; custody: { purpose: string; actor: { id: string } }[] }[];
    expect(cases.map((c) => c.caseId)).to.deep.equal([caseId]);
    expect(cases[0]!.published).to.deep.include({ status: 'unresolved', detectingUnit: detectingUnitOf(HANOI) });
    const purposes = cases[0]!.custody.map((c) => c.purpose);
    // 01's custody log as mirrored (the officer's reads, the export to 79's receiver) and this node's lookups.
    expect(purposes).to.include('handover citizen test');
    expect(purposes).to.include(`handover of case ${caseId} to province ${SAIGON}`);
    expect(purposes).to.include('citizen lookup by plate and registration certificate');
    // The request, its answer and the disclosure are recorded on the national node.
    const requestId = reply.json.requestId as string;
    const stream = await national.store.readStream(streams.subject(requestId));
    expect(stream.map((r) => r.record.type)).to.deep.equal(['SubjectRequestReceived', 'SubjectRequestAnswered']);
    const custody = await national.store.readStream(streams.custody(caseId));
    const disclosed = custody.find((r) => (r.record.data as { purpose: string }).purpose === `data subject access request ${requestId}`);
    expect(disclosed?.record.meta.province).to.equal(SAIGON);

    for (const kind of ['correction', 'erasure']) {
      const refused = await call(national, 'POST', '/v1/public/subject-requests', { body: { plate: PLATE, certificate: CERTIFICATE, kind, details: 'Please correct my address.' } });
      expect(refused.status, kind).to.equal(409);
      expect(refused.json).to.deep.include({ type: `${PROBLEM}subject-request-at-province-node` });
      expect(refused.json.nodes).to.deep.equal([{ province: SAIGON, node: provinces.get(SAIGON)!.node.url, portal: `${provinces.get(SAIGON)!.node.url}/#/citizen` }]);
    }
    // A wrong certificate is refused the same way, naming nothing.
    const wrong = await call(national, 'POST', '/v1/public/subject-requests', { body: { plate: PLATE, certificate: 'DK-WRONG-01', kind: 'correction' } });
    expect([wrong.status, wrong.json.nodes]).to.deep.equal([409, []]);

    // Through a national officer: the same export; an erasure is refused.
    const officer = await national.token('officer', '00', 'off-00-2');
    const byOfficer = await call(national, 'POST', '/v1/subject-requests', { token: officer, body: { plate: PLATE, kind: 'access' } });
    expectStatus(byOfficer, 200, 'officer access');
    expect((byOfficer.json.cases as { caseId: string }[]).map((c) => c.caseId)).to.deep.equal([caseId]);
    const erasure = await call(national, 'POST', '/v1/subject-requests', { token: officer, body: { plate: PLATE, kind: 'erasure' } });
    expect([erasure.status, erasure.json.type]).to.deep.equal([409, `${PROBLEM}subject-request-at-province-node`]);
  });
});
