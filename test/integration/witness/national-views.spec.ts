/**
 * National read models over the mirrored feeds (docs/federation.md "National views"), with three real nodes
 * in one process: provinces 01 and 79 (their own databases, ledgers and projections; real signed detections,
 * reviews by their officers), the national witness cosigning both and the national mirror following both.
 * The national node projects each mirrored log with the provincial projections into a schema of its own:
 * - each log's national tables equal, row for row, the province's own read models of the same records;
 * - they equal a rebuild from the mirrored feed (the auditor's check), and a tampered row is reported;
 * - the national routes (camera coverage, model performance, officer workload) answer with the provincial
 *   queries over them, national staff only;
 * - the citizen lookup on the national node answers from the mirror with the published fields only.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import { MirrorFollower } from '../../../src/adapters/witness/mirror.ts';
import { NATIONAL_PROJECTIONS, NationalProjector, schemaOfOrigin } from '../../../src/adapters/witness/national-projections.ts';
import { NationalViews } from '../../../src/adapters/witness/national-views.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { Witness } from '../../../src/adapters/witness/witness.ts';
import { loadProvincialLogRegistry } from '../../../src/commands/federation.ts';
import { systemClock } from '../../../src/commands/deps.ts';
import { sha256 } from '../../../src/domain/integrity/index.ts';
import { buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { modelPerformance, officerWorkload } from '../../../src/projections/queries.ts';
import { vietnamDate } from '../../../src/domain/signoff/primitives.ts';
import { StalenessWatch } from '../../../src/adapters/witness/staleness.ts';
import { createMetrics } from '../../../src/adapters/http/metrics.ts';
import { federationExitCode, fetchFederationStatus, formatFederationStatus, type FederationStatus } from '../../../src/cli/commands/federation.ts';
import { expectDeclaredResponse } from '../../support/declared-response.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';
import { HANOI, SAIGON, buildHttpWorld, call, expectStatus, multipartBody, signedDetection, type HttpWorld } from '../http/support/world.ts';

const ORIGIN = { [HANOI]: 'vn-traffic/province-01', [SAIGON]: 'vn-traffic/province-79' } as Record<string, string>;
const PLATE = { [HANOI]: '30A-111.22', [SAIGON]: '51F-333.44' } as Record<string, string>;
const CERTIFICATE = 'DK-NV-000123';
const owner = { ref: 'own-nv-1', kind: 'individual' as const, name: 'Nguyễn Văn A', address: 'Hà Nội' };

describe('national read models over the mirrored provincial feeds', function () {
  this.timeout(300_000);
  const issuerSeed = new Uint8Array(randomBytes(32));
  let national: ApiNode;
  const provinces = new Map<string, { node: ApiNode; pool: pg.Pool; world: HttpWorld; submitter: CheckpointSubmitter }>();
  let nationalPool: pg.Pool;
  let witness: Witness;
  let mirror: MirrorFollower;
  let projector: NationalProjector;

  /** Rows of `table` in `schema`, as JSON, in a stable order. */
  const rows = async (db: pg.Pool, schema: string, table: string) =>
    (await db.query<{ r: unknown }>(`SELECT to_jsonb(t) AS r FROM ${schema}.${table} t ORDER BY to_jsonb(t)::text`)).rows.map((x) => x.r);

  before(async () => {
    national = await startApiNode('nv_national', { sequencer: false, issuerSeed });
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 6 });
    witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('national witness seed (national views spec)'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    national.services.nationalViews = new NationalViews(nationalPool);
    projector = new NationalProjector({ dataSource: national.dataSource, db: nationalPool });
    national.services.nationalReadModels = projector;
    const admin = await national.token('admin', '00', 'adm-00-1');
    for (const province of [HANOI, SAIGON]) {
      const node = await startApiNode(`nv_${province}`, {
        checkpointIntervalMs: 50,
        origin: ORIGIN[province]!,
        servedProvinces: [province],
        issuerSeed,
        projections: true,
      });
      const pool = new pg.Pool({ connectionString: node.db.url, max: 3 });
      const submitter = new CheckpointSubmitter({ db: pool, ledger: node.ledger, witnessUrl: `${national.url}/witness`, witnessKey: witness.verifierKey(), clock: systemClock });
      provinces.set(province, { node, pool, world: await buildHttpWorld(node), submitter });
      const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ province, origin: ORIGIN[province], verifierKey: node.ledger.verifierKey(), baseUrl: node.url }),
      });
      expect(res.status).to.equal(201);
    }
    for (const node of [national, provinces.get(HANOI)!.node]) {
      node.registry.add({ plate: '30A11122', registrationNumber: CERTIFICATE, vehicleClass: 'car', owner });
    }
    mirror = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => national.token('auditor', '00', MIRROR_SUBJECT),
    });

    // Each province: three detections read by its model; one confirmed, one rejected for an unreadable plate.
    for (const [province, p] of provinces) {
      const camera = p.world.cameras[province]!;
      const officer = p.world.officers[province]!;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        // Read by the province's edge model: the detection names it.
        const signed = await signedDetection(camera, { plate: PLATE[province]! });
        const form = multipartBody(signed, signed.images);
        form.set('detection', JSON.stringify({ detection: signed.detection, signature: signed.signature, keyId: signed.keyId, modelId: p.world.modelId }));
        const created = await call(p.node, 'POST', '/v1/detections/upload', { token: camera.token, raw: form });
        expectStatus(created, 201, 'ingest');
        ids.push(created.json.caseId as string);
      }
      for (const [caseId, decision] of [[ids[0]!, 'confirm'], [ids[1]!, 'reject']] as const) {
        const doc = await call(p.node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'national views test' });
        expectStatus(doc, 200, 'case');
        const basis = doc.json.signoffBasis as { caseRevision: number; evidence: string[]; plate: string; violationCode: string };
        const signoff = signSignoff(
          buildReviewSignoff({
            caseId,
            caseRevision: basis.caseRevision,
            evidence: basis.evidence,
            plate: basis.plate,
            violationCode: basis.violationCode,
            decision,
            ...(decision === 'reject' ? { rejectReason: 'plate-unreadable' } : {}),
            signedAt: new Date().toISOString(),
          }),
          officer.key.secretKey,
        );
        expectStatus(await call(p.node, 'POST', `/v1/cases/${caseId}/review`, { token: officer.token, body: signoff }), 200, 'review');
      }
    }
    // Sealed, cosigned, mirrored; the provinces' own projections and the national ones caught up.
    for (const [province, p] of provinces) {
      const { rows: n } = await p.pool.query<{ n: string }>('SELECT count(*) AS n FROM event_records');
      await waitFor(async () => ((await p.node.ledger.latestCheckpoint())?.treeSize ?? 0) >= Number(n[0]!.n), { what: `${province} sealed`, timeoutMs: 60_000 });
      expect((await p.submitter.submitOnce()).outcome).to.equal('cosigned');
      await waitFor(async () => (await p.node.projectionRunner!.status()).every((s) => s.lagEvents === 0 && s.state === 'running'), { what: `${province} projected`, timeoutMs: 60_000 });
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
  });
  after(async () => {
    await mirror?.stop();
    for (const p of provinces.values()) {
      await p.submitter.stop();
      await p.pool.end();
      await p.node.close();
    }
    await nationalPool?.end();
    await national?.close();
  });

  it('projects each mirrored log into tables equal, row for row, to the province’s own read models', async () => {
    for (const [province, p] of provinces) {
      const schema = schemaOfOrigin(ORIGIN[province]!);
      for (const table of [...new Set(NATIONAL_PROJECTIONS.flatMap((x) => x.tables))]) {
        const theirs = await rows(p.pool, 'public', table);
        expect(theirs.length, `${province} ${table}`).to.be.greaterThan(0);
        expect(await rows(nationalPool, schema, table), `${province} ${table}`).to.deep.equal(theirs);
      }
    }
    const status = await projector.status();
    expect(status.map((s) => s.province)).to.deep.equal([HANOI, SAIGON]);
    expect(status.every((s) => s.projections.every((x) => x.state === 'running' && x.lagEvents === 0))).to.equal(true);
    // A second pass finds nothing new.
    expect(await projector.runOnce()).to.equal(0);
    const overHttp = await call(national, 'GET', '/v1/national/read-models', { token: await national.token('auditor', '00', 'aud-00-3') });
    expectStatus(overHttp, 200, 'read models');
    expectDeclaredResponse('GET', '/v1/national/read-models', overHttp.json);
    expect((overHttp.json.logs as { projections: { eventsSeen: number }[] }[])[0]!.projections[0]!.eventsSeen).to.be.a('number');
  });

  it('equals a rebuild from the mirrored feed (the auditor’s check), and reports a tampered row', async () => {
    const auditor = await national.token('auditor', '00', 'aud-00-1');
    const check = async (origin: string) => {
      const res = await call(national, 'POST', '/v1/national/read-models/check', { token: auditor, body: { origin } });
      expectStatus(res, 200, 'check');
      expectDeclaredResponse('POST', '/v1/national/read-models/check', res.json);
      return res.json as { identical: boolean; projections: { projection: string; identical: boolean; tables: { table: string; onlyInLive: number; onlyInReplay: number }[] }[] };
    };
    for (const province of [HANOI, SAIGON]) {
      const report = await check(ORIGIN[province]!);
      expect(report.identical, province).to.equal(true);
      expect(report.projections.map((r) => r.projection)).to.deep.equal(NATIONAL_PROJECTIONS.map((x) => x.name));
    }
    const schema = schemaOfOrigin(ORIGIN[SAIGON]!);
    await nationalPool.query(`UPDATE ${schema}.rm_camera SET status = 'suspended' WHERE camera_id = (SELECT min(camera_id) FROM ${schema}.rm_camera)`);
    const tampered = await check(ORIGIN[SAIGON]!);
    expect(tampered.identical).to.equal(false);
    const cameras = tampered.projections.find((r) => r.projection === 'cameras')!;
    expect(cameras.tables[0]).to.include({ table: 'rm_camera', onlyInLive: 1, onlyInReplay: 1 });
    await nationalPool.query(`UPDATE ${schema}.rm_camera SET status = 'active' WHERE status = 'suspended'`);
    expect((await check(ORIGIN[SAIGON]!)).identical).to.equal(true);
    expect((await call(national, 'POST', '/v1/national/read-models/check', { token: auditor, body: { origin: 'vn-traffic/province-99' } })).status).to.equal(404);
  });

  it('answers camera coverage, model performance and officer workload from the mirrored read models, national staff only', async () => {
    const analyst = await national.token('analyst', '00', 'ana-00-1');
    const coverage = await call(national, 'GET', '/v1/national/camera-coverage', { token: analyst });
    expectStatus(coverage, 200, 'coverage');
    expectDeclaredResponse('GET', '/v1/national/camera-coverage', coverage.json);
    const positions = coverage.json.positions as { cameraId: string; province: string }[];
    const cameras = [...provinces.values()].flatMap((p) => Object.values(p.world.cameras).map((c) => c.cameraId));
    expect(positions.map((c) => c.cameraId).sort()).to.deep.equal(cameras.sort());
    const byProvince = coverage.json.provinces as { province: string; cameras: { total: number; calibrationValid: number } }[];
    expect(byProvince).to.have.length(34);
    expect(byProvince.find((p) => p.province === HANOI)!.cameras).to.include({ total: 2, calibrationValid: 2 });
    expect(coverage.json.national).to.not.equal(null);

    const models = await call(national, 'GET', '/v1/national/model-performance', { token: analyst });
    expectStatus(models, 200, 'models');
    expectDeclaredResponse('GET', '/v1/national/model-performance', models.json);
    const perProvince = models.json.provinces as { province: string; origin: string; models: unknown[] }[];
    for (const [province, p] of provinces) {
      // Each province's figures are its own node's, computed by the same query.
      expect(perProvince.find((x) => x.province === province)!.models).to.deep.equal(await modelPerformance(p.node.dataSource));
    }
    const nationally = models.json.national as { modelId: string; readings: number; confirmations: number; precision: number | null; status: string }[];
    expect(nationally).to.have.length(2); // one model per province world
    for (const m of nationally) expect(m).to.include({ readings: 3, confirmations: 1, precision: 0.5, status: 'approved' });

    const supervisor = await national.token('supervisor', '00', 'sup-00-1');
    const today = vietnamDate(new Date().toISOString());
    const workload = await call(national, 'GET', `/v1/national/officer-workload?from=${today}&to=${today}`, { token: supervisor });
    expectStatus(workload, 200, 'workload');
    expectDeclaredResponse('GET', '/v1/national/officer-workload', workload.json);
    const logs = workload.json.provinces as { province: string; officers: { officerId: string; reviews: number }[] }[];
    for (const [province, p] of provinces) {
      const officers = logs.find((x) => x.province === province)!.officers;
      expect(officers).to.deep.equal(await officerWorkload(p.node.dataSource, { from: today, to: today }));
      expect(officers.map((o) => [o.officerId, o.reviews])).to.deep.equal([[p.world.officers[province]!.officerId, 2]]);
    }
    // Officer names are staff personal data: not for analysts; provincial staff do not read national views.
    expect((await call(national, 'GET', '/v1/national/officer-workload', { token: analyst })).status).to.equal(403);
    const provincial = await national.token('supervisor', HANOI, 'sup-01-1');
    for (const path of ['/v1/national/camera-coverage', '/v1/national/model-performance', '/v1/national/officer-workload'])
      expect((await call(national, 'GET', path, { token: provincial })).status, path).to.equal(403);
    expect((await call(national, 'GET', `/v1/national/officer-workload?from=2026-13-01`, { token: supervisor })).status).to.equal(400);
  });

  it('the citizen lookup on the national node answers from the mirror with the published fields only', async () => {
    const lookup = (node: ApiNode) =>
      call(node, 'GET', `/v1/public/violations?plate=${encodeURIComponent(PLATE[HANOI]!)}&certificate=${CERTIFICATE}`, {});
    const nationalAnswer = await lookup(national);
    expectStatus(nationalAnswer, 200, 'national lookup');
    const provincialAnswer = await lookup(provinces.get(HANOI)!.node);
    expectStatus(provincialAnswer, 200, 'provincial lookup');
    type Violation = Record<string, unknown>;
    const theirs = provincialAnswer.json.violations as Violation[];
    const ours = nationalAnswer.json.violations as Violation[];
    expect(ours).to.have.length(1); // the confirmed case; the rejected and unreviewed ones are never published
    const published = ['plate', 'plateColour', 'vehicleType', 'observedAt', 'place', 'violationCode', 'violation', 'detectingUnit', 'status', 'ownerUnresponsive', 'transferredTo', 'ref'];
    const pick = (v: Violation) => Object.fromEntries(published.map((k) => [k, v[k]]));
    expect(ours.map(pick)).to.deep.equal(theirs.map(pick));
    // Nothing of the case's procedure: that is acted on at the handling province.
    expect(ours[0]).to.include({ canPay: false, canComplain: false, decision: null, amountDue: null, payment: null });
    // A grant to open the case here and be told, on any action, which province node holds it.
    expect(nationalAnswer.json.grant).to.be.a('string');
    expect(ours[0]!.followAt).to.equal(`${provinces.get(HANOI)!.node.url}/#/citizen`);
    // A wrong certificate answers like no violations.
    const wrong = await call(national, 'GET', `/v1/public/violations?plate=${encodeURIComponent(PLATE[HANOI]!)}&certificate=DK-WRONG-1`, {});
    expect(wrong.json.violations).to.deep.equal([]);
    // The disclosure is recorded on the national node, filed under the case's province.
    const { rows: custody } = await nationalPool.query<{ n: string }>(
      `SELECT count(*) AS n FROM event_records WHERE type = 'EvidenceAccessed' AND record::jsonb #>> '{meta,province}' = $1`,
      [HANOI],
    );
    expect(Number(custody[0]!.n)).to.equal(1);
  });

  it('a province that stops having its checkpoints cosigned, or is not read, raises a staleness alarm (status, /metrics, tec federation status) that clears when it catches up', async () => {
    let now = new Date().toISOString();
    const metrics = createMetrics({ defaultMetrics: false });
    const changes: string[] = [];
    national.services.staleness = new StalenessWatch({
      witness,
      mirror,
      clock: { now: () => now },
      thresholdSeconds: 300,
      gauges: { stale: metrics.federationStale, checkpointAge: metrics.federationCheckpointAge },
      onChange: (l) => changes.push(`${l.province} ${l.stale ? l.reasons.join('+') : 'fresh'}`),
    });
    const auditor = await national.token('auditor', '00', 'aud-00-2');
    const status = () => fetchFederationStatus(national.url, auditor);
    const of = (s: FederationStatus, province: string) => s.staleness!.logs.find((l) => l.province === province)!;
    /** The watch's clock, set per phase: `ms` after the newest read of a province's checkpoint or cosignature. */
    const later = async (ms: number) => {
      const m = await mirror.status();
      const w = await witness.status();
      const newest = Math.max(...m.map((x) => Date.parse(x.provinceSeenAt!)), ...w.map((x) => Date.parse(x.cosignedAt!)));
      now = new Date(newest + ms).toISOString();
    };
    expect(federationExitCode(await status())).to.equal(0);

    // Quiet provinces: cosignatures older than the threshold are no alarm while the mirror reads them...
    await mirror.syncOnce();
    await later(301_000);
    const quiet = await status();
    // The same answer as outside parties read it: with staleness and the mirror's rows, as declared.
    expectDeclaredResponse('GET', '/v1/federation/status', (await call(national, 'GET', '/v1/federation/status', { token: auditor })).json);
    // ...but the mirror has not read them for as long: unreachable.
    // (01 also sealed records the witness has not cosigned: the citizen lookup on 01's node recorded custody.)
    expect(of(quiet, SAIGON).reasons).to.deep.equal(['province-unreachable']);
    expect(of(quiet, HANOI).reasons).to.include('province-unreachable');
    expect(federationExitCode(quiet)).to.equal(1);
    expect(formatFederationStatus(quiet).filter((l) => l.startsWith('STALE'))).to.have.length(2);
    expect(await metrics.registry.metrics()).to.match(/tec_federation_stale\{province="79"\} 1/);

    // 79 seals a new record that is not cosigned: read again, it is stale because its newest checkpoint is not witnessed.
    const p = provinces.get(SAIGON)!;
    const [caseId] = (await p.pool.query<{ case_id: string }>('SELECT case_id::text FROM rm_case LIMIT 1')).rows.map((r) => r.case_id);
    expectStatus(await call(p.node, 'GET', `/v1/cases/${caseId}`, { token: p.world.officers[SAIGON]!.token, purpose: 'staleness test' }), 200, 'read');
    const { rows: n } = await p.pool.query<{ n: string }>('SELECT count(*) AS n FROM event_records');
    await waitFor(async () => ((await p.node.ledger.latestCheckpoint())?.treeSize ?? 0) >= Number(n[0]!.n), { what: '79 sealed', timeoutMs: 60_000 });
    await waitFor(async () => {
      await mirror.syncOnce();
      const m = (await mirror.status()).find((x) => x.province === SAIGON)!;
      return m.provinceSize! > m.size;
    }, { what: 'the mirror sees 79’s newer checkpoint' });
    // Read just now (299 s ago on the watch's clock); its cosignature is older than that.
    const cosigned79 = Date.parse((await witness.status()).find((l) => l.province === SAIGON)!.cosignedAt!);
    await waitFor(() => Date.now() > cosigned79 + 1500, { what: 'a later second', timeoutMs: 5000 });
    await mirror.syncOnce();
    await later(299_000);
    expect(of(await status(), SAIGON).reasons).to.deep.equal(['checkpoint-old']);

    // Cosigned and mirrored: fresh again.
    expect((await p.submitter.submitOnce()).outcome).to.equal('cosigned');
    await mirror.syncOnce();
    await later(299_000);
    expect(of(await status(), SAIGON)).to.include({ stale: false });
    expect(await metrics.registry.metrics()).to.match(/tec_federation_stale\{province="79"\} 0/);
    expect(changes.filter((c) => c.startsWith(SAIGON))).to.deep.equal(['79 province-unreachable', '79 checkpoint-old', '79 fresh']);
  });
});
