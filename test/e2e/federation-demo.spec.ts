/**
 * `tec federation-demo` as a person runs it: one command, three embedded nodes (national on p, provinces 01
 * and 79 on p+1 and p+2). The spec spawns it, waits for the named lines, then checks over HTTP that the
 * national witness cosigned both provinces' checkpoints (each province serves the cosignature, checked by the
 * independent monitor code) and that the national node mirrored their records; then that the case 01's
 * seeding transferred to 79 was opened there (the `transferred:` line), is closed at 01, and that 79's bundle
 * of it verifies with both logs' proofs; then stops it with SIGTERM. Then, on the same `--data-dir`, as a person
 * restarts it (docs/federation.md, "Restarting the demo"):
 * - on another port: the lines name the new addresses, the keys are those of the first run, the national
 *   registry recorded a `ProvincialLogMoved` for each province (old address → new), a record made at each
 *   province after the restart is cosigned and mirrored from the new address, each mirrored log is the
 *   province's log leaf for leaf in count (mirrored size = province size = records stored), and the case handed
 *   over in the first run is not handed over again;
 * - on the same port: no move is recorded.
 * (One first run serves both parts: seeding three embedded nodes is most of the spec's time.)
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevIssuer, loadOrCreateSeedFile } from '../../src/adapters/auth/tokens.ts';
import { readBundleZip, verifyBundle } from '../../src/domain/bundle/index.ts';
import { waitFor } from '../support/env.ts';
import { randomUUID } from 'node:crypto';
import {
  demoTokens,
  federationStatus,
  freePortRun,
  publishedCheckpoint,
  publishedRecords,
  startDemo,
  type DemoLines,
  type DemoRun,
  type MirrorStatus,
  type PublishedRecord,
} from '../support/federation-demo.ts';
import { verifyWitnessCosignature } from '../support/monitor/monitor.ts';

const PROVINCES = ['01', '79'] as const;
/** Three embedded nodes and their pipelines share two cores with the rest of the suite. */
const SLOW = { timeoutMs: 180_000, intervalMs: 250 };

const moves = (records: PublishedRecord[]) =>
  records
    .filter((r) => r.type === 'ProvincialLogMoved')
    .map((r) => ({ province: r.data.province, from: r.data.previousBaseUrl, to: r.data.baseUrl }));

