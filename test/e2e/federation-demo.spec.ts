/**
 * `tec federation-demo` as a person runs it: one command, three embedded nodes (national on p, provinces 01
 * and 79 on p+1 and p+2). The spec spawns it, waits for the named lines, then checks over HTTP that the
 * national witness cosigned both provinces' checkpoints (each province serves the cosignature, checked by the
 * independent monitor code) and that the national node mirrored their records; then that the case 01's
 * seeding transferred to 79 was opened there (the `transferred:` line), is closed at 01, and that 79's bundle
 * of it verifies with both logs' proofs; then stops it with SIGTERM.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevIssuer, loadOrCreateSeedFile } from '../../src/adapters/auth/tokens.ts';
import { readBundleZip, verifyBundle } from '../../src/domain/bundle/index.ts';
import { waitFor } from '../support/env.ts';
import { freePortRun, type MirrorStatus } from '../support/federation-demo.ts';
import { verifyWitnessCosignature } from '../support/monitor/monitor.ts';

describe('tec federation-demo', function () {
  this.timeout(1_200_000);
  let dir: string;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-federation-demo-'));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts a national node and provinces 01 and 79; the nation cosigns and mirrors both; SIGTERM stops it', async () => {
    const port = await freePortRun();
    child = spawn(process.execPath, ['bin/tec.js', 'federation-demo', '--data-dir', dir, '--port', String(port), '--cases', '3'], {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent' },
    });
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.stderr!.on('data', (d) => (stderr += String(d)));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const line = (name: string) => new RegExp(`^${name}: (\\S+)$`, 'm').exec(stdout)?.[1];
    // Three embedded nodes migrate, load the plate model and seed signed detections: minutes on a loaded machine.
    await waitFor(
      () => {
        if (child!.exitCode !== null) throw new Error(`federation-demo exited ${child!.exitCode}: ${stderr.slice(-2000)}`);
        return line('log-key 79');
      },
      { timeoutMs: 840_000, intervalMs: 200, what: "the demo's lines" },
    );
    const national = line('national')!;
    expect(national).to.equal(`http://127.0.0.1:${port}`);
    const provinces = { '01': line('province 01')!, '79': line('province 79')! };
    expect(provinces['01']).to.equal(`http://127.0.0.1:${port + 1}`);
    expect(provinces['79']).to.equal(`http://127.0.0.1:${port + 2}`);
    const witnessKey = line('witness-key')!;
    expect(witnessKey).to.match(/^vn-traffic\/national-witness\+[0-9a-f]{8}\+/);
    expect(line('log-key 01')).to.match(/^vn-traffic\/province-01\+/);
    expect(line('log-key 79')).to.match(/^vn-traffic\/province-79\+/);

    // Each province serves its checkpoint with the national witness's cosignature (checked from the spec alone).
    for (const url of Object.values(provinces)) {
      await waitFor(
        async () => {
          const text = await (await fetch(`${url}/log/checkpoint`)).text();
          try {
            verifyWitnessCosignature(text, witnessKey);
            return true;
          } catch {
            return false;
          }
        },
        { timeoutMs: 120_000, intervalMs: 250, what: `a cosigned checkpoint at ${url}` },
      );
    }
    // The national node mirrored records of both provinces.
    const issuer = new DevIssuer(loadOrCreateSeedFile(join(dir, 'keys', 'issuer.key')), 'tec-dev-issuer', 'tec-api');
    const admin = await issuer.mint({ subject: 'adm-00-e2e', role: 'admin', province: '00' });
    const status = await waitFor(
      async () => {
        const res = await fetch(`${national}/v1/federation/status`, { headers: { authorization: `Bearer ${admin}` } });
        const body = (await res.json()) as { logs: { province: string; size?: number; forkAlarms: number }[]; mirror: MirrorStatus[] };
        const mirrored = body.mirror.filter((m) => m.size > 0).map((m) => m.province).sort();
        return mirrored.join() === '01,79' ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'both provinces mirrored' },
    );
    expect(status.logs.map((l) => l.province).sort()).to.deep.equal(['01', '79']);
    expect(status.logs.every((l) => (l.size ?? 0) > 0 && l.forkAlarms === 0)).to.equal(true);
    const analyst = await issuer.mint({ subject: 'ana-00-e2e', role: 'analyst', province: '00' });
    type Statistics = { provinces: { province: string; cases: { detected: number } }[] };
    // The mirror follows each feed in batches: a non-empty mirror need not hold all three detections yet.
    const stats = await waitFor(
      async () => {
        const body = (await (await fetch(`${national}/v1/national/statistics`, { headers: { authorization: `Bearer ${analyst}` } })).json()) as Statistics;
        return body.provinces.length === 2 && body.provinces.every((p) => p.cases.detected >= 3) ? body : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'three detections of each province in the national statistics' },
    );
    expect(stats.provinces.map((p) => p.province).sort()).to.deep.equal(['01', '79']);
    expect(stats.provinces.map((p) => p.cases.detected)).to.deep.equal([3, 3]);
    const metrics = await (await fetch(`${national}/metrics`)).text();
    expect(metrics).to.match(/tec_mirror_size\{province="01"\} [1-9]/);

    // The handover: 01's director transferred one case to 79 (its owner resides there); the national relay carried
    // it and 79's node opened the linked case. The demo prints the line once 79 holds it.
    const transferredLine = await waitFor(
      () => {
        if (child!.exitCode !== null) throw new Error(`federation-demo exited ${child!.exitCode}: ${stderr.slice(-2000)}`);
        return /^transferred: ([0-9a-f-]{36}) 01 -> 79$/m.exec(stdout)?.[1];
      },
      { timeoutMs: 180_000, intervalMs: 200, what: 'the transferred: line (79 opened the case)' },
    );
    const caseId = transferredLine;
    const auditor79 = await issuer.mint({ subject: 'aud-79-e2e', role: 'auditor', province: '79' });
    const received = (await (await fetch(`${provinces['79']}/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${auditor79}`, 'x-purpose': 'e2e check of the handover' } })).json()) as {
      status: string;
      province: string;
    };
    expect(received).to.include({ status: 'owner-identified', province: '79' });
    const auditor00 = await issuer.mint({ subject: 'aud-00-e2e', role: 'auditor', province: '00' });
    const sent = (await (await fetch(`${provinces['01']}/v1/cases/${caseId}`, { headers: { authorization: `Bearer ${auditor00}`, 'x-purpose': 'e2e check of the handover' } })).json()) as { status: string };
    expect(sent.status).to.equal('closed');
    // 79's court bundle carries 01's part: each part verifies under its own log key and checkpoint (409 until sealed).
    const zip = await waitFor(
      async () => {
        const res = await fetch(`${provinces['79']}/v1/cases/${caseId}/bundle`, { headers: { authorization: `Bearer ${auditor79}`, 'x-purpose': 'e2e check of the handover bundle' } });
        if (res.status === 409) return undefined;
        expect(res.status).to.equal(200);
        return new Uint8Array(await res.arrayBuffer());
      },
      { timeoutMs: 120_000, intervalMs: 250, what: "79's bundle of the received case" },
    );
    const report = verifyBundle(await readBundleZip(zip), { trustedKey: line('log-key 79')! });
    expect(report.valid, JSON.stringify([report.checks.filter((c) => c.status === 'fail'), report.linkFailures])).to.equal(true);
    expect(report.linked).to.have.length(1);
    expect(report.linked![0]).to.include({ province: '01', origin: 'vn-traffic/province-01', logKey: line('log-key 01'), valid: true });
    expect(report.linked![0]!.link.status).to.equal('pass');
    expect(report.linked![0]!.witnesses.map((w) => w.name)).to.deep.equal(['vn-traffic/national-witness']);

    child.kill('SIGTERM');
    expect(await exited).to.equal(0);
    expect(stdout).to.include('shutting down');
  });
});
