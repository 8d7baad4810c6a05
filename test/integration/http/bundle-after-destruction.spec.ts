/**
 * Court bundles after a retention run (docs/data-protection.md, "Court bundles after destruction"): the case whose
 * originals were crypto-shredded still exports; the bundle carries the case's `retention-<caseId>` records
 * and omits exactly the destroyed blobs; the verifier reports each as "destroyed under policy X at T", never
 * as missing; `tec verify` says so too. The auditor's `ledger verify` report carries the same findings.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ledgerAuditReport } from '../../../src/adapters/http/routes/audit.ts';
import { verifyLedger } from '../../../src/adapters/ledger/verify.ts';
import { readBundleZip, verifyBundle } from '../../../src/domain/bundle/index.ts';
import { streams } from '../../../src/domain/record.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import { destroyedCase, TEST_REJECTED_POLICY } from './support/destroyed-case.ts';
import { call, expectStatus } from './support/world.ts';

const POLICY = TEST_REJECTED_POLICY;

describe('court bundle after a retention run (HTTP, PostgreSQL, ledger)', function () {
  this.timeout(180_000);
  let node: ApiNode;
  let dir: string;

  before(async () => {
    node = await startApiNode('http_destroyed');
    dir = await mkdtemp(join(tmpdir(), 'bundle-destroyed-'));
  });
  after(async () => {
    await node?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exports the case with its destruction records and without the destroyed blobs; both verifiers say "destroyed", not "missing"', async () => {
    const { caseId, digests, destroyedAt: later, officer, reported } = await destroyedCase(node);
    expect(reported).to.deep.equal(digests);
    for (const digest of digests) expect(await node.evidence.has(digest)).to.equal(false);

    const reply = await call(node, 'GET', `/v1/cases/${caseId}/bundle`, { token: officer.token, purpose: 'court case file' });
    expectStatus(reply, 200, 'bundle after destruction');
    const entries = await readBundleZip(reply.bytes);
    expect([...entries.keys()].filter((n) => n.startsWith('evidence/'))).to.deep.equal([]);
    const manifest = JSON.parse(new TextDecoder().decode(entries.get('manifest.json'))) as { streams: Record<string, number>; evidence: unknown[] };
    expect(manifest.streams[streams.retention(caseId)]).to.equal(2);
    expect(manifest.evidence).to.deep.equal([]);

    const report = verifyBundle(entries, { trustedKey: node.ledger.verifierKey() });
    expect(report.valid).to.equal(true);
    expect(report.checks.find((c) => c.code === 'EVIDENCE')!.status).to.equal('pass');
    expect(report.destroyed.map((d) => d.digest).sort()).to.deep.equal(digests);
    for (const d of report.destroyed) {
      expect(d.policy).to.equal(POLICY.id);
      expect(d.at).to.equal(later);
      expect(d.message).to.equal(`destroyed under policy ${POLICY.id} at ${later}`);
    }

    // The same bundle without its destruction records is a bundle with missing originals: the manifest no
    // longer matches, and EVIDENCE fails naming each digest.
    const stripped = new Map(entries);
    const lines = new TextDecoder()
      .decode(entries.get('records.jsonl'))
      .split('\n')
      .filter((l) => l && !l.includes(`"stream":"${streams.retention(caseId)}"`));
    stripped.set('records.jsonl', new TextEncoder().encode(lines.join('\n') + '\n'));
    const broken = verifyBundle(stripped, { trustedKey: node.ledger.verifierKey() });
    expect(broken.valid).to.equal(false);
    expect(broken.destroyed).to.deep.equal([]);
    const evidenceCheck = broken.checks.find((c) => c.code === 'EVIDENCE')!;
    expect(evidenceCheck.status).to.equal('fail');
    expect(evidenceCheck.failures.flatMap((f) => f.digests ?? []).sort()).to.deep.equal(digests);

    // tec verify: valid (exit 0), one DESTROYED line per original.
    const file = join(dir, `case-${caseId}.zip`);
    await writeFile(file, reply.bytes);
    const cli = spawnSync(process.execPath, ['bin/tec.js', 'verify', file, '--trusted-key', node.ledger.verifierKey()], { encoding: 'utf8' });
    expect(cli.status, cli.stderr).to.equal(0);
    for (const digest of digests) expect(cli.stdout).to.match(new RegExp(`DESTROYED\\s+evidence ${digest}: destroyed under policy`));

    // The auditor's ledger verify report (the /v1/audit/ledger-verify body) carries the same findings.
    const pool = new pg.Pool({ connectionString: node.db.url, max: 2 });
    try {
      const audit = ledgerAuditReport(await verifyLedger({ ledgerPool: pool, feed: 'same-database', evidence: node.evidence, verifierKeys: [node.ledger.verifierKey()] }));
      expect(audit.ok).to.equal(true);
      expect(audit.destroyedCount).to.equal(2);
      expect(audit.destroyed.map((d) => d.digest).sort()).to.deep.equal(digests);
      expect(audit.destroyed.every((d) => d.policy === POLICY.id && d.at === later)).to.equal(true);
    } finally {
      await pool.end();
    }
  });
});