describe('tec federation-demo', function () {
  this.timeout(1_200_000);
  let dir: string;
  let child: ChildProcess | undefined;
  let stdout = '';
  let stderr = '';
  // What each run leaves for the next test (the tests run in order on one data directory).
  let run: DemoRun | undefined;
  let token: ReturnType<typeof demoTokens>;
  let firstRun: { port: number; lines: DemoLines; caseId: string } | undefined;
  let restarted: { port: number; lines: DemoLines; plate: string } | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-federation-demo-'));
  });
  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await run?.kill();
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
    // Each province counts its submissions and names the newest size the nation cosigned.
    for (const url of Object.values(provinces)) {
      const own = await waitFor(
        async () => {
          const text = await (await fetch(`${url}/metrics`)).text();
          return /^tec_witness_cosigned_size [1-9]\d*$/m.test(text) ? text : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250, what: `tec_witness_cosigned_size at ${url}` },
      );
      expect(own).to.match(/^tec_witness_submissions_total\{outcome="cosigned"\} [1-9]\d*$/m);
    }

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
    token = demoTokens(dir);
    firstRun = {
      port,
      lines: { national, provinces, witnessKey, logKeys: { '01': line('log-key 01')!, '79': line('log-key 79')! } },
      caseId,
    };
  });

  it('restarted on another port: records both moves, keeps its keys, cosigns and mirrors new records from the new addresses, hands nothing over twice', async function () {
    if (!firstRun) this.skip();
    const { lines: first, caseId } = firstRun!;
    const admin = await token('admin', '00', 'adm-00-e2e');
    const port = await freePortRun([firstRun!.port]);
    run = startDemo(dir, port, 1);
    const lines = await run.lines();
    expect(lines.national).to.equal(`http://127.0.0.1:${port}`);
    expect(lines.provinces).to.deep.equal({
      '01': `http://127.0.0.1:${port + 1}`,
      '79': `http://127.0.0.1:${port + 2}`,
    });
    expect(lines.witnessKey, 'the witness key survives the restart').to.equal(first.witnessKey);
    expect(lines.logKeys, 'the provinces’ log keys survive the restart').to.deep.equal(first.logKeys);

    // The national registry recorded both moves (sealed into the national node's own log) and mirrors from there.
    const recorded = await waitFor(
      async () => {
        const found = moves((await publishedRecords(lines.national, dir)).records);
        return found.length >= 2 ? found : undefined;
      },
      { ...SLOW, what: 'both ProvincialLogMoved records in the national log' },
    );
    expect(recorded).to.deep.equal(
      PROVINCES.map((p) => ({ province: p, from: first.provinces[p], to: lines.provinces[p] })),
    );
    const registered = await federationStatus(lines.national, admin);
    expect(Object.fromEntries(registered.logs.map((l) => [l.province, l.baseUrl]))).to.deep.equal(
      lines.provinces,
    );

    // A new record at each province after the restart (an auditor's read of the handed-over case: a custody
    // record), sealed, cosigned by the national witness and mirrored from the new address.
    const purpose = `e2e read after the restart ${randomUUID()}`;
    let plate = '';
    for (const p of PROVINCES) {
      const res = await fetch(`${lines.provinces[p]}/v1/cases/${caseId}`, {
        headers: {
          authorization: `Bearer ${await token('auditor', p, `aud-${p}-e2e`)}`,
          'x-purpose': purpose,
        },
      });
      expect(res.status, `GET the case at ${p}`).to.equal(200);
      plate = ((await res.json()) as { review: { plate: string } }).review.plate;
    }
    const newLeaf: Record<string, number> = {};
    for (const p of PROVINCES) {
      newLeaf[p] = await waitFor(
        async () => {
          const { records } = await publishedRecords(lines.provinces[p], dir);
          const leaf = records.findIndex((r) => r.type === 'EvidenceAccessed' && r.data.purpose === purpose);
          return leaf >= 0 ? leaf : undefined;
        },
        { ...SLOW, what: `the new record sealed at ${p}` },
      );
      await waitFor(
        async () => {
          const { size, text } = await publishedCheckpoint(lines.provinces[p]);
          if (size <= newLeaf[p]!) return false;
          // Sealed before it is cosigned: the submitter sends it within a second or so.
          try {
            verifyWitnessCosignature(text, lines.witnessKey);
            return true;
          } catch {
            return false;
          }
        },
        { ...SLOW, what: `a checkpoint of ${p} covering the new record, cosigned by the witness` },
      );
    }
    // Mirrored up to each province's newest checkpoint: sizes equal, one stored record per leaf (the primary
    // key (origin, leaf) forbids a duplicate, so count = size means none is skipped either).
    type Statistics = { provinces: { province: string; records: number }[] };
    const analyst = await token('analyst', '00', 'ana-00-e2e');
    const settled = await waitFor(
      async () => {
        const status = await federationStatus(lines.national, admin);
        const stats = (await (
          await fetch(`${lines.national}/v1/national/statistics`, {
            headers: { authorization: `Bearer ${analyst}` },
          })
        ).json()) as Statistics;
        const sizes: Record<
          string,
          { mirrored: number; province: number; witnessed?: number; stored?: number }
        > = {};
        for (const p of PROVINCES) {
          const mirror = status.mirror.find((m) => m.province === p);
          sizes[p] = {
            mirrored: mirror?.size ?? 0,
            province: (await publishedCheckpoint(lines.provinces[p])).size,
            witnessed: status.logs.find((l) => l.province === p)?.size,
            stored: stats.provinces.find((s) => s.province === p)?.records,
          };
        }
        const done = PROVINCES.every(
          (p) => sizes[p]!.mirrored > newLeaf[p]! && sizes[p]!.mirrored === sizes[p]!.province,
        );
        return done ? { sizes, status } : undefined;
      },
      { ...SLOW, what: 'the mirror at both provinces’ new checkpoint sizes' },
    );
    for (const p of PROVINCES) {
      const s = settled.sizes[p]!;
      expect(s.stored, `records stored for ${p}`).to.equal(s.mirrored);
      expect(s.witnessed, `witnessed size of ${p}`).to.equal(s.mirrored);
    }
    expect(
      settled.status.logs.every((l) => l.forkAlarms === 0),
      'no fork alarm',
    ).to.equal(true);
    expect(
      settled.status.mirror.every((m) => m.stoppedAt === undefined),
      'no log stopped',
    ).to.equal(true);

    // The case handed over in the first run is not handed over again: one relayed transfer, one export of it
    // at 01 for the handover, one CaseReceived at 79, and no second transferred: line.
    const relay = (await (
      await fetch(`${lines.national}/v1/federation/handovers?toProvince=79`, {
        headers: { authorization: `Bearer ${await token('auditor', '00', 'aud-00-e2e')}` },
      })
    ).json()) as { handovers: { caseId: string }[] };
    expect(relay.handovers.map((h) => h.caseId)).to.deep.equal([caseId]);
    const sent = (await publishedRecords(lines.provinces['01'], dir)).records;
    const exports = sent.filter(
      (r) => r.type === 'EvidenceAccessed' && String(r.data.purpose).startsWith(`handover of case ${caseId}`),
    );
    expect(exports, 'exports of the case for the handover at 01').to.have.length(1);
    const received = (await publishedRecords(lines.provinces['79'], dir)).records;
    expect(
      received.filter((r) => r.type === 'CaseReceived' && r.stream === `case-${caseId}`),
      'CaseReceived at 79',
    ).to.have.length(1);
    expect(run.stdout()).not.to.match(/^transferred:/m);

    expect(await run.stop(), 'restarted run exit code').to.equal(0);
    restarted = { port, lines, plate };
  });

  it('restarted on the same port: records no move', async function () {
    if (!restarted) this.skip();
    const { port, lines, plate } = restarted!;
    run = startDemo(dir, port, 1);
    const again = await run.lines();
    expect(again).to.deep.equal(lines);
    // A record the national node appends after start-up (a national plate lookup's custody record): once it is
    // sealed, so is anything the start-up recorded before it, a move included.
    const purpose = `e2e lookup after the same-port restart ${randomUUID()}`;
    const officer = await token('officer', '00', 'officer-00-e2e');
    const lookup = await waitFor(
      async () => {
        const res = await fetch(`${again.national}/v1/national/plates/${encodeURIComponent(plate)}/cases`, {
          headers: { authorization: `Bearer ${officer}`, 'x-purpose': purpose },
        });
        expect(res.status).to.equal(200);
        const body = (await res.json()) as { cases: unknown[] };
        return body.cases.length > 0 ? body : undefined;
      },
      { ...SLOW, what: 'the national plate lookup' },
    );
    expect(lookup.cases.length).to.be.greaterThan(0);
    const national = await waitFor(
      async () => {
        const { records } = await publishedRecords(again.national, dir);
        return records.some((r) => r.type === 'EvidenceAccessed' && r.data.purpose === purpose)
          ? records
          : undefined;
      },
      { ...SLOW, what: 'the lookup’s custody record sealed in the national log' },
    );
    expect(moves(national), 'still only the two moves of the earlier restart').to.have.length(2);
    const admin = await token('admin', '00', 'adm-00-e2e');
    const status = await federationStatus(again.national, admin);
    expect(Object.fromEntries(status.logs.map((l) => [l.province, l.baseUrl]))).to.deep.equal(
      lines.provinces,
    );
    expect(await run.stop(), 'same-port run exit code').to.equal(0);
  });
});
