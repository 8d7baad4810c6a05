/**
 * Court bundles carry the national cosignature (integrity.md §10; docs/federation.md "Bundles"): a provincial
 * node whose checkpoint the national witness cosigned exports a case at the newest cosigned checkpoint
 * covering it, with the witness key in keys.json. `tec verify --trusted-witness` names the witness that
 * verified; a bundle exported before any cosignature still verifies and says no trusted witness verified it;
 * a verifier that ignores witnesses (keys.json's log key only, bundle.md as it stood) still accepts it.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { LogPublisher } from '../../../src/adapters/ledger/log.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { Witness } from '../../../src/adapters/witness/witness.ts';
import { createBundleExporter } from '../../../src/bundle-export/index.ts';
import { loadProvincialLogRegistry } from '../../../src/commands/federation.ts';
import { systemClock, uuidV7Ids } from '../../../src/commands/deps.ts';
import { readBundleZip, verifyBundle } from '../../../src/domain/bundle/index.ts';
import { openCheckpoint, publicKeyFromSeed, sha256, witnessVerifierKey } from '../../../src/domain/integrity/index.ts';
import { checkTrustedWitnesses } from '../../../src/cli/commands/verify.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';
import { HANOI, buildHttpWorld, expectStatus, ingest, signedDetection } from '../http/support/world.ts';

function tec(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/tec.js', ...args], { env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('court bundles with the national cosignature', function () {
  this.timeout(180_000);
  let national: ApiNode;
  let province: ApiNode;
  let nationalPool: pg.Pool;
  let provincePool: pg.Pool;
  let witness: Witness;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-bundle-witness-'));
    national = await startApiNode('bw_national', { sequencer: false });
    province = await startApiNode('bw_province', { checkpointIntervalMs: 50 });
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 4 });
    provincePool = new pg.Pool({ connectionString: province.db.url, max: 4 });
    witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('national witness seed (bundle spec)'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    const admin = await national.token('admin', '00', 'adm-00-1');
    const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ province: '01', origin: province.ledger.origin, verifierKey: province.ledger.verifierKey(), baseUrl: province.url }),
    });
    expect(res.status).to.equal(201);
  });
  after(async () => {
    await nationalPool?.end();
    await provincePool?.end();
    await province?.close();
    await national?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exports at the newest cosigned checkpoint with the witness key; both verifiers accept; the CLI names the witness', async () => {
    const world = await buildHttpWorld(province);
    const camera = world.cameras[HANOI]!;
    const created = await ingest(province, camera, await signedDetection(camera));
    expectStatus(created, 201);
    const caseId = created.json.caseId as string;
    const exporter = createBundleExporter({
      store: province.store,
      evidence: province.evidence,
      ledger: province.ledger,
      commandDeps: { store: province.store, clock: systemClock, ids: uuidV7Ids },
      witnessVerifierKeys: [witness.verifierKey()],
      cosignedCheckpoint: (min) => new LogPublisher(provincePool).newestCosignedCheckpoint(min),
    });
    const caller = { actor: { kind: 'officer' as const, id: 'court-01' }, province: '01' };

    // Before any cosignature: the bundle carries the log's signature alone and still verifies.
    const plain = await exporter.exportCase({ caseId, caller, purpose: 'court request 1', sealWaitMs: 30_000 });
    await writeFile(join(dir, 'plain.zip'), plain.bytes);
    const plainCli = await tec(['verify', join(dir, 'plain.zip'), '--trusted-key', province.ledger.verifierKey(), '--trusted-witness', witness.verifierKey()]);
    expect(plainCli.status, plainCli.stdout + plainCli.stderr).to.equal(0);
    expect(plainCli.stdout).to.include('has no cosignature in this bundle');
    expect(plainCli.stdout).to.include('no trusted witness verified this bundle');

    // The province submits; the witness cosigns.
    const submitter = new CheckpointSubmitter({
      db: provincePool,
      ledger: province.ledger,
      witnessUrl: `${national.url}/witness`,
      witnessKey: witness.verifierKey(),
      clock: systemClock,
    });
    const r = await submitter.submitOnce();
    expect(r.outcome).to.equal('cosigned');

    const cosigned = await exporter.exportCase({ caseId, caller, purpose: 'court request 2', sealWaitMs: 30_000 });
    const entries = await readBundleZip(cosigned.bytes);
    const keys = JSON.parse(new TextDecoder().decode(entries.get('keys.json')!)) as { log: string; witnesses: string[] };
    expect(keys.witnesses).to.deep.equal([witness.verifierKey()]);
    const report = verifyBundle(entries, { trustedKey: province.ledger.verifierKey() });
    expect(report.valid, JSON.stringify(report.checks.filter((c) => c.status === 'fail'))).to.equal(true);
    expect(report.witnesses.map((w) => w.name)).to.deep.equal(['vn-traffic/national-witness']);
    expect(checkTrustedWitnesses(entries, [witness.verifierKey()])[0]!.status).to.equal('verified');
    const other = witnessVerifierKey('vn-traffic/national-witness', publicKeyFromSeed(sha256('another witness')));
    expect(checkTrustedWitnesses(entries, [other])[0]!.status).to.equal('absent'); // same name, another key: another key id

    // A verifier that knows nothing of witnesses: the checkpoint opens under the log key alone.
    const checkpoint = new TextDecoder().decode(entries.get('checkpoint.txt')!);
    expect(openCheckpoint(checkpoint, [keys.log]).checkpoint.size).to.equal(cosigned.treeSize);

    await writeFile(join(dir, 'cosigned.zip'), cosigned.bytes);
    const cli = await tec(['verify', join(dir, 'cosigned.zip'), '--trusted-key', province.ledger.verifierKey(), '--trusted-witness', witness.verifierKey()]);
    expect(cli.status, cli.stdout + cli.stderr).to.equal(0);
    expect(cli.stdout).to.match(/trusted witness: vn-traffic\/national-witness VERIFIED, cosigned at \d{4}-/);
  });
});
