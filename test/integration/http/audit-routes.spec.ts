/**
 * `/v1/audit/ledger-verify` and `/v1/audit/replay` on a real node with demo data (scratch PostgreSQL): auditors
 * only; the report is `ledger verify`'s over the node's storage; one check at a time; each at most once a minute.
 */
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config.ts';
import { startNode, type RunningNode } from '../../../src/node/index.ts';
import { seedDemo } from '../../../src/demo/index.ts';
import { scratchDatabase, waitFor, type ScratchDatabase } from '../../support/env.ts';

describe('http: the auditor checks (/v1/audit)', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;
  let dataDir: string;
  let node: RunningNode;
  let auditor: string;

  before(async () => {
    db = await scratchDatabase('audit');
    dataDir = await mkdtemp(join(tmpdir(), 'tec-audit-'));
    const config = loadConfig({
      DATABASE_URL: db.url,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
    });
    node = await startNode({
      config,
      roles: ['api', 'projector', 'sequencer'],
      print: () => undefined,
      checkpointIntervalMs: 100,
    });
    await seedDemo(node, { cases: 3 });
    await waitFor(async () => (await node.ledger.sealingLag()).records === 0, {
      what: 'every record sealed',
      timeoutMs: 30_000,
    });
    auditor = await node.issuer!.mint({ subject: 'auditor-00', role: 'auditor', province: '00' });
  });

  after(async () => {
    await node?.stop();
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const call = (path: string, token: string, method = 'POST') =>
    fetch(`${node.url}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('refuses other roles', async () => {
    const officer = await node.issuer!.mint({
      subject: 'officer-01-reviewer',
      role: 'officer',
      province: '01',
    });
    expect((await call('/v1/audit/ledger-verify', officer)).status).to.equal(403);
    expect((await call('/v1/audit/replay', officer)).status).to.equal(403);
  });

  it('runs ledger verify over the node and reports a clean ledger; a second run within a minute is refused with Retry-After', async () => {
    expect((await call('/v1/audit/ledger-verify', auditor, 'GET')).status).to.equal(404);
    const res = await call('/v1/audit/ledger-verify', auditor);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as {
      ranAt: string;
      report: {
        ok: boolean;
        records: number;
        leaves: number;
        checkpoints: number;
        discrepancyCount: number;
        blobs: number;
      };
    };
    expect(body.report.ok).to.equal(true);
    expect(body.report.discrepancyCount).to.equal(0);
    expect(body.report.records).to.be.greaterThan(10);
    expect(body.report.checkpoints).to.be.greaterThan(0);
    expect(body.report.blobs).to.be.greaterThan(0);
    const again = await call('/v1/audit/ledger-verify', auditor);
    expect(again.status).to.equal(429);
    expect(Number(again.headers.get('retry-after'))).to.be.within(1, 60);
    const latest = (await (await call('/v1/audit/ledger-verify', auditor, 'GET')).json()) as {
      ranAt: string;
    };
    expect(latest.ranAt).to.equal(body.ranAt);
  });

  it('replays every projection and finds the read models identical', async () => {
    const res = await call('/v1/audit/replay', auditor);
    expect(res.status).to.equal(200);
    const body = (await res.json()) as {
      identical: boolean;
      projections: { projection: string; identical: boolean }[];
    };
    expect(body.projections.length).to.be.greaterThan(3);
    expect(body.identical, JSON.stringify(body.projections.filter((p) => !p.identical))).to.equal(true);
  });
});
