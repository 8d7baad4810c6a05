/**
 * The auditor's export of the access history (docs/data-protection.md, "Auditor export"): the custody log of
 * a case, of one evidence item, or of one officer's accesses, as CSV (RFC 4180, no formula injection) and as
 * PDF; auditors only.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { accessHistoryCsv } from '../../../src/commands/access-history.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, call, expectStatus, ingest, signedDetection, type HttpWorld } from './support/world.ts';

describe('auditor access-history export (CSV, PDF)', function () {
  this.timeout(120_000);
  let node: ApiNode;
  let world: HttpWorld;
  let auditor: string;

  before(async () => {
    node = await startApiNode('http_access_history');
    world = await buildHttpWorld(node);
    auditor = await node.token('auditor', '00', 'aud-history');
  });
  after(async () => node?.close());

  it('exports who accessed a case, an evidence item and what an officer accessed, as CSV and PDF', async () => {
    const officer = world.officers[HANOI]!;
    const signed = await signedDetection(world.cameras[HANOI]!);
    const created = await ingest(node, world.cameras[HANOI]!, signed);
    expectStatus(created, 201);
    const caseId: string = created.json.caseId;
    const digest = signed.detection.evidence[0]!.digest;
    expectStatus(await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'review, with a comma' }), 200);
    expectStatus(await call(node, 'GET', `/v1/cases/${caseId}/evidence/${digest}`, { token: officer.token, purpose: '-1 (formula) check' }), 200);

    const byCase = await call(node, 'GET', `/v1/audit/access-history?caseId=${caseId}`, { token: auditor });
    expectStatus(byCase, 200);
    expect(byCase.headers.get('content-type')).to.match(/^text\/csv/);
    const lines = byCase.text.trimEnd().split('\r\n');
    expect(lines[0]).to.equal('"accessedAt","caseId","digest","actorKind","actorId","access","purpose","recordId"');
    expect(lines).to.have.length(3);
    expect(lines[1]).to.contain('"review, with a comma"');
    expect(lines[2]).to.contain(`"${digest}"`);
    expect(lines[2]).to.contain(`"'-1 (formula) check"`);

    const byDigest = await call(node, 'GET', `/v1/audit/access-history?digest=${encodeURIComponent(digest)}`, { token: auditor });
    expect(byDigest.text.trimEnd().split('\r\n')).to.have.length(2);
    const byOfficer = await call(node, 'GET', `/v1/audit/access-history?officerId=${officer.officerId}`, { token: auditor });
    expect(byOfficer.text.trimEnd().split('\r\n').length).to.be.at.least(3);
    expect(byOfficer.text).to.contain(caseId);

    const pdf = await call(node, 'GET', `/v1/audit/access-history?caseId=${caseId}&format=pdf`, { token: auditor });
    expectStatus(pdf, 200);
    expect(pdf.headers.get('content-type')).to.equal('application/pdf');
    expect(Buffer.from(pdf.bytes.subarray(0, 5)).toString('latin1')).to.equal('%PDF-');

    expectStatus(await call(node, 'GET', `/v1/audit/access-history?caseId=${caseId}`, { token: officer.token }), 403);
    expectStatus(await call(node, 'GET', `/v1/audit/access-history?caseId=${caseId}&officerId=x`, { token: auditor }), 400);
  });

  it('`tec audit access-history` gives the API\'s CSV bytes from the event store, a PDF with --out, and exit 2 on bad arguments', async () => {
    const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/tec.js', 'audit', 'access-history', ...args], {
          env: { PATH: process.env.PATH ?? '', DATABASE_URL: node.db.url, DATA_DIR: join(node.dir, 'cli'), LOG_LEVEL: 'silent' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += String(d)));
        child.stderr.on('data', (d) => (stderr += String(d)));
        child.once('error', reject);
        child.once('close', (status) => resolve({ status, stdout, stderr }));
      });
    const officer = world.officers[HANOI]!;
    const signed = await signedDetection(world.cameras[HANOI]!);
    const created = await ingest(node, world.cameras[HANOI]!, signed);
    expectStatus(created, 201);
    const caseId: string = created.json.caseId;
    expectStatus(await call(node, 'GET', `/v1/cases/${caseId}`, { token: officer.token, purpose: 'review from the CLI spec' }), 200);

    const api = await call(node, 'GET', `/v1/audit/access-history?caseId=${caseId}`, { token: auditor });
    const cli = await run(['--case', caseId]);
    expect(cli.status, cli.stderr).to.equal(0);
    expect(cli.stdout).to.equal(api.text);
    expect(cli.stdout).to.contain('review from the CLI spec');

    const byOfficer = await run(['--officer', officer.officerId]);
    expect(byOfficer.status, byOfficer.stderr).to.equal(0);
    expect(byOfficer.stdout).to.equal((await call(node, 'GET', `/v1/audit/access-history?officerId=${officer.officerId}`, { token: auditor })).text);

    const out = join(node.dir, 'history.pdf');
    const pdf = await run(['--case', caseId, '--format', 'pdf', '--out', out]);
    expect(pdf.status, pdf.stderr).to.equal(0);
    expect((await readFile(out)).subarray(0, 5).toString('latin1')).to.equal('%PDF-');

    for (const bad of [[], ['--case', caseId, '--officer', 'x'], ['--digest', 'sha256:nothex'], ['--case', caseId, '--format', 'pdf'], ['--case', caseId, '--format', 'xml']]) {
      const refused = await run(bad);
      expect(refused.status, `${bad.join(' ')}: ${refused.stderr}`).to.equal(2);
      expect(refused.stderr).to.match(/^tec: /m);
    }
  });

  it('writes an empty history as the header line only', () => {
    const row = { accessedAt: 't', caseId: 'c', digest: '', actorKind: 'officer', actorId: '=cmd', access: 'view', purpose: 'say "hi"', recordId: 'r' };
    expect(accessHistoryCsv([row]).split('\r\n')[1]).to.equal(`"t","c","","officer","'=cmd","view","say ""hi""","r"`);
    expect(accessHistoryCsv([])).to.equal('"accessedAt","caseId","digest","actorKind","actorId","access","purpose","recordId"\r\n');
  });
});
