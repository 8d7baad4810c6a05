/**
 * Both tiers failing, with real processes (issue 12; docs/federation.md "Failure behaviour"): a national node
 * (`tec serve --tier national`) and provincial nodes 01 and 79 (`tec serve --tier province`), each its own
 * process with its own database on the test's PostgreSQL server and its own data directory. Every link
 * between them goes through a TCP proxy in this test (test/support/link-proxy.ts): province → witness
 * (`WITNESS_URL`) and national mirror → province (the registered base URL), so the test can cut and restore
 * them. Cameras send signed detections straight to their province, as they would on the provincial network.
 *
 * In order, on one federation:
 * 1. links cut during ingest at both provinces: they keep accepting, sealing and serving; after the restore the
 *    witness cosigns again and the mirror converges: every acknowledged detection nationally exactly once, the
 *    mirrored feed verbatim by leaf index, the national statistics equal to a count over the mirrored feed;
 * 2. the national node SIGKILLed while it mirrors, restarted on the same database and key: nothing skipped or
 *    duplicated, the witness state kept (same key, cosigned sizes never smaller);
 * 3. province 79 rewrites its history as database superuser (a record changed, the tree rebuilt and signed with
 *    the province's key; then a rollback to a smaller tree) and presents both: the witness refuses, the alarm
 *    names the province and keeps both checkpoints, mirroring of 79 stops while 01 goes on;
 * 4. a checkpoint under an unknown key, under 01's key for 79's origin, under 79's retired key: 403; a national
 *    token cannot write into a province (403 `national-scope-read-only`); a provincial token cannot change the
 *    national registry.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { DevIssuer, loadOrCreateSeedFile } from '../../src/adapters/auth/tokens.ts';
import type { Role } from '../../src/adapters/auth/roles.ts';
import { loadNodeKey } from '../../src/adapters/keys/node-key.ts';
import { Frontier } from '../../src/adapters/ledger/frontier.ts';
import { runMigrations } from '../../src/adapters/postgres/migrate.ts';
import {
  formatAddCheckpointRequest,
  openCheckpoint,
  publicKeyFromSeed,
  sha256,
  signCheckpoint,
  toHex,
  verifierKey,
} from '../../src/domain/integrity/index.ts';
import { generateKeyPair } from '../../src/domain/signoff/keys.ts';
import { LOCATIONS, call, ingest, jpeg, signedDetection, type CameraActor } from '../integration/http/support/world.ts';
import { scratchDatabase, waitFor, type ScratchDatabase } from '../support/env.ts';
import { LinkProxy } from '../support/link-proxy.ts';
import { verifyWitnessCosignature } from '../support/monitor/monitor.ts';

const PROVINCES = ['01', '79'] as const;
type Province = (typeof PROVINCES)[number];
const origin = (p: Province) => `vn-traffic/province-${p}`;
/** Generous: three node processes, their pipelines and the suite's neighbours share two cores. */
const SLOW = { timeoutMs: 240_000, intervalMs: 250 };

interface Proc {
  child: ChildProcess;
  lines: string[];
}

