/**
 * `tec export --data-dir` on an embedded node directory (PGlite, filesystem evidence, keys in the directory):
 * a node started with startNode ingests a case over HTTP and stops; the CLI then opens the same directory,
 * seals its own custody record and writes a bundle that verifies under the node's key.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { readBundleZip, verifyBundle } from '../../src/domain/bundle/index.ts';
import { startNode } from '../../src/node/index.ts';
import {
  HANOI,
  buildHttpWorld,
  expectStatus,
  ingest,
  signedDetection,
} from '../integration/http/support/world.ts';

function tec(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/tec.js', ...args], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('tec export --data-dir (embedded node)', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-embedded-export-'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exports a bundle from the directory that verifies under the node key', async () => {
    const config = { ...loadConfig({ LOG_LEVEL: 'silent' }, { dataDir: dir }), port: 0 };
    const node = await startNode({ config, roles: ['api', 'sequencer'], print: () => undefined });
    let caseId: string;
    let verifierKey: string;
    try {
      const issuer = node.issuer!;
      const world = await buildHttpWorld({
        url: node.url!,
        token: (role, province, subject) => issuer.mint({ subject, role, province }),
      });
      const camera = world.cameras[HANOI]!;
      const created = await ingest({ url: node.url! }, camera, await signedDetection(camera));
      expectStatus(created, 201);
      caseId = created.json.caseId;
      verifierKey = node.ledger.verifierKey();
    } finally {
      await node.stop();
    }
    const out = join(dir, 'bundle.zip');
    const result = await tec(['export', '--data-dir', dir, '--case', caseId, '--out', out]);
    expect(result.status, result.stderr + result.stdout).to.equal(0);
    const report = verifyBundle(await readBundleZip(new Uint8Array(await readFile(out))), {
      trustedKey: verifierKey,
    });
    expect(report.valid, JSON.stringify(report.checks.filter((c) => c.status === 'fail'))).to.equal(true);
    expect(report.caseId).to.equal(caseId);
  });
});
