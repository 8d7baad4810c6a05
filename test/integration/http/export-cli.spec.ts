/**
 * `tec export` against the configured services (the same PostgreSQL, evidence directory, ledger key and registry
 * as a running API node): the bundle it writes verifies, and carries the CLI's own custody record. A case with
 * an issued document exports the PDF and its input as `GET /v1/cases/{id}/bundle` does (one exporter,
 * src/node/bundles.ts): DOCUMENTS passes, and the two bundles hold the same case records, evidence and
 * documents. Bad arguments exit 2, an unknown case exits 1 and writes nothing.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundleZip, verifyBundle } from '../../../src/domain/bundle/index.ts';
import { buildRecordSignoff, buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { waitFor } from '../../support/env.ts';
import { carViolation } from '../../unit/domain/case-fixtures.ts';
import { TEST_UNIT_PHONE, startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';

describe('tec export', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;
  let caseId: string;

  // Asynchronous on purpose: this process runs the node's sequencer, which must keep sealing meanwhile.
  const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['bin/tec.js', 'export', ...args], {
        env: {
          PATH: process.env.PATH ?? '',
          DATABASE_URL: node.db.url,
          EVIDENCE_DIR: join(node.dir, 'evidence'),
          LEDGER_KEY_FILE: join(node.dir, 'keys', 'ledger.key'),
          LEDGER_ORIGIN: 'vn-traffic-evidence/test-node',
          DATA_DIR: join(node.dir, 'cli'),
          // The API node's registry and unit phone: the documents render from the same sources.
          REGISTRY_URL: node.registry.url,
          HANDLING_UNIT_PHONES: `${HANOI}=${TEST_UNIT_PHONE}`,
          LOG_LEVEL: 'silent',
        },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += String(d)));
      child.stderr.on('data', (d) => (stderr += String(d)));
      child.once('error', reject);
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });

  before(async function () {
    node = await startApiNode('http_export_cli');
    world = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;
    const created = await ingest(node, camera, await signedDetection(camera));
    expectStatus(created, 201);
    caseId = created.json.caseId;
  });
  after(async () => node?.close());

  it('writes a bundle that verifies under the node key, with its own export in the custody log', async () => {
    const out = join(node.dir, 'exported.zip');
    const result = await run(['--case', caseId, '--out', out, '--purpose', 'appeal hearing 2026-12-01']);
    expect(result.status, result.stderr + result.stdout).to.equal(0);
    expect(result.stdout).to.contain(`verifier-key: ${node.ledger.verifierKey()}`);
    const entries = await readBundleZip(new Uint8Array(await readFile(out)));
    const report = verifyBundle(entries, { trustedKey: node.ledger.verifierKey() });
    expect(report.valid, JSON.stringify(report.checks.filter((c) => c.status === 'fail'))).to.equal(true);
    const lines = Buffer.from(entries.get('records.jsonl')!)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const exportRecord = lines.find(
      (l) => l.record.type === 'EvidenceAccessed' && l.record.data.access === 'export',
    );
    expect(exportRecord.record.data.purpose).to.equal('appeal hearing 2026-12-01');
    expect(exportRecord.record.meta.actor.kind).to.equal('system');
    expect(exportRecord.record.meta.actor.id).to.match(/^tec-cli:/);
    expect(exportRecord.record.meta.province).to.equal(HANOI);
  });

  it('exports the issued documents with their inputs, as the HTTP export does', async () => {
    const owner = [...node.registry.vehicles.values()][0]!.owner;
    const officer = world.officers[HANOI]!;
    const camera = world.cameras[HANOI]!;
    const created = await ingest(node, camera, await signedDetection(camera));
    expectStatus(created, 201, 'ingest');
    const docCase = created.json.caseId as string;
    const post = (path: string, body: unknown, purpose?: string) =>
      call(node, 'POST', `/v1/cases/${docCase}${path}`, { token: officer.token, body, ...(purpose ? { purpose } : {}) });
    const basis = async () => {
      const doc = await call(node, 'GET', `/v1/cases/${docCase}`, { token: officer.token, purpose: 'export test' });
      expectStatus(doc, 200, 'case');
      const b = doc.json.signoffBasis as { caseRevision: number; evidence: string[]; plate: string };
      return { caseId: docCase, caseRevision: b.caseRevision, violationCode: carViolation().code, plate: b.plate, evidence: b.evidence, signedAt: new Date().toISOString() };
    };
    expectStatus(await post('/review', signSignoff(buildReviewSignoff({ ...(await basis()), decision: 'confirm' }), officer.key.secretKey)), 200, 'review');
    expectStatus(await post('/owner', { owner: { kind: owner.kind, ref: owner.ref }, registry: 'reg' }), 200, 'owner');
    expectStatus(await post('/notices', { noticeId: 'ntc-cli-1', channel: 'post' }), 200, 'notice');
    const record = signSignoff(buildRecordSignoff({ ...(await basis()), recordId: 'bb-cli-1', offender: { kind: owner.kind, ref: owner.ref } }), officer.key.secretKey);
    expectStatus(await post('/record', record), 200, 'record');
    const pdf = await post('/documents/record', {}, 'print the record');
    expectStatus(pdf, 200, 'record document');
    expectStatus(await post('/documents/notice', { noticeId: 'ntc-cli-1' }, 'print the notice'), 200, 'notice document');

    const out = join(node.dir, 'with-documents.zip');
    const result = await run(['--case', docCase, '--out', out]);
    expect(result.status, result.stderr + result.stdout).to.equal(0);
    const cli = await readBundleZip(new Uint8Array(await readFile(out)));
    const cliReport = verifyBundle(cli, { trustedKey: node.ledger.verifierKey() });
    expect(cliReport.checks.filter((c) => c.status === 'fail').map((c) => c.code)).to.deep.equal([]);
    expect(cliReport.checks.find((c) => c.code === 'DOCUMENTS')?.status).to.equal('pass');
    expect(cliReport.documents.map((d) => [d.entry, d.input]).sort()).to.deep.equal([
      ['documents/notice-1.pdf', 'documents/notice-1.json'],
      ['documents/record-1.pdf', 'documents/record-1.json'],
    ]);
    expect(Buffer.from(cli.get('documents/record-1.pdf')!).equals(Buffer.from(pdf.bytes))).to.equal(true);

    const court = await node.token('court', HANOI, 'toa-an-cli');
    let http: Awaited<ReturnType<typeof call>> | undefined;
    await waitFor(
      async () => {
        http = await call(node, 'GET', `/v1/cases/${docCase}/bundle`, { token: court, purpose: 'court case file' });
        return http.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the HTTP bundle once sealed' },
    );
    const web = await readBundleZip(http!.bytes);
    // The same content: evidence and documents byte for byte, and the same case records. The custody log, the
    // checkpoint, the proofs and the manifest differ by construction (each export records itself).
    const content = (entries: Map<string, Uint8Array>) =>
      new Map([...entries].filter(([name]) => name.startsWith('documents/') || name.startsWith('evidence/')).map(([name, bytes]) => [name, Buffer.from(bytes).toString('base64')]));
    expect([...content(cli).keys()].filter((n) => n.startsWith('documents/')).sort()).to.deep.equal([
      'documents/notice-1.json',
      'documents/notice-1.pdf',
      'documents/record-1.json',
      'documents/record-1.pdf',
    ]);
    expect(content(cli)).to.deep.equal(content(web));
    const caseLines = (entries: Map<string, Uint8Array>) =>
      Buffer.from(entries.get('records.jsonl')!)
        .toString('utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { record: { stream: string; id: string } })
        .filter((l) => l.record.stream === streams.case(docCase))
        .map((l) => l.record);
    expect(caseLines(cli).length).to.be.greaterThan(5);
    expect(caseLines(cli)).to.deep.equal(caseLines(web));
  });

  it('exits 2 on a malformed case id and 1 on an unknown case, writing nothing', async () => {
    const out = join(node.dir, 'never.zip');
    expect((await run(['--case', 'NOT-A-UUID', '--out', out])).status).to.equal(2);
    const unknown = await run(['--case', '00000000-0000-4000-8000-000000000000', '--out', out]);
    expect(unknown.status, unknown.stderr).to.equal(1);
    expect(existsSync(out)).to.equal(false);
  });
});
