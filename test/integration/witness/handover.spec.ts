/**
 * Case handover between provinces across nodes (docs/federation.md "Case handover"), with three real nodes in
 * one process (each its own database, ledger, evidence store and HTTP server; one shared development issuer,
 * as the demo's nodes share one): province 01's officer transfers a case to 79 on 01's node, which closes it
 * there; the national witness cosigns 01's checkpoint and the national mirror follows 01's log; the national
 * relay lists the transfer for 79; 79's HandoverReceiver fetches 01's court bundle, verifies it, stores the
 * originals and opens the linked case, where 79's officer carries on. A relayed item that does not match the
 * sending bundle opens nothing.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { LogPublisher } from '../../../src/adapters/ledger/log.ts';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import { HANDOVER_SUBJECT, HandoverBundleError, HandoverReceiver, type RelayedHandoverItem } from '../../../src/adapters/witness/handover-receiver.ts';
import { MirrorFollower } from '../../../src/adapters/witness/mirror.ts';
import { NationalViews } from '../../../src/adapters/witness/national-views.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { Witness } from '../../../src/adapters/witness/witness.ts';
import { createBundleExporter } from '../../../src/bundle-export/index.ts';
import { loadProvincialLogRegistry } from '../../../src/commands/federation.ts';
import { loadStream } from '../../../src/commands/handler.ts';
import { systemClock, uuidV7Ids } from '../../../src/commands/deps.ts';
import { caseDecider } from '../../../src/domain/case/decider.ts';
import { parseCaseEvent } from '../../../src/domain/case/events.ts';
import { sha256, sha256Hex, sign } from '../../../src/domain/integrity/index.ts';
import { readBundleZip, verifyBundle } from '../../../src/domain/bundle/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { buildRecordSignoff, buildReviewSignoff, buildTransferSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { expectDeclaredResponse } from '../../support/declared-response.ts';
import { waitFor } from '../../support/env.ts';
import { citizenLookup } from '../../../src/projections/queries.ts';
import { detectingUnitOf } from '../../../src/projections/cases/citizen-view.ts';
import { carViolation } from '../../unit/domain/case-fixtures.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';
import { HANOI, SAIGON, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from '../http/support/world.ts';

const ORIGIN_01 = 'vn-traffic/province-01';

/** Rewrites manifest.files over the entries as they now are and signs the manifest with `seed` (the outer log's key). */
function resign(entries: Map<string, Uint8Array>, seed: Uint8Array): void {
  const manifest = JSON.parse(new TextDecoder().decode(entries.get('manifest.json')!)) as { files: Record<string, string> };
  const files: Record<string, string> = {};
  for (const name of Object.keys(manifest.files)) if (entries.has(name)) files[name] = `sha256:${sha256Hex(entries.get(name)!)}`;
  manifest.files = files;
  const bytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  entries.set('manifest.json', bytes);
  entries.set('manifest.sig', new TextEncoder().encode(Buffer.from(sign(bytes, seed)).toString('base64')));
}
const ORIGIN_79 = 'vn-traffic/province-79';