function start(args: string[], env: NodeJS.ProcessEnv, until: string): Promise<Proc> {
  const child = spawn(process.execPath, ['bin/tec.js', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { child, lines: [] };
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += String(d);
    if (process.env.FEDERATION_SPEC_TRACE) process.stderr.write(d);
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tec ${args.join(' ')} exited with ${code}: ${stderr.slice(0, 2000)}`)));
    lines.on('line', (line) => {
      proc.lines.push(line);
      if (line.startsWith(until)) {
        child.removeAllListeners('exit');
        resolve(proc);
      }
    });
  });
}

const valueOf = (proc: Proc, prefix: string) => proc.lines.find((l) => l.startsWith(prefix))!.slice(prefix.length).trim();

function kill(proc: Proc | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return resolve();
    proc.child.once('exit', () => resolve());
    proc.child.kill(signal);
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/tec.js', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout }));
  });
}

interface MirrorStatus {
  origin: string;
  province: string;
  size: number;
  provinceSize?: number;
  stoppedAt?: string;
  stopReason?: string;
}
interface FederationStatus {
  logs: { origin: string; province?: string; size?: number; forkAlarms: number }[];
  mirror: MirrorStatus[];
}
interface Alarm {
  origin: string;
  kind: string;
  cosignedSize: number;
  cosignedNote: string;
  submittedSize: number;
  submittedNote: string;
}

describe('two tiers with real processes: cut links, a SIGKILLed national node, a rewritten history, refused keys', function () {
  this.timeout(1_200_000);
  const dbs: Partial<Record<Province | 'national', ScratchDatabase>> = {};
  const dirs: string[] = [];
  const procs: Proc[] = [];
  const proxies: LinkProxy[] = [];
  let issuer: DevIssuer;
  let nationalEnv: NodeJS.ProcessEnv;
  let national: Proc;
  let witnessKey: string;
  /** province → witness, and national mirror → province. */
  const toWitness = {} as Record<Province, LinkProxy>;
  const toProvince = {} as Record<Province, LinkProxy>;
  const provinceProc = {} as Record<Province, Proc>;
  const provinceEnv = {} as Record<Province, NodeJS.ProcessEnv>;
  const cameras = {} as Record<Province, CameraActor>;
  const logKey = {} as Record<Province, string>;
  /** Detection ids each province acknowledged (201). */
  const acknowledged = { '01': new Set<string>(), '79': new Set<string>() } as Record<Province, Set<string>>;
  let nationalDb: pg.Client;
  const provinceDb = {} as Record<Province, pg.Client>;

  const nationalUrl = () => valueOf(national, 'listening: ');
  const provinceUrl = (p: Province) => valueOf(provinceProc[p], 'listening: ');
  const token = (role: Role, province: string, subject: string) => issuer.mint({ subject, role, province, ttlSeconds: 3600 });
  const links = () => [...Object.values(toWitness), ...Object.values(toProvince)];

  const federationStatus = async (): Promise<FederationStatus> => {
    const res = await fetch(`${nationalUrl()}/v1/federation/status`, { headers: { authorization: `Bearer ${await token('auditor', '00', 'aud-00-e2e')}` } });
    expect(res.status).to.equal(200);
    return (await res.json()) as FederationStatus;
  };
  const mirrorOf = async (p: Province) => (await federationStatus()).mirror.find((m) => m.province === p);
  /** The province's own newest checkpoint (read directly, not through a link the test may have cut). */
  const provinceCheckpoint = async (p: Province) => {
    const text = await (await fetch(`${provinceUrl(p)}/log/checkpoint`)).text();
    return { text, size: openCheckpoint(text, [logKey[p]]).checkpoint.size };
  };
  const recordCount = async (p: Province) =>
    Number((await provinceDb[p].query<{ n: string }>('SELECT count(*)::text AS n FROM event_records')).rows[0]!.n);

  const ingestSome = async (p: Province, n: number) => {
    for (let i = 0; i < n; i++) {
      const signed = await signedDetection(cameras[p], { images: [await jpeg(64, 48)], plate: p === '01' ? '30A-111.11' : '51F-222.22' });
      const reply = await ingest({ url: provinceUrl(p) }, cameras[p], signed);
      expect(reply.status, reply.text).to.equal(201);
      acknowledged[p].add(signed.detection.detectionId);
    }
  };

  /** Every record the province holds is sealed (accepting and sealing with or without the national node). */
  const sealedAll = (p: Province) =>
    waitFor(
      async () => {
        const total = await recordCount(p);
        const { size } = await provinceCheckpoint(p);
        return size >= total ? size : undefined;
      },
      { ...SLOW, what: `province ${p} sealing every record` },
    );

  /** The mirror holds at least `size` leaves of the province, cosigned and verified. */
  const mirroredAtLeast = (p: Province, size: number) =>
    waitFor(
      async () => {
        const m = await mirrorOf(p);
        return m && m.size >= size ? m : undefined;
      },
      { ...SLOW, what: `the national mirror of ${p} at ${size}` },
    );

  /** Mirrored feed = the province's log, leaf by leaf, verbatim; each acknowledged detection once. */
  const expectConverged = async (p: Province, size: number) => {
    const mirrored = await nationalDb.query<{ leaf_index: string; record_id: string; record: string }>(
      'SELECT m.leaf_index::text, m.record_id, m.record FROM mirror_records m WHERE m.origin = $1 AND m.leaf_index < $2 ORDER BY m.leaf_index',
      [origin(p), size],
    );
    expect(mirrored.rows.map((r) => Number(r.leaf_index)), `leaves of ${p}`).to.deep.equal([...Array(size).keys()]);
    const local = await provinceDb[p].query<{ leaf_index: string; record_id: string; record: string }>(
      `SELECT l.leaf_index::text, l.record_id, e.record FROM ledger_leaves l JOIN event_records e ON e.event_id = l.record_id
        WHERE l.leaf_index < $1 ORDER BY l.leaf_index`,
      [size],
    );
    expect(mirrored.rows.map((r) => r.record_id)).to.deep.equal(local.rows.map((r) => r.record_id));
    expect(mirrored.rows.every((r, i) => r.record === local.rows[i]!.record), `records of ${p} verbatim`).to.equal(true);
    const detections = await nationalDb.query<{ id: string; n: string }>(
      `SELECT (record::jsonb)->'data'->'detection'->>'detectionId' AS id, count(*)::text AS n FROM mirror_records
        WHERE origin = $1 AND type = 'ViolationDetected' GROUP BY 1`,
      [origin(p)],
    );
    const seen = new Map(detections.rows.map((r) => [r.id, Number(r.n)]));
    for (const id of acknowledged[p]) expect(seen.get(id), `detection ${id} of ${p} mirrored once`).to.equal(1);
    expect(seen.size, `no detection of ${p} nationally that ${p} did not acknowledge`).to.equal(acknowledged[p].size);
  };

  /** The national statistics equal a count over the mirrored feeds (their rebuild). */
  const expectViewsEqualRebuild = async () => {
    const res = await fetch(`${nationalUrl()}/v1/national/statistics`, { headers: { authorization: `Bearer ${await token('analyst', '00', 'ana-00-e2e')}` } });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { provinces: { province: string; records?: number; cases: { detected: number } }[] };
    const rebuilt = await nationalDb.query<{ province: string; detected: string }>(
      `SELECT province, count(*) FILTER (WHERE type = 'ViolationDetected')::text AS detected FROM mirror_records GROUP BY province ORDER BY province`,
    );
    expect(body.provinces.map((p) => [p.province, p.cases.detected]).sort()).to.deep.equal(rebuilt.rows.map((r) => [r.province, Number(r.detected)]));
    for (const p of PROVINCES) expect(body.provinces.find((x) => x.province === p)!.cases.detected).to.equal(acknowledged[p].size);
  };

  const startNational = async () => {
    national = await start(['serve', '--tier', 'national'], nationalEnv, 'listening: ');
    procs.push(national);
    for (const p of PROVINCES) if (toWitness[p]) toWitness[p].targetPort = Number(new URL(nationalUrl()).port);
  };

  before(async () => {
    const root = await mkdtemp(join(tmpdir(), 'tec-federation-failures-'));
    dirs.push(root);
    const issuerKeyFile = join(root, 'keys', 'issuer.key');
    issuer = new DevIssuer(loadOrCreateSeedFile(issuerKeyFile), 'tec-dev-issuer', 'tec-api');
    const base = { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'silent', OIDC: 'off', ISSUER_KEY_FILE: issuerKeyFile };
    for (const name of ['national', ...PROVINCES] as const) {
      dbs[name] = await scratchDatabase(`e2e_fed_${name}`);
      await runMigrations(dbs[name].url);
    }
    nationalEnv = { ...base, DATABASE_URL: dbs.national!.url, DATA_DIR: join(root, 'national'), LEDGER_ORIGIN: 'vn-traffic/national', MIRROR_POLL_MS: '200' };
    await startNational();
    witnessKey = valueOf(national, 'witness-key: ');
    nationalDb = new pg.Client({ connectionString: dbs.national!.url });
    await nationalDb.connect();
    const nationalAdmin = await token('admin', '00', 'adm-00-e2e');
    for (const p of PROVINCES) {
      toWitness[p] = new LinkProxy(Number(new URL(nationalUrl()).port));
      await toWitness[p].listen();
      provinceEnv[p] = {
        ...base,
        DATABASE_URL: dbs[p]!.url,
        DATA_DIR: join(root, `province-${p}`),
        LEDGER_ORIGIN: origin(p),
        WITNESS_URL: `http://127.0.0.1:${toWitness[p].port}/witness`,
        WITNESS_KEY: witnessKey,
      };
      provinceProc[p] = await start(['serve', '--tier', 'province', '--province', p], provinceEnv[p], 'listening: ');
      procs.push(provinceProc[p]);
      logKey[p] = valueOf(provinceProc[p], 'verifier-key: ');
      toProvince[p] = new LinkProxy(Number(new URL(provinceUrl(p)).port));
      await toProvince[p].listen();
      proxies.push(toWitness[p], toProvince[p]);
      provinceDb[p] = new pg.Client({ connectionString: dbs[p]!.url });
      await provinceDb[p].connect();
      // The national administrator registers the log, with the base URL the nation reaches it at.
      const registered = await call({ url: nationalUrl() }, 'POST', '/v1/admin/provincial-logs', {
        token: nationalAdmin,
        body: { province: p, origin: origin(p), verifierKey: logKey[p], baseUrl: `http://127.0.0.1:${toProvince[p].port}` },
      });
      expect(registered.status, registered.text).to.equal(201);
      // The province's own administrator registers its camera (a national token may not: part 4).
      const admin = await token('admin', p, `adm-${p}-e2e`);
      const cameraId = `cam-${p}-${randomBytes(3).toString('hex')}`;
      const key = generateKeyPair();
      const camera = await call({ url: provinceUrl(p) }, 'POST', '/v1/admin/cameras', {
        token: admin,
        body: { cameraId, province: p, location: LOCATIONS[p], publicKey: key.publicKey },
      });
      expect(camera.status, camera.text).to.equal(201);
      const calibrated = await call({ url: provinceUrl(p) }, 'POST', `/v1/admin/cameras/${cameraId}/calibrations`, {
        token: admin,
        body: {
          certificateId: `VMI-${cameraId}`,
          issuer: 'Viện Đo lường Việt Nam',
          validFrom: new Date(Date.now() - 30 * 86_400_000).toISOString(),
          validTo: new Date(Date.now() + 300 * 86_400_000).toISOString(),
        },
      });
      expect(calibrated.status, calibrated.text).to.equal(200);
      cameras[p] = { cameraId, province: p, key, token: await token('device', p, cameraId) };
    }
  });

  after(async () => {
    for (const p of procs) await kill(p);
    for (const proxy of proxies) await proxy.close();
    await nationalDb?.end();
    for (const p of PROVINCES) await provinceDb[p]?.end();
    for (const db of Object.values(dbs)) await db?.drop();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('links cut during ingest at both provinces: they accept, seal and serve; after the restore the nation cosigns and converges', async () => {
    await Promise.all(PROVINCES.map((p) => ingestSome(p, 3)));
    for (const p of PROVINCES) {
      await waitFor(async () => {
        try {
          verifyWitnessCosignature((await provinceCheckpoint(p)).text, witnessKey);
          return true;
        } catch {
          return false;
        }
      }, { ...SLOW, what: `a cosigned checkpoint at ${p}` });
    }
    for (const link of links()) link.cut();
    const witnessedAtCut = await federationStatus();
    await Promise.all(PROVINCES.map((p) => ingestSome(p, 4)));
    const sealedDuringCut = {} as Record<Province, number>;
    for (const p of PROVINCES) {
      sealedDuringCut[p] = await sealedAll(p);
      const known = witnessedAtCut.logs.find((l) => l.origin === origin(p))!.size ?? 0;
      expect(sealedDuringCut[p], `${p} sealed past what the nation saw`).to.be.greaterThan(known);
      const stillWitnessed = (await federationStatus()).logs.find((l) => l.origin === origin(p))!.size ?? 0;
      expect(stillWitnessed, `nothing of ${p} cosigned during the cut`).to.be.lessThan(sealedDuringCut[p]);
    }
    for (const link of links()) link.restore();
    for (const p of PROVINCES) {
      await waitFor(async () => {
        const { text, size } = await provinceCheckpoint(p);
        try {
          verifyWitnessCosignature(text, witnessKey);
        } catch {
          return false;
        }
        return size >= sealedDuringCut[p];
      }, { ...SLOW, what: `cosigning of ${p} resumed` });
      await mirroredAtLeast(p, sealedDuringCut[p]);
      await expectConverged(p, sealedDuringCut[p]);
    }
    await expectViewsEqualRebuild();
    expect((await federationStatus()).logs.every((l) => l.forkAlarms === 0)).to.equal(true);
  });

  it('the national node SIGKILLed while it mirrors and restarted: nothing skipped or duplicated, the witness state kept', async () => {
    const before = await nationalDb.query<{ origin: string; tree_size: string }>('SELECT origin, tree_size::text FROM witness_logs');
    let stop = false;
    const steady = Promise.all(
      PROVINCES.map(async (p) => {
        while (!stop) await ingestSome(p, 1);
      }),
    );
    try {
      // Mirroring is under way for both provinces when the node dies.
      const mirroredBefore = Object.fromEntries(await Promise.all(PROVINCES.map(async (p) => [p, (await mirrorOf(p))!.size] as const)));
      for (const p of PROVINCES) await mirroredAtLeast(p, mirroredBefore[p]! + 1);
      await kill(national);
      const atKill = { '01': acknowledged['01'].size, '79': acknowledged['79'].size };
      await waitFor(() => PROVINCES.every((p) => acknowledged[p].size >= atKill[p] + 1), { ...SLOW, what: 'provinces accepting with the national node down' });
      await startNational();
      expect(valueOf(national, 'witness-key: '), 'the same witness key after the restart').to.equal(witnessKey);
      const atRestart = { '01': acknowledged['01'].size, '79': acknowledged['79'].size };
      await waitFor(() => PROVINCES.every((p) => acknowledged[p].size >= atRestart[p] + 1), { ...SLOW, what: 'more detections after the restart' });
    } finally {
      stop = true;
      await steady;
    }
    const after = await nationalDb.query<{ origin: string; tree_size: string }>('SELECT origin, tree_size::text FROM witness_logs');
    for (const row of before.rows) {
      expect(Number(after.rows.find((r) => r.origin === row.origin)!.tree_size), `witness state of ${row.origin} kept`).to.be.at.least(Number(row.tree_size));
    }
    for (const p of PROVINCES) {
      const size = await sealedAll(p);
      await mirroredAtLeast(p, size);
      await expectConverged(p, size);
    }
    await expectViewsEqualRebuild();
    expect((await federationStatus()).logs.every((l) => l.forkAlarms === 0)).to.equal(true);
  });

  it('a province rewriting its history is refused by the witness; the alarm names it with both checkpoints; its mirroring stops', async () => {
    const p = '79';
    const seed = (await loadNodeKey(join(provinceEnv[p].DATA_DIR!, 'keys', 'ledger.key'))).seed;
    const witnessed = await nationalDb.query<{ tree_size: string; checkpoint: string }>('SELECT tree_size::text, checkpoint FROM witness_logs WHERE origin = $1', [origin(p)]);
    const n = Number(witnessed.rows[0]!.tree_size);
    // As the database superuser: a detection's record text changed in place (its trigger switched off), and
    // the tree rebuilt over the changed record's hash.
    const leaves = await provinceDb[p].query<{ leaf_index: string; record_id: string; record_hash: Buffer }>(
      'SELECT l.leaf_index::text, l.record_id, l.record_hash FROM ledger_leaves l WHERE l.leaf_index < $1 ORDER BY l.leaf_index',
      [n],
    );
    const victim = (
      await provinceDb[p].query<{ id: string; record: string }>(
        `SELECT e.event_id AS id, e.record FROM event_records e JOIN ledger_leaves l ON l.record_id = e.event_id
          WHERE e.type = 'ViolationDetected' AND l.leaf_index < $1 ORDER BY l.leaf_index LIMIT 1`,
        [n],
      )
    ).rows[0]!;
    const rewritten = victim.record.replace('51F-222.22', '51F-999.99');
    expect(rewritten).to.not.equal(victim.record);
    await provinceDb[p].query('BEGIN');
    await provinceDb[p].query('SET LOCAL session_replication_role = replica');
    await provinceDb[p].query('UPDATE event_records SET record = $2 WHERE event_id = $1', [victim.id, rewritten]);
    await provinceDb[p].query('COMMIT');
    const tree = Frontier.empty();
    for (const leaf of leaves.rows) tree.appendRecordHash(leaf.record_id === victim.id ? sha256(rewritten) : new Uint8Array(leaf.record_hash));
    const forged = signCheckpoint({ origin: origin(p), size: n, root: tree.root(), time: new Date().toISOString() }, seed);
    // Presented to the witness the way the province's submitter presents checkpoints (through its link).
    const witnessUrl = `http://127.0.0.1:${toWitness[p].port}/witness/add-checkpoint`;
    const presented = await fetch(witnessUrl, { method: 'POST', body: formatAddCheckpointRequest({ oldSize: n, proof: [], checkpointText: forged }) });
    expect(presented.status).to.equal(409);
    expect(await presented.text()).to.equal(`${n}\n`);
    // A rollback to a smaller tree (the true prefix, signed now) is not cosigned either.
    const prefix = Frontier.empty();
    for (const leaf of leaves.rows.slice(0, n - 1)) prefix.appendRecordHash(new Uint8Array(leaf.record_hash));
    const rolledBack = signCheckpoint({ origin: origin(p), size: n - 1, root: prefix.root(), time: new Date().toISOString() }, seed);
    const rollback = await fetch(witnessUrl, { method: 'POST', body: formatAddCheckpointRequest({ oldSize: n - 1, proof: [], checkpointText: rolledBack }) });
    expect(rollback.status).to.equal(409);
    expect(await rollback.text()).to.equal(`${n}\n`);
    expect((await nationalDb.query('SELECT tree_size::text FROM witness_logs WHERE origin = $1', [origin(p)])).rows[0]!.tree_size).to.equal(String(n));

    const res = await fetch(`${nationalUrl()}/v1/federation/fork-alarms`, { headers: { authorization: `Bearer ${await token('auditor', '00', 'aud-00-e2e')}` } });
    const { alarms } = (await res.json()) as { alarms: Alarm[] };
    const alarm = alarms.find((a) => a.origin === origin(p) && a.kind === 'same-size-different-root')!;
    expect(alarm, 'a fork alarm for 79').to.not.equal(undefined);
    expect(alarm.submittedNote).to.equal(forged);
    expect(alarm.cosignedNote).to.equal(witnessed.rows[0]!.checkpoint);
    const a = openCheckpoint(alarm.cosignedNote, [logKey[p]]).checkpoint;
    const b = openCheckpoint(alarm.submittedNote, [logKey[p]]).checkpoint;
    expect(a.size).to.equal(b.size);
    expect(toHex(a.root)).to.not.equal(toHex(b.root));
    const status = await federationStatus();
    expect(status.logs.find((l) => l.origin === origin(p))).to.include({ province: p });
    expect(status.logs.find((l) => l.origin === origin(p))!.forkAlarms).to.be.at.least(1);
    const stopped = status.mirror.find((m) => m.province === p)!;
    expect(stopped.stoppedAt, 'mirroring of 79 stopped').to.be.a('string');
    expect(stopped.stopReason).to.match(/same-size-different-root/);
    const cli = await run(['federation', 'status', '--url', nationalUrl()], { ...nationalEnv, TEC_TOKEN: await token('auditor', '00', 'aud-00-e2e') });
    expect(cli.status, cli.stdout).to.equal(1);
    expect(cli.stdout).to.match(new RegExp(`^${p} ${origin(p)}: .*fork alarms [1-9]`, 'm'));

    // 79 goes on accepting and sealing; the nation mirrors 01 further and nothing more of 79.
    const mirrored79 = stopped.size;
    await Promise.all(PROVINCES.map((q) => ingestSome(q, 2)));
    const size01 = await sealedAll('01');
    await sealedAll('79');
    await mirroredAtLeast('01', size01);
    expect((await mirrorOf('79'))!.size).to.equal(mirrored79);
    const metrics = await (await fetch(`${nationalUrl()}/metrics`)).text();
    expect(metrics).to.match(/tec_witness_fork_alarms_total\{kind="same-size-different-root"\} 1/);
  });

  it('refuses checkpoints under unknown, foreign and retired keys; a national token cannot write into a province; a province cannot change the registry', async () => {
    const witnessUrl = `${nationalUrl()}/witness/add-checkpoint`;
    const submit = (note: string) => fetch(witnessUrl, { method: 'POST', body: formatAddCheckpointRequest({ oldSize: 0, proof: [], checkpointText: note }) });
    const problem = async (res: Response) => ((await res.json()) as { type: string }).type;
    const { size, text } = await provinceCheckpoint('01');
    const root = openCheckpoint(text, [logKey['01']]).checkpoint.root;
    // An unknown key signing 01's origin.
    const stranger = sha256('not a registered log key');
    const unknown = await submit(signCheckpoint({ origin: origin('01'), size, root, time: new Date().toISOString() }, stranger));
    expect(unknown.status).to.equal(403);
    expect(await problem(unknown)).to.match(/witness-untrusted-checkpoint$/);
    // Province 01's own key, signing for 79's origin: a province cannot write into another province's mirror.
    const seed01 = (await loadNodeKey(join(provinceEnv['01'].DATA_DIR!, 'keys', 'ledger.key'))).seed;
    const foreign = await submit(signCheckpoint({ origin: origin('79'), size, root, time: new Date().toISOString() }, seed01));
    expect(foreign.status).to.equal(403);
    // 79's key rotated by the national administrator: the old key is retired for good.
    const seed79 = (await loadNodeKey(join(provinceEnv['79'].DATA_DIR!, 'keys', 'ledger.key'))).seed;
    const next = sha256('79 rotated key');
    const rotated = await call({ url: nationalUrl() }, 'POST', `/v1/admin/provincial-logs/${encodeURIComponent(origin('79'))}/rotate-key`, {
      token: await token('admin', '00', 'adm-00-e2e'),
      body: { verifierKey: verifierKey(origin('79'), publicKeyFromSeed(next)) },
    });
    expect(rotated.status, rotated.text).to.equal(200);
    const known79 = Number((await nationalDb.query<{ tree_size: string }>('SELECT tree_size::text FROM witness_logs WHERE origin = $1', [origin('79')])).rows[0]!.tree_size);
    const retired = await fetch(witnessUrl, {
      method: 'POST',
      body: formatAddCheckpointRequest({ oldSize: known79, proof: [], checkpointText: signCheckpoint({ origin: origin('79'), size: known79 + 1, root, time: new Date().toISOString() }, seed79) }),
    });
    expect(retired.status).to.equal(403);
    expect(Number((await nationalDb.query<{ tree_size: string }>('SELECT tree_size::text FROM witness_logs WHERE origin = $1', [origin('79')])).rows[0]!.tree_size)).to.equal(known79);

    // A national-scope token (even an administrator's) only reads on a provincial node.
    const nationalAdmin = await token('admin', '00', 'adm-00-e2e');
    const before = await recordCount('01');
    const write = await call({ url: provinceUrl('01') }, 'POST', '/v1/admin/cameras', {
      token: nationalAdmin,
      body: { cameraId: `cam-00-${randomBytes(3).toString('hex')}`, province: '01', location: LOCATIONS['01'], publicKey: generateKeyPair().publicKey },
    });
    expect(write.status, write.text).to.equal(403);
    expect(write.json.type).to.match(/national-scope-read-only$/);
    expect(await recordCount('01')).to.equal(before);
    const read = await fetch(`${provinceUrl('01')}/log/records/000.p/1`, { headers: { authorization: `Bearer ${await token('auditor', '00', 'national-mirror')}`, 'x-purpose': 'national mirror of the provincial log' } });
    expect(read.status, 'the national mirror still reads').to.equal(200);
    // A provincial administrator cannot change the national registry (nor so reach another province's mirror).
    const provincial = await call({ url: nationalUrl() }, 'POST', `/v1/admin/provincial-logs/${encodeURIComponent(origin('79'))}/retire`, {
      token: await token('admin', '01', 'adm-01-e2e'),
      body: { reason: 'province 01 retiring 79' },
    });
    expect(provincial.status, provincial.text).to.equal(403);
  });
});
