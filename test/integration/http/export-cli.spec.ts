/**
 * `tec export` against the configured services (the same PostgreSQL, evidence directory and ledger key as a
 * running API node): the bundle it writes verifies, and carries the CLI's own custody record. Bad arguments
 * exit 2, an unknown case exits 1 and writes nothing.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundleZip, verifyBundle } from '../../../src/domain/bundle/index.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { HANOI, buildHttpWorld, expectStatus, ingest, signedDetection } from './support/world.ts';

describe('tec export', function () {
  this.timeout(120_000);
  let node: ApiNode;
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
    const world = await buildHttpWorld(node);
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

  it('exits 2 on a malformed case id and 1 on an unknown case, writing nothing', async () => {
    const out = join(node.dir, 'never.zip');
    expect((await run(['--case', 'NOT-A-UUID', '--out', out])).status).to.equal(2);
    const unknown = await run(['--case', '00000000-0000-4000-8000-000000000000', '--out', out]);
    expect(unknown.status, unknown.stderr).to.equal(1);
    expect(existsSync(out)).to.equal(false);
  });
});