describe('case handover between provinces across nodes', function () {
  this.timeout(300_000);
  const issuerSeed = new Uint8Array(randomBytes(32));
  let national: ApiNode;
  let hanoi: ApiNode;
  let saigon: ApiNode;
  let nationalPool: pg.Pool;
  let hanoiPool: pg.Pool;
  let witness: Witness;
  let submitter: CheckpointSubmitter;
  let mirror: MirrorFollower;
  let receiver: HandoverReceiver;
  let hanoiWorld: HttpWorld;
  let saigonWorld: HttpWorld;
  const entry = carViolation();

  before(async () => {
    national = await startApiNode('ho_national', { sequencer: false, issuerSeed });
    hanoi = await startApiNode('ho_01', { checkpointIntervalMs: 50, origin: ORIGIN_01, servedProvinces: [HANOI], issuerSeed });
    saigon = await startApiNode('ho_79', { checkpointIntervalMs: 50, origin: ORIGIN_79, servedProvinces: [SAIGON], issuerSeed, projections: true });
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 6 });
    hanoiPool = new pg.Pool({ connectionString: hanoi.db.url, max: 3 });
    witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('national witness seed (handover spec)'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    national.services.nationalViews = new NationalViews(nationalPool);
    const admin = await national.token('admin', '00', 'adm-00-1');
    for (const [province, node] of [[HANOI, hanoi], [SAIGON, saigon]] as const) {
      const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ province, origin: node.ledger.origin, verifierKey: node.ledger.verifierKey(), baseUrl: node.url }),
      });
      expect(res.status).to.equal(201);
    }
    // The sending node exports at the newest cosigned checkpoint, with the witness key (as `tec serve` wires it).
    hanoi.services.bundles = createBundleExporter({
      store: hanoi.store,
      evidence: hanoi.evidence,
      ledger: hanoi.ledger,
      commandDeps: { store: hanoi.store, clock: systemClock, ids: uuidV7Ids },
      witnessVerifierKeys: [witness.verifierKey()],
      cosignedCheckpoint: (min) => new LogPublisher(hanoiPool).newestCosignedCheckpoint(min),
    });
    submitter = new CheckpointSubmitter({
      db: hanoiPool,
      ledger: hanoi.ledger,
      witnessUrl: `${national.url}/witness`,
      witnessKey: witness.verifierKey(),
      clock: systemClock,
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
      token: (province) => saigon.token('auditor', province, HANDOVER_SUBJECT),
      deps: saigon.services.commandDeps,
      evidence: saigon.evidence,
      trustedWitnesses: [witness.verifierKey()],
    });
    hanoiWorld = await buildHttpWorld(hanoi);
    saigonWorld = await buildHttpWorld(saigon);
  });
  after(async () => {
    await receiver?.stop();
    await mirror?.stop();
    await submitter?.stop();
    await nationalPool?.end();
    await hanoiPool?.end();
    await saigon?.close();
    await hanoi?.close();
    await national?.close();
  });

  async function signoffBasis(node: ApiNode, caseId: string, token: string) {
    const doc = await call(node, 'GET', `/v1/cases/${caseId}`, { token, purpose: 'handover test' });
    expectStatus(doc, 200, 'case');
    const basis = doc.json.signoffBasis as { caseRevision: number; evidence: string[]; plate: string };
    return { caseId, caseRevision: basis.caseRevision, violationCode: entry.code, plate: basis.plate, evidence: basis.evidence, signedAt: new Date().toISOString() };
  }

  /** A Hà Nội case on 01's node, reviewed, its owner known, transferred to 79 (a province 01's node does not serve). */
  async function transferredCase(): Promise<string> {
    const camera = hanoiWorld.cameras[HANOI]!;
    const created = await ingest(hanoi, camera, await signedDetection(camera));
    expectStatus(created, 201, 'ingest');
    const caseId = created.json.caseId as string;
    const officer = hanoiWorld.officers[HANOI]!;
    const post = (path: string, body: unknown) => call(hanoi, 'POST', `/v1/cases/${caseId}${path}`, { token: officer.token, body });
    const review = signSignoff(buildReviewSignoff({ ...(await signoffBasis(hanoi, caseId, officer.token)), decision: 'confirm' }), officer.key.secretKey);
    expectStatus(await post('/review', review), 200, 'review');
    expectStatus(await post('/owner', { owner: { kind: 'individual', ref: 'own-ho-1' }, registry: 'reg' }), 200, 'owner');
    const transfer = signSignoff(
      buildTransferSignoff({ ...(await signoffBasis(hanoi, caseId, officer.token)), toProvince: SAIGON, reason: 'The owner resides in TP. Hồ Chí Minh' }),
      officer.key.secretKey,
    );
    expectStatus(await post('/transfer', transfer), 200, 'transfer');
    return caseId;
  }

  /** Seals 01's log, has the witness cosign it and the national mirror follow it to the cosigned size. */
  async function witnessAndMirror(): Promise<void> {
    const { rows } = await hanoiPool.query<{ n: string }>('SELECT count(*) AS n FROM event_records');
    const appended = Number(rows[0]!.n);
    await waitFor(async () => ((await hanoi.ledger.latestCheckpoint())?.treeSize ?? 0) >= appended, { what: '01 sealed', timeoutMs: 60_000 });
    expect((await submitter.submitOnce()).outcome).to.be.oneOf(['cosigned', 'already-cosigned']);
    const cosigned = (await witness.status()).find((l) => l.origin === ORIGIN_01)!.size!;
    await waitFor(
      async () => {
        await mirror.syncOnce();
        const { rows } = await nationalPool.query<{ n: string }>('SELECT count(*) AS n FROM mirror_records WHERE origin = $1', [ORIGIN_01]);
        return Number(rows[0]!.n) >= cosigned;
      },
      { what: 'mirrored', timeoutMs: 60_000 },
    );
  }

  it('closes the case on the sending node, relays it, and opens the linked case on the receiving node, which carries on', async () => {
    const caseId = await transferredCase();
    // Closed for 01: no notice there any more.
    const { state: sent } = await loadStream(hanoi.store, streams.case(caseId), caseDecider, parseCaseEvent);
    expect(sent.status).to.equal('closed');
    expect(sent.status !== 'none' && sent.closedReason).to.equal('transferred');
    const notice01 = await call(hanoi, 'POST', `/v1/cases/${caseId}/notices`, { token: hanoiWorld.officers[HANOI]!.token, body: { noticeId: 'ntc-01', channel: 'post' } });
    expect(notice01.status).to.equal(409);

    await witnessAndMirror();
    // The relay: only the receiving province (or national staff) reads its handovers.
    const relayed = await call(national, 'GET', '/v1/federation/handovers?toProvince=79', { token: await saigon.token('auditor', SAIGON, HANDOVER_SUBJECT) });
    expectStatus(relayed, 200, 'relay list');
    expectDeclaredResponse('GET', '/v1/federation/handovers', relayed.json);
    const items = relayed.json.handovers as RelayedHandoverItem[];
    expect(items.map((h) => h.caseId)).to.deep.equal([caseId]);
    expect(items[0]).to.include({ origin: ORIGIN_01, fromProvince: HANOI, toProvince: SAIGON, logKey: hanoi.ledger.verifierKey(), baseUrl: hanoi.url });
    const other = await call(national, 'GET', '/v1/federation/handovers?toProvince=79', { token: await saigon.token('auditor', HANOI, 'aud-01') });
    expect(other.status).to.equal(403);

    // The receiving node: fetched, verified, opened once.
    expect(await receiver.round()).to.deep.equal({ received: 1, failed: 0 });
    expect(await receiver.round()).to.deep.equal({ received: 0, failed: 0 });
    const { state: got, revision } = await loadStream(saigon.store, streams.case(caseId), caseDecider, parseCaseEvent);
    expect(revision).to.equal(1n); // CaseReceived, EvidenceAttached
    if (got.status === 'none') throw new Error('no case on the receiving node');
    expect(got.status).to.equal('owner-identified');
    expect(got.province).to.equal(SAIGON);
    expect(got.received).to.include({ origin: ORIGIN_01, province: HANOI, caseId, leafIndex: items[0]!.leafIndex, recordHash: items[0]!.recordHash });
    for (const original of got.originals) expect(await saigon.evidence.has(original.digest)).to.equal(true);
    expect(got.originals.length).to.be.greaterThan(0);
    // The citizen lookup on the receiving node lists it (published: 01's officer confirmed it), found by 79 and
    // detected by 01's police.
    const plate = got.review!.plate;
    const listed = await waitFor(async () => (await citizenLookup(saigon.dataSource, plate)).find((v) => v.violationCode === entry.code), {
      what: "the received case in 79's citizen lookup",
      timeoutMs: 30_000,
    });
    expect(listed).to.include({ status: 'unresolved', detectingUnit: detectingUnitOf(HANOI), plate });
    // Custody on the sending side: the export to the receiving province's relay, with its purpose.
    const custody = await hanoi.store.readStream(streams.custody(caseId), { fromRevision: 0n, maxCount: 100 });
    const exported = custody
      .map((c) => c.record)
      .filter((r) => r.type === 'EvidenceAccessed' && r.meta.actor.id.endsWith(HANDOVER_SUBJECT) && r.data.access === 'export');
    expect(exported.map((r) => r.data.purpose)).to.deep.equal([`handover of case ${caseId} to province ${SAIGON}`]);

    // 79 carries on: its officer sees the case, issues the notice and draws the record.
    const officer = saigonWorld.officers[SAIGON]!;
    const post = (path: string, body: unknown) => call(saigon, 'POST', `/v1/cases/${caseId}${path}`, { token: officer.token, body });
    expectStatus(await post('/notices', { noticeId: 'ntc-79', channel: 'post' }), 200, 'notice in 79');
    const record = signSignoff(
      buildRecordSignoff({ ...(await signoffBasis(saigon, caseId, officer.token)), recordId: 'bb-79-1', offender: { kind: 'individual', ref: 'own-ho-1' } }),
      officer.key.secretKey,
    );
    expectStatus(await post('/record', record), 200, 'record in 79');
    const hanoiOnSaigon = await call(saigon, 'POST', `/v1/cases/${caseId}/notices`, { token: saigonWorld.officers[HANOI]!.token, body: { noticeId: 'ntc-x', channel: 'post' } });
    expect(hanoiOnSaigon.status).to.equal(404); // the sending province's officers do not even see it here

    // 79's court bundle carries 01's part: both logs verified, each under its own key and checkpoint.
    const caller = { actor: { kind: 'officer' as const, id: 'court-79' }, province: SAIGON };
    const bundle = await saigon.services.bundles!.exportCase({ caseId, caller, purpose: 'court request', sealWaitMs: 60_000 });
    const entries = await readBundleZip(bundle.bytes);
    expect([...entries.keys()].filter((n) => n.startsWith('linked/01/'))).to.include.members(['linked/01/manifest.json', 'linked/01/records.jsonl', 'linked/01/checkpoint.txt']);
    const report = verifyBundle(entries, { trustedKey: saigon.ledger.verifierKey() });
    expect(report.valid, JSON.stringify([report.checks.filter((c) => c.status === 'fail'), report.linkFailures, report.linked?.map((p) => p.link)])).to.equal(true);
    expect(report.linked).to.have.length(1);
    expect(report.linked![0]).to.include({ province: HANOI, origin: ORIGIN_01, logKey: hanoi.ledger.verifierKey(), valid: true });
    expect(report.linked![0]!.witnesses.map((w) => w.name)).to.deep.equal(['vn-traffic/national-witness']);
    expect(report.unverifiedEntries).to.deep.equal([]);

    // A tampered 01 part, even with 79's manifest re-signed over it (79 forging 01's records): 01's part fails.
    const tampered = new Map(entries);
    const records = new TextDecoder().decode(entries.get('linked/01/records.jsonl')!).replace('own-ho-1', 'own-ho-2');
    tampered.set('linked/01/records.jsonl', new TextEncoder().encode(records));
    resign(tampered, saigon.ledger.key.seed);
    const forged = verifyBundle(tampered, { trustedKey: saigon.ledger.verifierKey() });
    expect(forged.checks.every((c) => c.status === 'pass'), 'the outer bundle itself is intact').to.equal(true);
    expect(forged.valid).to.equal(false);
    expect(forged.linked![0]!.valid).to.equal(false);
    expect(forged.linked![0]!.checks.filter((c) => c.status === 'fail').map((c) => c.code)).to.include('FILES');
    // A bundle of the received case without its linked part is not valid either.
    const stripped = new Map([...entries].filter(([n]) => !n.startsWith('linked/')));
    resign(stripped, saigon.ledger.key.seed);
    const bare = verifyBundle(stripped, { trustedKey: saigon.ledger.verifierKey() });
    expect(bare.valid).to.equal(false);
    expect(bare.linkFailures!.map((f) => f.message).join()).to.match(/no linked part/);
  });

  it('opens nothing when the relayed item does not match the sending bundle (never trusts the relay)', async () => {
    const caseId = await transferredCase();
    await witnessAndMirror();
    const token = await saigon.token('auditor', SAIGON, HANDOVER_SUBJECT);
    const relayed = await call(national, 'GET', '/v1/federation/handovers?toProvince=79', { token });
    const item = (relayed.json.handovers as RelayedHandoverItem[]).find((h) => h.caseId === caseId)!;
    let refused: unknown;
    try {
      await receiver.receive({ ...item, recordHash: 'f'.repeat(64) }, token);
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(HandoverBundleError);
    try {
      refused = undefined;
      await receiver.receive({ ...item, logKey: saigon.ledger.verifierKey() }, token);
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(HandoverBundleError);
    const { state } = await loadStream(saigon.store, streams.case(caseId), caseDecider, parseCaseEvent);
    expect(state.status).to.equal('none');
  });
});
