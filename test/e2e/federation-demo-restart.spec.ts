/**
 * `tec federation-demo` stopped and started again on the same `--data-dir`, as a person restarts it
 * (docs/federation.md, "`tec federation-demo`"). One data directory, three runs in order:
 * 1. a first run (seeded, both provinces mirrored, the case 01 transfers to 79 received there), stopped with
 *    SIGTERM (exit 0);
 * 2. a restart on another port: the lines name the new addresses, the keys are those of the first run, the
 *    national registry recorded a `ProvincialLogMoved` for each province (old address → new), a record made at
 *    each province after the restart is cosigned and mirrored from the new address, each mirrored log is the
 *    province's log leaf for leaf in count (mirrored size = province size = records stored), and the case
 *    handed over in the first run is not handed over again;
 * 3. a restart on the same port: no move is recorded.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../support/env.ts';
import {
  demoTokens,
  federationStatus,
  freePortRun,
  publishedCheckpoint,
  publishedRecords,
  startDemo,
  type DemoLines,
  type DemoRun,
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

describe('tec federation-demo restarted on its data directory', function () {
  this.timeout(1_200_000);
  let dir: string;
  let run: DemoRun | undefined;
  let token: ReturnType<typeof demoTokens>;
  // What each run leaves for the next test (the tests run in order on one data directory).
  let firstRun: { port: number; lines: DemoLines; caseId: string } | undefined;
  let restarted: { port: number; lines: DemoLines; plate: string } | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-federation-demo-restart-'));
  });
  after(async () => {
    await run?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a first run: seeded, both provinces mirrored, the case 01 transfers received by 79; SIGTERM stops it', async () => {
    const firstPort = await freePortRun();
    run = startDemo(dir, firstPort, 1);
    const first = await run.lines();
    token = demoTokens(dir);
    const admin = await token('admin', '00', 'adm-00-e2e');
    await waitFor(
      async () => {
        const { mirror } = await federationStatus(first.national, admin);
        return mirror.filter((m) => m.size > 0).length === 2;
      },
      { ...SLOW, what: 'both provinces mirrored (first run)' },
    );
    const caseId = await run.waitForOutput(
      /^transferred: ([0-9a-f-]{36}) 01 -> 79$/m,
      'the transferred: line',
    );
    expect(await run.stop(), 'first run exit code').to.equal(0);
    firstRun = { port: firstPort, lines: first, caseId };
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
          verifyWitnessCosignature(text, lines.witnessKey);
          return true;
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
