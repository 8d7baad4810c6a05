/**
 * Given a history written through the command path, when the projections run, then each read model holds
 * exactly the rows that history implies (and the query functions return them as plain JSON).
 */
import { expect } from 'chai';
import { v7 as uuidV7 } from 'uuid';
import { registerCamera, suspendCamera } from '../../../src/commands/cameras.ts';
import { CommuneOutsideProvinceError, RouteOutsideProvinceError } from '../../../src/domain/camera/errors.ts';
import { recordEvidenceAccess } from '../../../src/commands/custody.ts';
import { ALL_PROJECTIONS } from '../../../src/projections/index.ts';
import {
  cameraCoverage,
  citizenLookup,
  custodyLog,
  getCase,
  listCases,
  modelPerformance,
  officerWorkload,
  reviewQueue,
  statistics,
} from '../../../src/projections/queries.ts';
import { InvalidQueryError } from '../../../src/projections/errors.ts';
import { keyPairFromLabel } from '../../../src/domain/signoff/keys.ts';
import { ProjectionRunner } from '../../../src/projections/runner.ts';
import { createMetrics } from '../../../src/adapters/http/metrics.ts';
import { carViolations, generateCase, type GeneratedCase } from './support/history.ts';
import { admin, buildWorld, openNode, settle, type Node, type World } from './support/world.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('read models (PostgreSQL, events through the command path)', function () {
  let node: Node;
  let world: World;
  let runner: ProjectionRunner;
  const cases: GeneratedCase[] = [];

  before(async () => {
    node = await openNode('rmodels');
    world = await buildWorld(node.store);
    // Six lifecycles (paid, decided, appealed, confirmed, rejected, pending) twice over.
    for (let i = 0; i < 12; i++) cases.push(await generateCase(world, i));
    runner = new ProjectionRunner({ dataSource: node.dataSource, store: node.store, projections: ALL_PROJECTIONS, batchSize: 7 });
    await settle(node, runner);
  });
  after(async () => {
    await node?.close();
  });

  const byLifecycle = (l: string) => cases.filter((c) => c.lifecycle === l);

  it('exposes lag in events and seconds through status() and the metrics gauges', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const fresh = new ProjectionRunner({
      dataSource: node.dataSource,
      store: node.store,
      projections: ALL_PROJECTIONS,
      metrics,
      now: () => Date.parse('2026-03-10T01:10:00.000Z'),
    });
    // A runner that has not projected yet would see everything behind: simulate with a status row at zero.
    await node.dataSource.query(`INSERT INTO projection_status (name) VALUES ('lag-probe') ON CONFLICT DO NOTHING`);
    const probe = new ProjectionRunner({
      dataSource: node.dataSource,
      store: node.store,
      projections: [{ name: 'lag-probe', eventTypes: [], tables: [], handle: async () => undefined }],
      metrics,
      now: () => Date.parse('2026-01-10T08:01:00.000Z'),
    });
    const [behind] = await probe.status();
    const total = (await node.store.readAll({ maxCount: 10_000 })).length;
    expect(behind).to.include({ name: 'lag-probe', lagEvents: total, lagEventsCapped: false });
    expect(behind!.lagSeconds).to.be.greaterThan(0);
    const gauge = await metrics.projectionLagEvents.get();
    expect(gauge.values.find((v) => v.labels.projection === 'lag-probe')?.value).to.equal(total);
    await fresh.status();
    const caseViews = (await metrics.projectionLagEvents.get()).values.find((v) => v.labels.projection === 'case-views');
    expect(caseViews?.value).to.equal(0);
    await node.dataSource.query(`DELETE FROM projection_status WHERE name = 'lag-probe'`);
  });

  it('every projection reaches the head with no lag and no error', async () => {
    const status = await runner.status();
    expect(status.map((s) => s.name)).to.have.members(ALL_PROJECTIONS.map((p) => p.name));
    for (const s of status) {
      expect(s, s.name).to.include({ state: 'running', lagEvents: 0, lagSeconds: 0, error: null });
      expect(s.checkpoint).to.equal(await node.store.headCheckpoint());
    }
  });

  describe('case summary and detail', () => {
    it('a paid case shows review, decision, notice, fine, points, payment and the full timeline with actors', async () => {
      const paid = byLifecycle('paid')[0]!;
      const detail = (await getCase(node.dataSource, paid.caseId))!;
      const entry = carViolations()[0]!;
      expect(detail).to.deep.include({ caseId: paid.caseId, province: '01', status: 'closed', statusBeforeEnd: 'paid', closeReason: 'paid' });
      expect(detail.violationCode).to.equal(entry.code);
      expect(detail.legalBasis).to.deep.equal(entry.legalBasis);
      expect(detail.plates).to.deep.equal({ edge: '30A-123.45', ai: '30A-123.45', confirmed: '30A-123.45' });
      expect(detail.fineVnd).to.equal(entry.fineMinVnd);
      expect(detail.points).to.equal(entry.points);
      expect(detail.payment).to.deep.equal({ paidVnd: entry.fineMinVnd, paidAt: detail.payment!.paidAt });
      expect(detail.noticeStatus).to.equal('delivered');
      const review = detail.review as Record<string, unknown>;
      expect(review).to.include({ decision: 'confirm', officerId: world.officers[0]!.officerId, keyId: world.officers[0]!.key.keyId });
      const decision = detail.decision as Record<string, unknown>;
      expect(decision).to.include({ officerId: world.officers[0]!.officerId, keyId: world.officers[0]!.key.keyId, fineVnd: entry.fineMinVnd });
      expect((detail.evidence as { originals: unknown[] }).originals).to.have.length(2);
      expect(detail.timeline.map((t) => t.type)).to.deep.equal([
        'ViolationDetected', 'PlateRecognized', 'ReviewConfirmed', 'OwnerIdentified', 'NoticeIssued', 'NoticeDelivered',
        'ViolationRecordDrawn', 'PenaltyDecided', 'PaymentRecorded', 'CaseClosed',
      ]);
      expect(detail.timeline[0]!.actor.kind).to.equal('device');
      expect(detail.timeline[2]!.actor).to.deep.equal({ kind: 'officer', id: world.officers[0]!.officerId });
      expect(detail.timeline.map((t) => t.revision)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(detail.timeline.every((t) => /^[0-9a-f]{64}$/.test(t.recordHash))).to.equal(true);
    });

    it('a wrong AI reading raises the plate-mismatch flag on the case', async () => {
      const mismatched = cases[3]!; // i % 4 === 3: the AI read another plate
      const detail = (await getCase(node.dataSource, mismatched.caseId))!;
      expect(detail.flags.plateMismatch).to.equal(true);
      expect(detail.plates.ai).to.not.equal(detail.plates.edge);
      const clean = (await getCase(node.dataSource, cases[0]!.caseId))!;
      expect(clean.flags).to.deep.equal({ calibration: false, modelNotApproved: false, plateMismatch: false, plateDoubt: false });
    });

    it('filters by province, status, violation, camera, plate and date range, paged by a stable cursor', async () => {
      const all = await listCases(node.dataSource, {}, undefined, 200);
      expect(all.items).to.have.length(12);
      expect(all.nextCursor).to.equal(null);
      const hcmc = await listCases(node.dataSource, { province: '79' });
      expect(hcmc.items.map((c) => c.province)).to.satisfy((ps: string[]) => ps.length === 4 && ps.every((p) => p === '79'));
      const pending = await listCases(node.dataSource, { status: 'detected' });
      expect(pending.items.map((c) => c.caseId)).to.have.members(byLifecycle('pending').map((c) => c.caseId));
      const camera = world.cameras[1]!.cameraId;
      expect((await listCases(node.dataSource, { cameraId: camera })).items.every((c) => c.cameraId === camera)).to.equal(true);
      const code = carViolations()[1]!.code;
      expect((await listCases(node.dataSource, { violationCode: code })).items.every((c) => c.violationCode === code)).to.equal(true);
      const byPlate = await listCases(node.dataSource, { plate: '30a 12345' });
      expect(byPlate.items.length).to.be.greaterThan(0);
      expect(byPlate.items.every((c) => c.plate === '30A-123.45' || c.plate !== null)).to.equal(true);
      const window = await listCases(node.dataSource, { from: '2026-03-10T01:02:00.000Z', to: '2026-03-10T01:05:00.000Z' });
      expect(window.items).to.have.length(3);
      // Pages of 5 walk the whole list once, newest first, with no duplicates.
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listCases(node.dataSource, {}, cursor, 5);
        seen.push(...page.items.map((c) => c.caseId));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).to.deep.equal(all.items.map((c) => c.caseId));
      const times = all.items.map((c) => Date.parse(c.observedAt));
      expect(times).to.deep.equal([...times].sort((a, b) => b - a));
    });

    it('refuses hostile filters and cursors with typed errors', async () => {
      expect(await rejection(listCases(node.dataSource, { province: "01' OR 1=1" }))).to.be.instanceOf(InvalidQueryError);
      expect(await rejection(listCases(node.dataSource, {}, 'not-a-cursor!'))).to.be.instanceOf(InvalidQueryError);
      expect(await rejection(listCases(node.dataSource, {}, Buffer.from('["x","y"]').toString('base64url')))).to.be.instanceOf(InvalidQueryError);
      expect(await rejection(listCases(node.dataSource, {}, undefined, 10_000))).to.be.instanceOf(InvalidQueryError);
      expect(await rejection(listCases(node.dataSource, { junk: 1 } as never))).to.be.instanceOf(InvalidQueryError);
      expect(await rejection(getCase(node.dataSource, '../etc'))).to.be.instanceOf(InvalidQueryError);
    });
  });

  describe('review queue', () => {
    it('lists pending cases of one province oldest first with notice and limitation SLA flags', async () => {
      const q = await reviewQueue(node.dataSource, '79', { now: '2026-03-18T00:00:00.000Z' });
      const pendingHanoi = byLifecycle('pending').filter((c) => q.items.some((i) => i.caseId === c.caseId));
      expect(q.items.length).to.be.greaterThan(0);
      expect(q.items.every((i) => i.province === '79' && i.status === 'detected')).to.equal(true);
      expect(pendingHanoi.length).to.equal(q.items.length);
      const times = q.items.map((i) => Date.parse(i.observedAt));
      expect(times).to.deep.equal([...times].sort((a, b) => a - b));
      expect(q.items[0]!.sla).to.deep.equal({ noticeDueSoon: true, noticeOverdue: false, limitationApproaching: false, limitationPassed: false });
      const late = await reviewQueue(node.dataSource, '79', { now: '2027-03-01T00:00:00.000Z' });
      expect(late.items[0]!.sla).to.deep.include({ noticeOverdue: true, limitationApproaching: true, limitationPassed: false });
      const early = await reviewQueue(node.dataSource, '79', { now: '2026-03-11T00:00:00.000Z' });
      expect(early.items[0]!.sla.noticeDueSoon).to.equal(false);
    });
  });

  describe('statistics', () => {
    it('counts detections, confirmations, rejections, penalties, fines decided and paid, points per day × province × code', async () => {
      const national = await statistics(node.dataSource, { from: '2026-03-01', to: '2026-04-30' });
      expect(national.scope).to.equal('national');
      expect(national.totals.detections).to.equal(12);
      expect(national.totals.rejected).to.equal(byLifecycle('rejected').length);
      expect(national.totals.confirmed).to.equal(12 - byLifecycle('rejected').length - byLifecycle('pending').length);
      const decided = cases.filter((c) => ['paid', 'decided', 'appealed'].includes(c.lifecycle));
      expect(national.totals.penalties).to.equal(decided.length);
      const entries = carViolations();
      const fineOf = (i: number) => entries[i % entries.length]!.fineMinVnd;
      const pointsOf = (i: number) => entries[i % entries.length]!.points;
      const idx = (c: GeneratedCase) => cases.indexOf(c);
      expect(national.totals.finesDecidedVnd).to.equal(decided.reduce((a, c) => a + fineOf(idx(c)), 0));
      expect(national.totals.finesPaidVnd).to.equal(byLifecycle('paid').reduce((a, c) => a + fineOf(idx(c)), 0));
      expect(national.totals.pointsDeducted).to.equal(decided.reduce((a, c) => a + pointsOf(idx(c)), 0));
      const detectionDay = national.rows.filter((r) => r.day === '2026-03-10');
      expect(detectionDay.reduce((a, r) => a + Number(r.detections), 0)).to.equal(12);
      const hanoi = await statistics(node.dataSource, { province: '01', from: '2026-03-01', to: '2026-04-30' });
      expect(hanoi.rows.every((r) => r.province === '01')).to.equal(true);
      expect(hanoi.totals.detections).to.equal(8);
      expect(await rejection(statistics(node.dataSource, { from: 'yesterday', to: '2026-01-01' }))).to.be.instanceOf(InvalidQueryError);
    });
  });

  describe('camera registry and coverage', () => {
    it('reports cameras by province, road type and commune, calibration validity and coverage against the reference data', async () => {
      const at = '2026-06-01T00:00:00.000Z';
      const cov = await cameraCoverage(node.dataSource, { at });
      expect(cov.illustrative).to.equal(false);
      expect(cov.referenceVersion).to.match(/^vn-2025-/);
      expect(cov.reading).to.deep.include({
        centralTypes: ['phường'],
        largeCityTargetPercent: 50,
        otherTargetPercent: 30,
      });
      expect(cov.reading.statement).to.include('phường');
      expect(cov.provinces).to.have.length(34);
      const hanoi = cov.provinces.find((p) => p.province === '01')!;
      expect(hanoi.cameras).to.deep.equal({
        total: 2,
        byStatus: { active: 2 },
        byRoadType: { urban: 1, expressway: 1 },
        calibrationValid: 2,
      });
      // Hà Nội: CT.01, CT.04, CT.05, CT.07, Hòa Lạc – Hòa Bình, Đại lộ Thăng Long operate. Its expressway camera
      // (registered before cameras carried codes, "CT.01 Km 190+200") counts for CT.01.
      expect(hanoi.expressway).to.deep.include({
        routes: 6,
        covered: 1,
        uncovered: ['CT.04', 'CT.05', 'CT.07', 'L.HL-HB', 'L.THANG-LONG'],
        meetsTarget: false,
        technicalOnly: [],
      });
      expect(hanoi.expressway.percent).to.equal(16.7);
      // 51 wards in Hà Nội; the urban camera's commune name "Ngọc Hà" is Phường Ngọc Hà.
      expect(hanoi.centralCommunes).to.deep.equal({
        total: 51,
        covered: 1,
        percent: 2,
        targetPercent: 50,
        meetsTarget: false,
      });
      expect(hanoi.communes).to.deep.equal([{ code: null, name: 'Ngọc Hà', cameras: 1 }]);
      const gialai = cov.provinces.find((p) => p.province === '52')!;
      expect(gialai.expressway).to.deep.include({ routes: 0, technicalOnly: ['CT.01'], meetsTarget: null });
      expect(cov.national!.expressway).to.deep.include({ routes: 9, covered: 1 });
      expect(cov.national!.expressway.technicalOnly).to.deep.equal(['L.BH-VT', 'L.KH-BMT', 'L.CD-CT-ST']);
      expect(cov.national!.centralCommunes).to.deep.include({ total: 687, covered: 2 });
      expect(cov.positions.map((c) => c.cameraId)).to.include.members(world.cameras.map((c) => c.cameraId));
      // A suspended camera no longer covers anything; calibration lapses after its certificate.
      await suspendCamera(world.deps, admin('01'), {
        cameraId: world.cameras[1]!.cameraId,
        reason: 'Lens damaged',
      });
      await settle(node, runner);
      const after = (
        await cameraCoverage(node.dataSource, { province: '01', at: '2027-02-01T00:00:00.000Z' })
      ).provinces[0]!;
      expect(after.cameras.byStatus).to.deep.equal({ active: 1, suspended: 1 });
      expect(after.cameras.calibrationValid).to.equal(0);
      expect(after.expressway.covered).to.equal(0);
    });

    it('counts a camera by the commune code and route code it was registered with, and refuses codes that do not fit', async () => {
      const cameraId = `cam-01-codes-${Date.now()}`;
      const key = keyPairFromLabel(`${cameraId}#1`);
      const location = {
        latMicro: 21_035_000,
        lonMicro: 105_814_000,
        description: 'Vành đai 3, nút Mai Dịch',
        roadType: 'expressway' as const,
      };
      expect(
        await rejection(
          registerCamera(world.deps, admin('01'), {
            cameraId,
            location,
            publicKey: key.publicKey,
            communeCode: '26743',
          }),
        ),
      ).to.be.instanceOf(CommuneOutsideProvinceError);
      expect(
        await rejection(
          registerCamera(world.deps, admin('01'), {
            cameraId,
            location,
            publicKey: key.publicKey,
            routeCode: 'CT.06',
          }),
        ),
      ).to.be.instanceOf(RouteOutsideProvinceError);
      await registerCamera(world.deps, admin('01'), {
        cameraId,
        location,
        publicKey: key.publicKey,
        communeCode: '00004',
        routeCode: 'CT.04',
      });
      await settle(node, runner);
      const cov = await cameraCoverage(node.dataSource, { at: '2026-06-01T00:00:00.000Z' });
      const hanoi = cov.provinces.find((p) => p.province === '01')!;
      expect(hanoi.expressway.uncovered).not.to.include('CT.04');
      expect(hanoi.centralCommunes.covered).to.equal(2);
      expect(hanoi.communes).to.deep.include({ code: '00004', name: 'Phường Ba Đình', cameras: 1 });
      expect(cov.positions.find((c) => c.cameraId === cameraId)).to.deep.include({
        routeCode: 'CT.04',
        communeCode: '00004',
        status: 'active',
      });
    });
  });

  describe('AI model performance', () => {
    it('counts readings and human outcomes per model version and reports a version below the precision floor', async () => {
      const [perf] = await modelPerformance(node.dataSource, { lastN: 100, precisionFloor: 0.9 });
      expect(perf!.modelId).to.equal(world.modelId);
      // Each case has the edge reading; cases that reached review also an ANPR reading.
      const withAnpr = cases.filter((c) => c.lifecycle !== 'pending').length;
      expect(perf!.readings).to.equal(12 + withAnpr);
      expect(perf!.rejections).to.equal(2 * byLifecycle('rejected').length);
      // i % 4 === 3 got a wrong ANPR reading: confirmed cases among them are corrections.
      const wrong = cases.filter((c, i) => i % 4 === 3 && c.lifecycle !== 'rejected' && c.lifecycle !== 'pending');
      expect(perf!.corrections).to.equal(wrong.length);
      expect(perf!.confirmations + perf!.corrections + perf!.rejections).to.equal(2 * withAnpr);
      expect(perf!.belowFloor).to.equal(true);
      const [lenient] = await modelPerformance(node.dataSource, { lastN: 100, precisionFloor: 0.5 });
      expect(lenient!.belowFloor).to.equal(false);
    });

    it('a rejection for a reason not about the plate (no-violation) is not a wrong reading; a plate-unreadable rejection is', async () => {
      const [perf] = await modelPerformance(node.dataSource, { lastN: 100, precisionFloor: 0.9 });
      const rejected = byLifecycle('rejected');
      expect(rejected).to.have.length(2); // history.ts: the first rejects `no-violation`, the second `plate-unreadable`
      // Both readings (edge and ANPR) of the plate-unreadable case count as wrong; the no-violation case's do not count.
      const judged = perf!.confirmations + perf!.corrections + 2;
      expect(perf!.precision).to.be.closeTo(perf!.confirmations / judged, 1e-9);
      expect(perf!.recent.precision).to.be.closeTo(perf!.confirmations / judged, 1e-9);
      const judgedCases = cases.filter((c) => c.lifecycle !== 'pending').length - 1;
      expect(perf!.recent.cases).to.equal(judgedCases);
    });
  });

  describe('officer workload', () => {
    it('counts reviews and decisions per officer per day with the median detection→review time', async () => {
      const work = await officerWorkload(node.dataSource, { from: '2026-03-01', to: '2026-04-30' });
      const hanoiOfficer = work.find((w) => w.officerId === world.officers[0]!.officerId)!;
      const hanoiCases = cases.filter((c, i) => i % 3 !== 2);
      const reviewed = hanoiCases.filter((c) => c.lifecycle !== 'pending');
      expect(hanoiOfficer.reviews).to.equal(reviewed.length);
      expect(hanoiOfficer.decisions).to.equal(hanoiCases.filter((c) => ['paid', 'decided', 'appealed'].includes(c.lifecycle)).length);
      // Reviews are signed 1 h + (i % 7) min after observation.
      const latencies = cases
        .map((c, i) => ({ c, i }))
        .filter(({ c, i }) => i % 3 !== 2 && c.lifecycle !== 'pending')
        .map(({ i }) => 3600 + (i % 7) * 60)
        .sort((a, b) => a - b);
      const mid = latencies.length / 2;
      const median = latencies.length % 2 ? latencies[Math.floor(mid)]! : (latencies[mid - 1]! + latencies[mid]!) / 2;
      expect(hanoiOfficer.medianDetectionToReviewSeconds).to.equal(median);
      expect(hanoiOfficer.days.every((d) => d.province === '01')).to.equal(true);
    });
  });

  describe('citizen lookup', () => {
    it('shows confirmed cases of a plate with the published fields only', async () => {
      const found = await citizenLookup(node.dataSource, '30A-123.45');
      const expected = cases.filter((c, i) => i % 5 === 0 && !['pending', 'rejected'].includes(c.lifecycle));
      expect(found).to.have.length(expected.length);
      for (const v of found) {
        expect(Object.keys(v).sort()).to.deep.equal(
          ['detectingUnit', 'place', 'plate', 'plateColour', 'status', 'time', 'transferredTo', 'vehicleType', 'violation', 'violationCode'].sort(),
        );
        expect(v.plate).to.equal('30A-123.45');
        expect(v.vehicleType).to.equal('car');
      }
      expect(found.map((v) => v.status)).to.include('resolved');
      // detection/v2 cases (every third) publish the signed colour; detection/v1 cases publish none (unknown).
      const colours = (list: (string | null)[]) => list.map((c) => c ?? 'unknown').sort();
      const expectedColours = cases
        .map((c, i) => ({ c, colour: i % 3 === 0 ? 'yellow' : null }))
        .filter(({ c }, i) => i % 5 === 0 && !['pending', 'rejected'].includes(c.lifecycle))
        .map(({ colour }) => colour);
      expect(colours(found.map((v) => v.plateColour))).to.deep.equal(colours(expectedColours));
      expect(expectedColours).to.include('yellow');
      expect(found[0]!.detectingUnit).to.match(/^Phòng CSGT Công an /);
      // Spelling does not matter; unreviewed or rejected cases never show.
      expect(await citizenLookup(node.dataSource, '30a12345')).to.deep.equal(found);
      expect(await rejection(citizenLookup(node.dataSource, "'; DROP TABLE rm_case; --"))).to.be.instanceOf(InvalidQueryError);
    });
  });

  describe('custody log', () => {
    it('lists every evidence access of a case: who, when, purpose, digest, record hash', async () => {
      const target = byLifecycle('confirmed')[0]!;
      const officer = world.officers[0]!;
      world.clock.at = '2026-04-02T09:00:00.000Z';
      await recordEvidenceAccess(world.deps, officer.caller, { caseId: target.caseId, access: 'export', purpose: 'Court bundle 7/2026' });
      await settle(node, runner);
      const log = await custodyLog(node.dataSource, target.caseId);
      expect(log.map((e) => e.access)).to.deep.equal(['view', 'export']);
      expect(log[1]).to.deep.include({ seq: 1, at: '2026-04-02T09:00:00.000Z', purpose: 'Court bundle 7/2026', digest: null });
      expect(log[1]!.actor).to.deep.equal({ kind: 'officer', id: officer.officerId });
      expect(log[0]!.digest).to.match(/^sha256:[0-9a-f]{64}$/);
      expect(await custodyLog(node.dataSource, uuidV7())).to.deep.equal([]);
    });
  });
});
