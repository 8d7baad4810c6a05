/**
 * The national mirror (docs/federation.md "Mirroring") between two real nodes in one process: a provincial
 * node whose checkpoints the national witness cosigns, and the national node's MirrorFollower reading the
 * province's published log over HTTP. Records are stored verbatim at their provincial leaf index, only up to
 * the cosigned size; a second follower (a restart) neither skips nor duplicates; national views answer over
 * the mirrored feed; a record rewritten in the province's database is a mirror-mismatch fork alarm and stops
 * mirroring that province.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import { MirrorFollower } from '../../../src/adapters/witness/mirror.ts';
import { NationalViews } from '../../../src/adapters/witness/national-views.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { Witness } from '../../../src/adapters/witness/witness.ts';
import { loadProvincialLogRegistry } from '../../../src/commands/federation.ts';
import { systemClock } from '../../../src/commands/deps.ts';
import { sha256, signCheckpoint } from '../../../src/domain/integrity/index.ts';
import type { NewEvent } from '../../../src/domain/record.ts';
import { expected } from '../../../src/ports/eventstore.ts';
import { expectDeclaredResponse } from '../../support/declared-response.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';

const ORIGIN = 'vn-traffic-evidence/test-node'; // the origin the test nodes' ledgers sign as
const PLATE = '30A12345';

const event = (type: string, data: Record<string, unknown>): NewEvent => ({
  id: randomUUID(),
  type,
  data: data as NewEvent['data'],
  meta: { actor: { kind: 'system', id: 'mirror-spec' }, province: '01', recordedAt: new Date().toISOString() },
});
const detected = (plate: string, n: number) =>
  event('ViolationDetected', {
    detection: { plateRead: { text: plate }, violationCode: 'red-light', observedAt: `2026-12-01T08:00:${String(n % 60).padStart(2, '0')}.000Z`, cameraId: 'cam-01-1' },
  });

describe('the national mirror of a provincial log', function () {
  this.timeout(120_000);
  let national: ApiNode;
  let province: ApiNode;
  let nationalPool: pg.Pool;
  let provincePool: pg.Pool;
  let witness: Witness;
  let submitter: CheckpointSubmitter;
  const followers: MirrorFollower[] = [];
  const follower = () => {
    const f = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => province.token('auditor', '00', MIRROR_SUBJECT),
      pollMs: 20,
      initialBackoffMs: 10,
      maxBackoffMs: 50,
    });
    followers.push(f);
    return f;
  };
  // Characters the mirror's COPY text format must escape (the JSON text carries them as backslash sequences):
  // the verbatim comparison below fails if any is stored altered.
  const COPY_ESCAPED = 'C:\\\\share\\N\ttab\nnewline\rreturn "quoted" \\. end';
  const cases: string[] = [];
  let plateCases = 52; // every third case of the first two batches (150 and 5)
  let detections = 155;
  let appended = 0;
  /** Appends `count` cases of two records each (a detection, then a review), returns the leaves added. */
  const appendCases = async (count: number, plate = PLATE) => {
    for (let i = 0; i < count; i++) {
      const id = randomUUID();
      cases.push(id);
      appended += 2;
      await province.store.append(`case-${id}`, [detected(i % 3 === 0 ? plate : `51F${String(10000 + i)}`, i), event('ReviewConfirmed', { n: i, remark: COPY_ESCAPED })], expected.any);
    }
  };
  /** Seals everything appended so far and has the witness cosign it; returns the cosigned size. */
  const cosignAll = async () => {
    const size = appended;
    await waitFor(async () => ((await province.ledger.latestCheckpoint())?.treeSize ?? 0) >= size, { what: 'sealed' });
    const r = await submitter.submitOnce();
    expect(r.outcome).to.equal('cosigned');
    return (await witness.status()).find((l) => l.origin === ORIGIN)!.size!;
  };
  const mirrored = async () =>
    (await nationalPool.query<{ n: string; d: string; max: string | null }>(
      'SELECT count(*) AS n, count(DISTINCT leaf_index) AS d, max(leaf_index) AS max FROM mirror_records WHERE origin = $1',
      [ORIGIN],
    )).rows[0]!;

  before(async () => {
    national = await startApiNode('mirror_national', { sequencer: false });
    province = await startApiNode('mirror_province', { checkpointIntervalMs: 50 });
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 6 });
    provincePool = new pg.Pool({ connectionString: province.db.url, max: 2 });
    witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('national witness seed (mirror spec)'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    national.services.nationalViews = new NationalViews(nationalPool);
    const admin = await national.token('admin', '00', 'adm-00-1');
    const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ province: '01', origin: ORIGIN, verifierKey: province.ledger.verifierKey(), baseUrl: province.url }),
    });
    expect(res.status).to.equal(201);
    submitter = new CheckpointSubmitter({
      db: provincePool,
      ledger: province.ledger,
      witnessUrl: `${national.url}/witness`,
      witnessKey: witness.verifierKey(),
      clock: systemClock,
    });
  });
  after(async () => {
    for (const f of followers) await f.stop();
    await submitter?.stop();
    await nationalPool?.end();
    await provincePool?.end();
    await province?.close();
    await national?.close();
  });

  it('stores nothing before the witness has cosigned a checkpoint', async () => {
    const f = follower();
    const [r] = await f.syncOnce();
    expect(r).to.deep.include({ outcome: 'idle', size: 0 });
    expect(Number((await mirrored()).n)).to.equal(0);
  });

  it('mirrors every record verbatim at its provincial leaf index, up to the cosigned size only', async () => {
    await appendCases(150); // 300 leaves: a full entry bundle and a partial one
    const cosigned = await cosignAll();
    await appendCases(5); // sealed but not cosigned: must not be mirrored yet
    await waitFor(async () => ((await province.ledger.latestCheckpoint())?.treeSize ?? 0) >= cosigned + 10, { what: 'sealed' });
    const f = follower();
    const [r] = await f.syncOnce();
    expect(r).to.deep.include({ outcome: 'mirrored', from: 0, to: cosigned });
    const m = await mirrored();
    expect(Number(m.n)).to.equal(cosigned);
    expect(Number(m.d)).to.equal(cosigned);
    expect(Number(m.max)).to.equal(cosigned - 1);
    // Verbatim: the same bytes as the province's event store, at the province's leaf index.
    const { rows: theirs } = await provincePool.query<{ leaf_index: string; record: string }>(
      `SELECT l.leaf_index, e.record FROM ledger_leaves l JOIN event_records e ON e.event_id = l.record_id
        WHERE l.leaf_index < $1 ORDER BY l.leaf_index`,
      [cosigned],
    );
    const { rows: ours } = await nationalPool.query<{ leaf_index: string; record: string }>(
      'SELECT leaf_index, record FROM mirror_records WHERE origin = $1 ORDER BY leaf_index',
      [ORIGIN],
    );
    expect(ours).to.deep.equal(theirs);
    const [status] = await f.status();
    expect(status).to.include({ origin: ORIGIN, province: '01', size: cosigned, checkpointSize: cosigned });
    expect(status!.provinceSize).to.be.greaterThan(cosigned);
    expect(status!.checkpoint).to.include('— vn-traffic/national-witness ');
  });

  it('a restarted follower (a new instance) continues where the cursor is: nothing skipped, nothing twice', async () => {
    const cosigned = await cosignAll();
    const [a, b] = [follower(), follower()];
    // Two at once: the guarded cursor lets one store each bundle; the other's write matches nothing.
    await Promise.all([a.syncOnce(), b.syncOnce()]);
    await a.syncOnce();
    const m = await mirrored();
    expect(Number(m.n)).to.equal(cosigned);
    expect(Number(m.d)).to.equal(cosigned);
    const [status] = await a.status();
    expect(status!.secondsBehind).to.equal(0);
    expect(status!.stoppedAt).to.equal(undefined);
    expect(await witness.forkAlarms(ORIGIN)).to.deep.equal([]); // the losing follower is no alarm

  });

  it('a cut link fails rounds without an alarm or a stored record; after it returns the mirror converges, each leaf once', async () => {
    let linkUp = false;
    const flaky = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => province.token('auditor', '00', MIRROR_SUBJECT),
      fetch: (input, init) => (linkUp ? fetch(input, init) : Promise.reject(new TypeError('fetch failed (link down)'))),
      initialBackoffMs: 1,
      maxBackoffMs: 1,
    });
    followers.push(flaky);
    const before = Number((await mirrored()).n);
    await appendCases(20);
    const cosigned = await cosignAll();
    const log = (await loadProvincialLogRegistry(national.store)).logs[ORIGIN]!;
    const down = await flaky.syncLog(log);
    expect(down.outcome).to.equal('failed');
    expect(Number((await mirrored()).n)).to.equal(before);
    linkUp = true;
    const up = await flaky.syncLog(log);
    expect(up).to.deep.include({ outcome: 'mirrored', from: before, to: cosigned });
    const m = await mirrored();
    expect([Number(m.n), Number(m.d), Number(m.max)]).to.deep.equal([cosigned, cosigned, cosigned - 1]);
    expect(await witness.forkAlarms(ORIGIN)).to.deep.equal([]);
    // Keep the later counts of this spec: these 20 cases are 7 more of the plate (i = 0, 3, …, 18) and 20 detections.
    plateCases += 7;
    detections += 20;
  });

  it('answers national statistics per province and a national plate lookup from the mirrored feed', async () => {
    const analyst = await national.token('analyst', '00', 'ana-00-1');
    const stats = (await (await fetch(`${national.url}/v1/national/statistics`, { headers: { authorization: `Bearer ${analyst}` } })).json()) as {
      provinces: { province: string; cases: { detected: number; confirmed: number } }[];
    };
    expect(stats.provinces).to.have.length(1);
    expect(stats.provinces[0]).to.deep.include({ province: '01' });
    expect(stats.provinces[0]!.cases.detected).to.equal(detections);
    expect(stats.provinces[0]!.cases.confirmed).to.equal(detections);
    const provincial = await national.token('analyst', '01', 'ana-01-1');
    expect((await fetch(`${national.url}/v1/national/statistics`, { headers: { authorization: `Bearer ${provincial}` } })).status).to.equal(403);

    const officer = await national.token('officer', '00', 'off-00-1');
    const lookup = (plate: string) =>
      fetch(`${national.url}/v1/national/plates/${plate}/cases`, { headers: { authorization: `Bearer ${officer}`, 'x-purpose': 'cross-province enquiry' } });
    const res = await lookup('30A-123.45');
    expect(res.status).to.equal(200);
    const answer = await res.json();
    expectDeclaredResponse('GET', '/v1/national/plates/:plate/cases', answer);
    const body = answer as { cases: { caseId: string; province: string; lastEvent: string; records: unknown[] }[] };
    expect(body.cases.length).to.equal(plateCases);
    expect(body.cases.every((c) => c.province === '01' && c.lastEvent === 'ReviewConfirmed' && c.records.length === 2)).to.equal(true);
    // The lookup is a disclosure: custody recorded on the national node, filed under the case's province.
    const custody = await national.store.readStream(`custody-${body.cases[0]!.caseId}`);
    expect(custody.at(-1)!.record.type).to.equal('EvidenceAccessed');
    expect(custody.at(-1)!.record.meta.province).to.equal('01');
    const provincialOfficer = await national.token('officer', '01', 'off-01-1');
    expect((await fetch(`${national.url}/v1/national/plates/30A12345/cases`, { headers: { authorization: `Bearer ${provincialOfficer}`, 'x-purpose': 'cross-province enquiry' } })).status).to.equal(403);
  });

  it('a province moved to another base URL (ProvincialLogMoved) is read there from the next round; only national admins move it', async () => {
    const admin = await national.token('admin', '00', 'adm-00-1');
    const move = async (baseUrl: string, token = admin) =>
      fetch(`${national.url}/v1/admin/provincial-logs/${encodeURIComponent(ORIGIN)}/move`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ baseUrl }),
      });
    // A closed port on this machine: nothing listens there once the probe server is gone.
    const nowhere = await new Promise<string>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(`http://127.0.0.1:${port}`));
      });
    });
    expect((await move(nowhere, await national.token('admin', '01', 'adm-01-1'))).status).to.equal(403);
    expect((await move('https://user:secret@p01.example.vn')).status).to.equal(400);
    const moved = await move(nowhere);
    expect(moved.status).to.equal(200);
    expect(await moved.json()).to.deep.include({ appended: 1 });
    expect((await witness.status()).find((l) => l.origin === ORIGIN)!.baseUrl).to.equal(nowhere);
    const before = Number((await mirrored()).n);
    await appendCases(2, '29B99999');
    const cosigned = await cosignAll();
    const f = follower();
    const [away] = await f.syncOnce();
    expect(away!.outcome).to.equal('failed');
    expect(Number((await mirrored()).n)).to.equal(before);
    // Moved back to where the province serves: the next round of the same follower reads it there.
    expect(await (await move(province.url)).json()).to.deep.include({ appended: 1 });
    expect(await (await move(province.url)).json()).to.deep.include({ appended: 0 });
    await waitFor(async () => {
      await f.syncOnce();
      return Number((await mirrored()).n) === cosigned;
    }, { what: 'mirrored at the moved URL' });
    const registry = await national.store.readStream('provincial-logs');
    expect(registry.filter((r) => r.record.type === 'ProvincialLogMoved').map((r) => (r.record.data as { baseUrl: string }).baseUrl)).to.deep.equal([nowhere, province.url]);
    detections += 2;
  });

  it('a base URL serving another log (a stale address after a restart on other ports) fails the round before any tile is fetched: no alarm; moved back, read at once', async () => {
    const admin = await national.token('admin', '00', 'adm-00-1');
    const move = async (baseUrl: string) =>
      fetch(`${national.url}/v1/admin/provincial-logs/${encodeURIComponent(ORIGIN)}/move`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ baseUrl }),
      });
    // Another log's node now listens at the registered address: its own checkpoint (another origin, another
    // key), and tiles of its own, which would rebuild another root than the one cosigned for this origin.
    const requested: string[] = [];
    const other = signCheckpoint({ origin: 'vn-traffic/province-79', size: 100_000, root: new Uint8Array(32), time: new Date().toISOString() }, sha256('another log (mirror spec)'));
    const impostor = createServer((req, res) => {
      requested.push(req.url ?? '');
      if (req.url === '/log/checkpoint') return void res.end(other);
      // An entry bundle of the width asked for (each entry: length 32, then 32 bytes), of another log's leaves.
      const width = Number(/\.p\/(\d+)$/.exec(req.url ?? '')?.[1] ?? 256);
      const bundle = new Uint8Array(34 * width);
      for (let i = 0; i < width; i++) bundle.set([0, 32, ...sha256(`another leaf ${i}`)], 34 * i);
      res.end(bundle);
    });
    const impostorUrl = await new Promise<string>((resolve) =>
      impostor.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(impostor.address() as AddressInfo).port}`)),
    );
    try {
      expect((await move(impostorUrl)).status).to.equal(200);
      const before = Number((await mirrored()).n);
      await appendCases(2, '29B99998');
      const cosigned = await cosignAll();
      // A long backoff: the move back must not wait for it.
      const f = new MirrorFollower({
        db: nationalPool,
        witness,
        registry: () => loadProvincialLogRegistry(national.store),
        clock: systemClock,
        token: () => province.token('auditor', '00', MIRROR_SUBJECT),
        initialBackoffMs: 600_000,
        maxBackoffMs: 600_000,
      });
      followers.push(f);
      const [away] = await f.syncOnce();
      expect(away!.outcome).to.equal('failed');
      expect(requested, 'only the checkpoint was asked for').to.deep.equal(['/log/checkpoint']);
      expect(await witness.forkAlarms(ORIGIN)).to.deep.equal([]);
      expect(Number((await mirrored()).n)).to.equal(before);
      expect((await f.status()).find((l) => l.origin === ORIGIN)!.stoppedAt).to.equal(undefined);
      expect(await f.syncOnce(), 'in backoff at the same URL').to.deep.equal([]);
      // Moved back to where the province serves: the very next round reads it there, backoff or not.
      expect((await move(province.url)).status).to.equal(200);
      const [back] = await f.syncOnce();
      expect(back).to.deep.include({ outcome: 'mirrored', from: before, to: cosigned });
      detections += 2;
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });

  it('a record rewritten at the province is a mirror-mismatch fork alarm naming it, and mirroring of that province stops', async () => {
    const before = Number((await mirrored()).n);
    await appendCases(3);
    const cosigned = await cosignAll();
    // A database superuser rewrites a record the witness has cosigned but the mirror has not read yet.
    const client = new pg.Client({ connectionString: province.db.url });
    await client.connect();
    try {
      await client.query('SET session_replication_role = replica');
      const { rows } = await client.query<{ record_id: string }>('SELECT record_id FROM ledger_leaves WHERE leaf_index = $1', [before + 1]);
      await client.query("UPDATE event_records SET record = replace(record, '\"n\":', '\"n\":1') WHERE event_id = $1", [rows[0]!.record_id]);
    } finally {
      await client.end();
    }
    const f = follower();
    const [r] = await f.syncOnce();
    expect(r!.outcome).to.equal('stopped');
    expect(Number((await mirrored()).n)).to.equal(before); // nothing unverifiable stored
    const alarms = await witness.forkAlarms(ORIGIN);
    const alarm = alarms.find((a) => a.kind === 'mirror-mismatch')!;
    expect(alarm.submittedNote, alarm.submittedNote).to.match(new RegExp(`^01 ${ORIGIN}: leaf ${before + 1}: the served record hashes to`));
    expect(alarm.cosignedSize).to.equal(cosigned);
    // Stays stopped.
    const [again] = await follower().syncOnce();
    expect(again!.outcome).to.equal('stopped');
    const [status] = await f.status();
    expect(status!.stoppedAt).to.be.a('string');
    expect(status!.stopReason).to.match(/served record hashes to/);
  });
});
