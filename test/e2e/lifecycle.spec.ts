/**
 * End to end over HTTP, with real tokens, real Ed25519 signatures, real PostgreSQL, the ledger sequencer, the
 * projections and the registry stand-in: register cameras and officers, approve the model, ingest a signed
 * detection with JPEG evidence, review (confirm) with the officer's signature, record the owner, notify,
 * decide, pay, close; export the court bundle over HTTP; verify it with `verifyBundle` and `tec verify`;
 * tamper with it and see each failure code.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  readBundleZip,
  verifyBundle,
  writeBundleZip,
  type BundleReport,
} from '../../src/domain/bundle/index.ts';
import { canonicalize } from '../../src/domain/integrity/canonical.ts';
import { parseCheckpointBody } from '../../src/domain/integrity/checkpoint-core.ts';
import { signCheckpoint } from '../../src/domain/integrity/checkpoint.ts';
import { evidenceDigest } from '../../src/domain/integrity/hash.ts';
import { streams } from '../../src/domain/record.ts';
import {
  buildDecisionSignoff,
  buildRecordSignoff,
  buildReviewSignoff,
  buildVoidSignoff,
  signSignoff,
} from '../../src/domain/signoff/index.ts';
import { generateKeyPair } from '../../src/domain/signoff/keys.ts';
import { startApiNode, type ApiNode } from '../integration/http/support/api-node.ts';
import {
  HANOI,
  SAIGON,
  buildHttpWorld,
  call,
  carViolation,
  expectStatus,
  ingest,
  signedDetection,
  type HttpWorld,
} from '../integration/http/support/world.ts';
import { waitFor } from '../support/env.ts';

const PURPOSE = 'review of case evidence';
const PLATE = '30A-123.45';
const CERTIFICATE = 'DK-01-000123456';

function failedCodes(report: BundleReport): string[] {
  return report.checks.filter((c) => c.status === 'fail').map((c) => c.code);
}

function tec(args: string[]): { status: number | null; stdout: string } {
  const run = spawnSync(process.execPath, ['bin/tec.js', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tampering edits arbitrary JSON
type Line = Record<string, any>;

function editLines(
  entries: Map<string, Uint8Array>,
  edit: (lines: Line[]) => Line[],
): Map<string, Uint8Array> {
  const text = Buffer.from(entries.get('records.jsonl')!).toString('utf8');
  const lines = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Line);
  const out = new Map(entries);
  out.set(
    'records.jsonl',
    new Uint8Array(
      Buffer.from(
        edit(lines)
          .map((l) => `${canonicalize(l)}\n`)
          .join(''),
      ),
    ),
  );
  return out;
}

describe('end to end: the case lifecycle over HTTP, the court bundle and its verifier', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;
  let caseId: string;
  let images: Uint8Array[];
  let bundle: Uint8Array;
  let entries: Map<string, Uint8Array>;

  before(async function () {
    node = await startApiNode('e2e_lifecycle', {
      projections: true,
      vehicles: [
        {
          plate: '30A12345',
          registrationNumber: CERTIFICATE,
          vehicleClass: 'car',
          owner: {
            ref: 'own-e2e-0001',
            kind: 'individual',
            name: 'Nguyễn Văn An',
            address: '1 Kim Mã, Hà Nội',
          },
        },
      ],
    });
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  it('drives a detection through review, owner, notice, decision, payment and closing', async () => {
    const camera = world.cameras[HANOI]!;
    const officer = world.officers[HANOI]!;
    const signed = await signedDetection(camera, { plate: PLATE });
    images = signed.images;
    const created = await ingest(node, camera, signed);
    expectStatus(created, 201, 'ingest');
    caseId = created.json.caseId;

    expectStatus(await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token }), 400, 'no purpose');
    const detail = await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: PURPOSE });
    expectStatus(detail, 200, 'detail');
    expect(detail.headers.get('etag')).to.equal(`"${detail.json.revision}"`);
    const basis = detail.json.signoffBasis;
    expect(basis.evidence).to.deep.equal(signed.detection.evidence.map((e) => e.digest).sort());

    const download = await call(node, 'GET', `/v1/cases/${caseId}/evidence/${evidenceDigest(images[0]!)}`, {
      token: officer.token,
      purpose: PURPOSE,
    });
    expectStatus(download, 200, 'download');
    expect(Buffer.from(download.bytes).equals(Buffer.from(images[0]!))).to.equal(true);
    const custody = await node.store.readStream(streams.custody(caseId));
    expect(custody.map((r) => (r.record.data as { access: string }).access)).to.deep.equal([
      'view',
      'download',
    ]);
    expect(custody[1]!.record.data).to.include({ digest: evidenceDigest(images[0]!), purpose: PURPOSE });
    expect(custody[1]!.record.meta.actor).to.deep.equal({ kind: 'officer', id: officer.officerId });

    const review = signSignoff(
      buildReviewSignoff({
        caseId,
        caseRevision: basis.caseRevision,
        violationCode: basis.violationCode,
        plate: PLATE,
        evidence: basis.evidence,
        signedAt: new Date().toISOString(),
        decision: 'confirm',
      }),
      officer.key.secretKey,
    );
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/review`, {
        token: officer.token,
        body: review,
        headers: { 'if-match': '"41"' },
      }),
      412,
      'stale If-Match',
    );
    const confirmed = await call(node, 'POST', `/v1/cases/${caseId}/review`, {
      token: officer.token,
      body: review,
      headers: { 'if-match': detail.headers.get('etag')! },
    });
    expectStatus(confirmed, 200, 'review');
    expect(confirmed.json.status).to.equal('confirmed');
    // A court reads but never writes.
    const court = await node.token('court', HANOI, 'toa-an-hn-01');
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/review`, { token: court, body: review }),
      403,
      'court writes',
    );

    const owner = await call(node, 'POST', `/v1/cases/${caseId}/owner`, {
      token: officer.token,
      body: { owner: { kind: 'individual', ref: 'own-e2e-0001' }, registry: 'vn-vehicle-registry' },
    });
    expectStatus(owner, 200, 'owner');
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/notices`, {
        token: officer.token,
        body: { noticeId: 'ntc-e2e-1', channel: 'vnetraffic' },
      }),
      200,
      'notice',
    );
    const delivered = await call(node, 'POST', `/v1/cases/${caseId}/notices/ntc-e2e-1/delivery`, {
      token: officer.token,
      body: { outcome: 'delivered' },
    });
    expectStatus(delivered, 200, 'delivery');

    const entry = carViolation();
    // The violation record (biên bản) before the decision, signed record/v1 by the officer who draws it up.
    const beforeRecord = await call(node, 'GET', `/v1/cases/${caseId}`, {
      token: officer.token,
      purpose: 'violation record',
    });
    const record = signSignoff(
      buildRecordSignoff({
        caseId,
        caseRevision: beforeRecord.json.revision,
        violationCode: entry.code,
        plate: PLATE,
        evidence: beforeRecord.json.signoffBasis.evidence,
        signedAt: new Date().toISOString(),
        recordId: 'bb-e2e-0001',
        offender: { kind: 'individual', ref: 'own-e2e-0001' },
      }),
      officer.key.secretKey,
    );
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/record`, { token: officer.token, body: record }),
      200,
      'record',
    );
    const now = await call(node, 'GET', `/v1/cases/${caseId}`, {
      token: officer.token,
      purpose: 'decision on the penalty',
    });
    const decision = signSignoff(
      buildDecisionSignoff({
        caseId,
        caseRevision: now.json.revision,
        violationCode: entry.code,
        plate: PLATE,
        evidence: now.json.signoffBasis.evidence,
        signedAt: new Date().toISOString(),
        fineVnd: entry.fineMinVnd,
        points: entry.points,
        legalBasis: entry.legalBasis,
        offender: { kind: 'individual', ref: 'own-e2e-0001' },
      }),
      officer.key.secretKey,
    );
    const decided = await call(node, 'POST', `/v1/cases/${caseId}/decision`, {
      token: officer.token,
      body: decision,
      headers: { 'if-match': now.headers.get('etag')! },
    });
    expectStatus(decided, 200, 'decision');
    expect(decided.json.status).to.equal('decided');
    const wrongAmount = await call(node, 'POST', `/v1/cases/${caseId}/payments`, {
      token: officer.token,
      body: { paymentRef: 'pay-e2e-0', amountVnd: entry.fineMinVnd + 1, channel: 'state-treasury' },
    });
    expect(wrongAmount.status).to.equal(422);
    expectStatus(
      await call(node, 'POST', `/v1/cases/${caseId}/payments`, {
        token: officer.token,
        body: { paymentRef: 'pay-e2e-1', amountVnd: entry.fineMinVnd, channel: 'state-treasury' },
      }),
      200,
      'payment',
    );
    const closed = await call(node, 'POST', `/v1/cases/${caseId}/close`, { token: officer.token, body: {} });
    expectStatus(closed, 200, 'close');
    expect(closed.json.status).to.equal('closed');
    const types = (await node.store.readStream(streams.case(caseId))).map((r) => r.record.type);
    expect(types).to.deep.equal([
      'ViolationDetected',
      'ReviewConfirmed',
      'OwnerIdentified',
      'NoticeIssued',
      'NoticeDelivered',
      'ViolationRecordDrawn',
      'PenaltyDecided',
      'PaymentRecorded',
      'CaseClosed',
    ]);
  });

  it('lets a citizen look the violation up with the plate and the registration certificate, and nobody else', async () => {
    const found = await waitFor(
      async () => {
        const r = await call(
          node,
          'GET',
          `/v1/public/violations?plate=${encodeURIComponent(PLATE)}&certificate=${CERTIFICATE}`,
        );
        return r.status === 200 && r.json.violations.length === 1 ? r : undefined;
      },
      { what: 'the citizen view to publish the case' },
    );
    expect(Object.keys(found.json.violations[0]).sort()).to.deep.equal(
      [
        'detectingUnit',
        'observedAt',
        'place',
        'plate',
        'plateColour',
        'status',
        'vehicleType',
        'violation',
        'violationCode',
        // The vehicle's flag when its owner did not respond to the notice (Circular 73/2024 Art. 24).
        'ownerUnresponsive',
        // A case handed over to another node's province: which province and unit (null otherwise).
        'transferredTo',
        // The portal's fields for the papers holder (docs/citizen-portal.md): no owner, officer or key.
        'ref',
        'handlingUnitPhone',
        'fineRange',
        'decision',
        'deadlines',
        'amountDue',
        'payment',
        'paid',
        'complaints',
        'privacyImage',
        'canPay',
        'canComplain',
        // Whether and how the notice was answered online (no owner: only whether a driver must be named).
        'response',
        // The handling province node's portal (set on the national node only).
        'followAt',
      ].sort(),
    );
    const wrong = await call(
      node,
      'GET',
      `/v1/public/violations?plate=${encodeURIComponent(PLATE)}&certificate=DK-01-999999999`,
    );
    expectStatus(wrong, 200);
    expect(wrong.json.violations).to.deep.equal([]);
    const custody = await node.store.readStream(streams.custody(caseId));
    expect(
      custody.some(
        (r) =>
          (r.record.data as { access: string }).access === 'lookup' && r.record.meta.actor.kind === 'citizen',
      ),
    ).to.equal(true);
  });

  it('exports the court bundle over HTTP (custody first), which verifyBundle and `tec verify` accept', async () => {
    const court = await node.token('court', HANOI, 'toa-an-hn-01');
    expectStatus(await call(node, 'GET', `/v1/cases/${caseId}/bundle`, { token: court }), 400, 'no purpose');
    const other = await call(node, 'GET', `/v1/cases/${caseId}/bundle`, {
      token: world.officers[SAIGON]!.token,
      purpose: 'curiosity',
    });
    expectStatus(other, 404, 'another province');
    const reply = await call(node, 'GET', `/v1/cases/${caseId}/bundle`, {
      token: court,
      purpose: 'court case file, Toa an nhan dan Ha Noi',
    });
    expectStatus(reply, 200, 'bundle');
    expect(reply.headers.get('content-type')).to.equal('application/zip');
    expect(reply.headers.get('content-disposition')).to.equal(`attachment; filename="case-${caseId}.zip"`);
    bundle = reply.bytes;
    entries = await readBundleZip(bundle);
    const report = verifyBundle(entries, { trustedKey: node.ledger.verifierKey() });
    expect(failedCodes(report)).to.deep.equal([]);
    expect(report.valid).to.equal(true);
    const manifest = JSON.parse(Buffer.from(entries.get('manifest.json')!).toString('utf8'));
    expect(manifest.exportedBy).to.deep.equal({ kind: 'officer', id: 'court:toa-an-hn-01' });
    expect(Object.keys(manifest.streams).sort()).to.deep.equal(
      [
        streams.case(caseId),
        streams.custody(caseId),
        // The court's request placed a hold before the export: the case's retention stream travels with it.
        streams.retention(caseId),
        streams.camera(world.cameras[HANOI]!.cameraId),
        streams.officer(world.officers[HANOI]!.officerId),
      ].sort(),
    );
    const holds = Buffer.from(entries.get('records.jsonl')!).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { record: { stream: string; type: string } });
    expect(holds.filter((l) => l.record.stream === streams.retention(caseId)).map((l) => l.record.type)).to.deep.equal(['LegalHoldPlaced']);
    expect(manifest.evidence.map((e: { digest: string }) => e.digest)).to.deep.equal(
      images.map((b) => evidenceDigest(b)).sort(),
    );
    // The export is itself in the custody log, and sealed into the bundle it produced.
    const records = Buffer.from(entries.get('records.jsonl')!)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const exported = records.filter(
      (l) => l.record.stream === streams.custody(caseId) && l.record.data.access === 'export',
    );
    expect(exported).to.have.length(1);
    expect(exported[0].record.data.purpose).to.equal('court case file, Toa an nhan dan Ha Noi');

    const file = join(node.dir, `case-${caseId}.zip`);
    await writeFile(file, bundle);
    const ok = tec(['verify', file, '--trusted-key', node.ledger.verifierKey()]);
    expect(ok.status, ok.stdout).to.equal(0);
    expect(ok.stdout).to.contain('VALID');
  });

  it('finds each kind of tampering with its failure code (verifyBundle and tec verify exit 1)', async () => {
    const vkey = node.ledger.verifierKey();
    const check = (mutated: Map<string, Uint8Array>) =>
      failedCodes(verifyBundle(mutated, { trustedKey: vkey }));

    const oneByte = new Map(entries);
    const recordsBytes = new Uint8Array(entries.get('records.jsonl')!);
    const at = Buffer.from(recordsBytes).indexOf('"ViolationDetected"') + 3;
    recordsBytes[at] = recordsBytes[at]! ^ 0x01;
    oneByte.set('records.jsonl', recordsBytes);
    expect(check(oneByte)).to.include('RECORD_HASH');

    const removed = editLines(entries, (lines) => {
      const i = lines.findIndex((l) => l.record.stream === streams.case(caseId) && l.record.revision === 3);
      return lines.filter((_, j) => j !== i);
    });
    expect(check(removed)).to.include('CHAIN');

    const evidenceName = `evidence/${evidenceDigest(images[0]!).slice(7)}`;
    const changed = new Map(entries);
    const blob = new Uint8Array(entries.get(evidenceName)!);
    blob[blob.length - 3] = blob[blob.length - 3]! ^ 0xff;
    changed.set(evidenceName, blob);
    expect(check(changed)).to.include('EVIDENCE');
    const missing = new Map(entries);
    missing.delete(evidenceName);
    expect(check(missing)).to.include('EVIDENCE');

    const forged = editLines(entries, (lines) =>
      lines.map((l) => {
        if (l.record.type !== 'ReviewConfirmed') return l;
        const stranger = signSignoff(l.record.data.signoff, generateKeyPair().secretKey);
        return { ...l, record: { ...l.record, data: { ...l.record.data, signature: stranger.signature } } };
      }),
    );
    expect(check(forged)).to.include('SIGNOFF_SIGNATURE');

    const note = Buffer.from(entries.get('checkpoint.txt')!).toString('utf8');
    const otherKey = new Uint8Array(32).fill(9);
    const resigned = new Map(entries);
    resigned.set(
      'checkpoint.txt',
      new Uint8Array(
        Buffer.from(signCheckpoint(parseCheckpointBody(note.slice(0, note.indexOf('\n\n') + 1)), otherKey)),
      ),
    );
    expect(check(resigned)).to.include('CHECKPOINT');

    const proofs = JSON.parse(Buffer.from(entries.get('proofs.json')!).toString('utf8'));
    const firstLeaf = Object.keys(proofs.inclusion).find((k) => proofs.inclusion[k].length > 0)!;
    const path = proofs.inclusion[firstLeaf];
    path[0] = `${path[0].slice(0, -1)}${path[0].endsWith('0') ? '1' : '0'}`;
    const wrongProof = new Map(entries);
    wrongProof.set('proofs.json', new Uint8Array(Buffer.from(JSON.stringify(proofs))));
    expect(check(wrongProof)).to.include('INCLUSION');

    const byService = editLines(entries, (lines) =>
      lines.map((l) =>
        l.record.type === 'ReviewConfirmed'
          ? {
              ...l,
              record: {
                ...l.record,
                meta: { ...l.record.meta, actor: { kind: 'service', id: 'anpr-worker' } },
              },
            }
          : l,
      ),
    );
    expect(check(byService)).to.include('RULES');

    const file = join(node.dir, 'tampered.zip');
    await writeFile(file, await writeBundleZip(changed));
    const bad = tec(['verify', file, '--trusted-key', vkey]);
    expect(bad.status, bad.stdout).to.equal(1);
    expect(bad.stdout).to.contain('FAIL  EVIDENCE');
    await writeFile(join(node.dir, 'garbage.zip'), 'not a zip');
    expect(tec(['verify', join(node.dir, 'garbage.zip')]).status).to.equal(2);
  });

  it('refuses a sign-off under a revoked key, and voids a case with a supervisor’s signed void/v1 sign-off', async () => {
    const camera = world.cameras[HANOI]!;
    const officer = world.officers[HANOI]!;
    const created = await ingest(node, camera, await signedDetection(camera));
    expectStatus(created, 201);
    const id = created.json.caseId;
    const detail = await call(node, 'GET', `/v1/cases/${id}`, {
      token: officer.supervisorToken,
      purpose: PURPOSE,
    });
    const basis = detail.json.signoffBasis;

    const oldKey = officer.key;
    const rotated = generateKeyPair();
    expectStatus(
      await call(node, 'POST', `/v1/admin/officers/${officer.officerId}/keys`, {
        token: world.adminToken,
        body: { publicKey: rotated.publicKey },
      }),
      200,
      'rotate',
    );
    expectStatus(
      await call(node, 'POST', `/v1/admin/officers/${officer.officerId}/keys/${oldKey.keyId}/revoke`, {
        token: world.adminToken,
        body: { reason: 'device lost' },
      }),
      200,
      'revoke',
    );
    const late = signSignoff(
      buildReviewSignoff({
        caseId: id,
        caseRevision: basis.caseRevision,
        violationCode: basis.violationCode,
        plate: PLATE,
        evidence: basis.evidence,
        signedAt: new Date().toISOString(),
        decision: 'confirm',
      }),
      oldKey.secretKey,
    );
    const refused = await call(node, 'POST', `/v1/cases/${id}/review`, { token: officer.token, body: late });
    expect(refused.status).to.equal(403);
    expect(refused.json.type).to.match(/officer-key-not-in-force$/);
    officer.key = rotated;

    const voidSignoff = signSignoff(
      buildVoidSignoff({
        caseId: id,
        caseRevision: basis.caseRevision,
        violationCode: basis.violationCode,
        plate: PLATE,
        evidence: basis.evidence,
        signedAt: new Date().toISOString(),
        voidReason: 'Camera installed at the wrong stop line',
      }),
      rotated.secretKey,
    );
    expectStatus(
      await call(node, 'POST', `/v1/cases/${id}/void`, { token: officer.token, body: voidSignoff }),
      403,
      'officer role may not void',
    );
    const voided = await call(node, 'POST', `/v1/cases/${id}/void`, {
      token: officer.supervisorToken,
      body: voidSignoff,
    });
    expectStatus(voided, 200, 'void');
    expect(voided.json.status).to.equal('voided');
  });
});
