/**
 * The edge node with real processes (docs/edge.md): a node (`tec serve` on the test PostgreSQL), an edge
 * (`tec serve --tier edge`) in front of it through a TCP proxy in this test that cuts and restores the link.
 * Cameras stream signed detections to the edge; the link is cut, the edge is SIGKILLed mid-stream and
 * restarted, the node is SIGKILLed and restarted, the link is restored. Then: every detection the edge
 * acknowledged is at the node exactly once, per camera in the edge's order, with all its originals; the relay
 * is in each case's custody log once; a forged detection was refused at the edge and never reached the node;
 * `tec ledger verify` is clean.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openConfiguredEvidenceStore } from '../../src/adapters/evidence/configured.ts';
import { DevIssuer, loadOrCreateSeedFile } from '../../src/adapters/auth/tokens.ts';
import type { Role } from '../../src/adapters/auth/roles.ts';
import { loadConfig } from '../../src/config.ts';
import { caseIdForDetection } from '../../src/domain/ids.ts';
import { evidenceDigest } from '../../src/domain/integrity/hash.ts';
import { hasMagic } from '../../src/adapters/evidence/envelope.ts';
import { generateKeyPair } from '../../src/domain/signoff/keys.ts';
import { runMigrations } from '../../src/adapters/postgres/migrate.ts';
import {
  HANOI,
  LOCATIONS,
  buildHttpWorld,
  call,
  ingest,
  jpeg,
  multipartBody,
  photo,
  signedDetection,
  type CameraActor,
  type SignedDetection,
} from '../integration/http/support/world.ts';
import { scratchDatabase, waitFor, type ScratchDatabase } from '../support/env.ts';
import { LinkProxy } from '../support/link-proxy.ts';

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
    if (process.env.EDGE_SPEC_TRACE) process.stderr.write(d);
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

interface EdgeStatusReply {
  queueDepth: number;
  linkUp: boolean | null;
  forwardedTotal: number;
  refused: number;
  originals: 'later' | 'now';
  originalsPending: number;
  originalsSent: number;
  bytesSaved: number;
}

describe('edge node: store-and-forward through link cuts and SIGKILLs', function () {
  this.timeout(1_200_000);
  let db: ScratchDatabase;
  let nodeDir: string;
  let edgeDir: string;
  let nodeEnv: NodeJS.ProcessEnv;
  let edgeEnv: NodeJS.ProcessEnv;
  const procs: Proc[] = [];
  let proxy: LinkProxy;

  before(async () => {
    db = await scratchDatabase('e2e_edge');
    await runMigrations(db.url);
    nodeDir = await mkdtemp(join(tmpdir(), 'tec-edge-node-'));
    edgeDir = await mkdtemp(join(tmpdir(), 'tec-edge-'));
    await mkdir(join(nodeDir, 'keys'), { recursive: true, mode: 0o700 });
    nodeEnv = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      DATA_DIR: nodeDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      OIDC: 'off',
      LEDGER_ORIGIN: 'vn-traffic-evidence/edge-test-node',
    };
  });
  after(async () => {
    for (const p of procs) await kill(p);
    await proxy?.close();
    await db?.drop();
    for (const dir of [nodeDir, edgeDir]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses and duplicates no acknowledged detection, keeps per-camera order, and the ledger verifies', async () => {
    const issuer = new DevIssuer(loadOrCreateSeedFile(join(nodeDir, 'keys', 'issuer.key')), 'tec-dev-issuer', 'tec-api');
    let nodeProc = await start(['serve'], nodeEnv, 'listening: ');
    procs.push(nodeProc);
    const nodeUrl = () => valueOf(nodeProc, 'listening: ');
    const node = {
      get url() {
        return nodeUrl();
      },
      token: (role: Role, province: string, subject: string) => issuer.mint({ subject, role, province, ttlSeconds: 3600 }),
    };
    const world = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;
    // A second camera of the same province, so per-camera order is checked across lanes.
    const key2 = generateKeyPair();
    const camera2: CameraActor = { cameraId: `cam-01b-${world.suffix}`, province: HANOI, key: key2, token: await node.token('device', HANOI, `cam-01b-${world.suffix}`) };
    const registered = await call(node, 'POST', '/v1/admin/cameras', {
      token: world.adminToken,
      body: { cameraId: camera2.cameraId, province: HANOI, location: LOCATIONS[HANOI], publicKey: key2.publicKey },
    });
    expect(registered.status, registered.text).to.equal(201);
    const calibrated = await call(node, 'POST', `/v1/admin/cameras/${camera2.cameraId}/calibrations`, {
      token: world.adminToken,
      body: {
        certificateId: `VMI-01b-${world.suffix}`,
        issuer: 'Viện Đo lường Việt Nam',
        validFrom: new Date(Date.now() - 30 * 86_400_000).toISOString(),
        validTo: new Date(Date.now() + 300 * 86_400_000).toISOString(),
      },
    });
    expect(calibrated.status, calibrated.text).to.equal(200);

    proxy = new LinkProxy(Number(new URL(nodeUrl()).port));
    await proxy.listen();
    const edgeId = `edge-01-${world.suffix}`;
    edgeEnv = {
      PATH: process.env.PATH ?? '',
      DATA_DIR: edgeDir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      EDGE_ID: edgeId,
      ISSUER_KEY_FILE: join(nodeDir, 'keys', 'issuer.key'),
      EDGE_FORWARD_LANES: '2',
    };
    const edgeArgs = ['serve', '--tier', 'edge', '--province', HANOI, '--upstream', `http://127.0.0.1:${proxy.port}`];
    let edgeProc = await start(edgeArgs, edgeEnv, 'listening: ');
    procs.push(edgeProc);
    const edgeUrl = () => valueOf(edgeProc, 'listening: ');
    const edge = {
      get url() {
        return edgeUrl();
      },
    };
    // The edge's key is registered at the node like a camera's (integrity.md §4).
    const edgeRegistered = await call(node, 'POST', '/v1/admin/cameras', {
      token: world.adminToken,
      body: { cameraId: edgeId, province: HANOI, location: LOCATIONS[HANOI], publicKey: valueOf(edgeProc, 'edge-public-key: '), model: 'tec-edge' },
    });
    expect(edgeRegistered.status, edgeRegistered.text).to.equal(201);
    const status = async (): Promise<EdgeStatusReply> => (await call(edge, 'GET', '/v1/edge/status')).json as EdgeStatusReply;

    // A forged detection (altered after signing) is refused at the edge with the node's problem type.
    const genuine = await signedDetection(camera, { images: [await jpeg(120, 80)] });
    const forged = { ...genuine, detection: { ...genuine.detection, observedAt: new Date(Date.now() - 1000).toISOString() } };
    const refused = await call(edge, 'POST', '/v1/detections/upload', { token: camera.token, raw: multipartBody(forged, forged.images) });
    expect(refused.status, refused.text).to.equal(401);
    expect(refused.json.type).to.match(/\/detection-signature-invalid$/);

    const acknowledged = new Map<string, { signed: SignedDetection; sequence: number; cameraId: string }>();
    const shared = await jpeg(160, 96);
    const tally: Record<string, number> = {};
    const t0 = Date.now();
    const phase = (what: string) => {
      if (process.env.EDGE_SPEC_TRACE) console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${what}: ${acknowledged.size} acknowledged`, tally);
    };
    let stop = false;
    const client = async (cam: CameraActor) => {
      while (!stop) {
        // A photo-like overview (the edge withholds it and relays its smaller review copies) and a plate image.
        const signed = await signedDetection(cam, { images: [await photo(800, 600), shared] });
        try {
          const reply = await ingest(edge, cam, signed);
          tally[`${reply.status} ${reply.json?.type ?? ''}`] = (tally[`${reply.status} ${reply.json?.type ?? ''}`] ?? 0) + 1;
          if (reply.status === 202) acknowledged.set(signed.detection.detectionId, { signed, sequence: reply.json.sequence, cameraId: cam.cameraId });
          else if (reply.status !== 503) throw new Error(`unexpected ${reply.status}: ${reply.text}`);
        } catch (error) {
          if ((error as Error).message.startsWith('unexpected')) throw error;
          tally[(error as Error).message] = (tally[(error as Error).message] ?? 0) + 1;
          await new Promise((r) => setTimeout(r, 20)); // the edge is down (SIGKILL): retry like a camera
        }
      }
    };
    const clients = [client(camera), client(camera2), client(camera)];
    const waitAck = async (n: number, what: string) => {
      try {
        await waitFor(() => acknowledged.size >= n, { timeoutMs: 180_000, what });
      } catch (error) {
        console.log('edge replies:', tally, 'edge status:', await status().catch((e: Error) => e.message));
        throw error;
      }
    };
    await waitAck(10, '10 acknowledged with the link up');
    phase('link cut');
    proxy.cut();
    const atCut = acknowledged.size;
    await waitAck(atCut + 15, '15 more acknowledged with the link cut');
    expect((await status()).queueDepth).to.be.greaterThan(0);
    // The spool is encrypted at rest by default: entries and blobs in the evidence envelope, the key file
    // outside the spool directory (0600).
    const entryFiles = (await readdir(join(edgeDir, 'spool', 'entries'))).filter((f) => /^\d{16}\.json$/.test(f));
    expect(entryFiles.length).to.be.greaterThan(0);
    for (const file of entryFiles.slice(0, 5)) {
      const bytes = await readFile(join(edgeDir, 'spool', 'entries', file)).catch(() => undefined);
      if (!bytes) continue; // forwarded meanwhile (the link was cut only now)
      expect(hasMagic(bytes), `${file} is encrypted`).to.equal(true);
      expect(bytes.includes(camera.cameraId), `${file} names no camera in clear`).to.equal(false);
    }
    expect(((await stat(join(edgeDir, 'keys', 'spool-kek.key'))).mode & 0o077).toString(8)).to.equal('0');
    phase('edge SIGKILL');
    // SIGKILL of the edge mid-stream, restart on the same data directory.
    await kill(edgeProc);
    edgeProc = await start(edgeArgs, edgeEnv, 'listening: ');
    procs.push(edgeProc);
    const atRestart = acknowledged.size;
    await waitAck(atRestart + 10, '10 more acknowledged after the edge restart');
    phase('link restored');
    proxy.restore();
    await waitFor(async () => (await status()).forwardedTotal >= 5, { timeoutMs: 180_000, what: 'forwarding after the link is restored' });
    phase('node SIGKILL');
    // SIGKILL of the node while the edge forwards; the node restarts on the same database and directory.
    await kill(nodeProc);
    nodeProc = await start(['serve'], nodeEnv, 'listening: ');
    procs.push(nodeProc);
    proxy.targetPort = Number(new URL(nodeUrl()).port);
    const atNodeRestart = acknowledged.size;
    await waitAck(atNodeRestart + 5, '5 more acknowledged after the node restart');
    phase('clients stopped');
    stop = true;
    await Promise.all(clients);
    // Originals later (the edge's default): the detections' review copies went first, and the withheld
    // overview originals follow in the background lane; the spool is empty only once every one is at the node.
    await waitFor(
      async () => {
        const s = await status();
        return s.queueDepth === 0 && s.originalsPending === 0;
      },
      { timeoutMs: 300_000, what: 'the spool drained, originals included' },
    );
    phase('spool drained');
    const drained = await status();
    expect(drained.refused).to.equal(0);
    expect(drained.originals).to.equal('later');
    expect(drained.bytesSaved, 'bytes saved since the last restart').to.be.greaterThan(0);

    const client2 = new pg.Client({ connectionString: db.url });
    await client2.connect();
    try {
      const evidence = await openConfiguredEvidenceStore(loadConfig(nodeEnv), { readOnly: true });
      for (const { signed } of acknowledged.values()) {
        for (const image of signed.images) expect(await evidence.has(evidenceDigest(image))).to.equal(true);
      }
      const { rows } = await client2.query<{ id: string; camera: string }>(
        `SELECT (record::jsonb)->'data'->'detection'->>'detectionId' AS id, (record::jsonb)->'data'->'detection'->>'cameraId' AS camera
           FROM event_records WHERE type = 'ViolationDetected' ORDER BY global_position`,
      );
      const ids = rows.map((r) => r.id);
      expect(new Set(ids).size, 'no detection twice').to.equal(ids.length);
      for (const id of acknowledged.keys()) expect(ids, `acknowledged ${id}`).to.include(id);
      expect(ids).not.to.include(genuine.detection.detectionId);
      // Per camera, the node appended the detections in the edge's sequence order.
      for (const cam of [camera.cameraId, camera2.cameraId]) {
        const atNode = rows.filter((r) => r.camera === cam && acknowledged.has(r.id)).map((r) => acknowledged.get(r.id)!.sequence);
        expect(atNode, `order of ${cam}`).to.deep.equal([...atNode].sort((a, b) => a - b));
      }
      // The relay is in each case's custody log, once, with the edge's receipt and what it withheld; the
      // withheld original's delivery once (none lost, none recorded twice).
      const custody = await client2.query<{ stream: string; n: string; withheld: string; delivered: string }>(
        `SELECT stream,
                count(*) FILTER (WHERE (record::jsonb)->'data' ? 'receipt')::text AS n,
                count(*) FILTER (WHERE (record::jsonb)->'data' ? 'withheld')::text AS withheld,
                count(*) FILTER (WHERE (record::jsonb)->'data' ? 'digest')::text AS delivered
           FROM event_records
          WHERE type = 'EvidenceAccessed' AND (record::jsonb)->'data'->>'access' = 'relay' GROUP BY stream`,
      );
      const relayed = new Map(custody.rows.map((r) => [r.stream, r]));
      for (const id of acknowledged.keys()) {
        const row = relayed.get(`custody-${caseIdForDetection(id)}`);
        expect(row?.n, `custody of ${id}`).to.equal('1');
        expect(row?.withheld, `withheld of ${id}`).to.equal('1');
        expect(row?.delivered, `original of ${id} delivered`).to.equal('1');
      }
      const derived = await client2.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM event_records WHERE type = 'EvidenceDerived' AND (record::jsonb)->'meta'->'actor'->>'kind' = 'device'`,
      );
      // Per detection at the node, not per acknowledged one: a detection the edge had spooled when it was
      // SIGKILLed, before its 202 reached the camera, is still relayed (the camera's retry is a new detection).
      expect(Number(derived.rows[0]!.n), 'a plate crop and a reduced overview per detection, once').to.equal(2 * ids.length);

      const total = Number((await client2.query<{ n: string }>('SELECT count(*)::text AS n FROM event_records')).rows[0]!.n);
      await waitFor(
        async () => {
          const r = await client2.query<{ size: string }>('SELECT max(tree_size)::text AS size FROM ledger_checkpoints');
          return Number(r.rows[0]?.size ?? 0) >= total;
        },
        { timeoutMs: 60_000, what: 'every record sealed' },
      );
    } finally {
      await client2.end();
    }
    const edgeStatus = await run(['edge', 'status', '--url', edgeUrl()], edgeEnv);
    expect(edgeStatus.status, edgeStatus.stdout).to.equal(0);
    expect(edgeStatus.stdout).to.contain('queue depth: 0');
    await kill(edgeProc, 'SIGTERM');
    await kill(nodeProc, 'SIGTERM');
    phase('checked at the node');
    const verify = await run(['ledger', 'verify'], nodeEnv);
    expect(verify.status, verify.stdout).to.equal(0);
    expect(verify.stdout).to.contain('OK: no discrepancy');
  });
});
