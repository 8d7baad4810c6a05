/**
 * Scale-out (issue 15): `tec serve --role api --processes 2` on the test's PostgreSQL and Redis. Detections sent
 * through both API processes (each one twice, concurrently) are recorded exactly once; a camera key revoked
 * through one process is refused at once by both (no process trusts a cached camera view across a revocation);
 * a worker killed with SIGKILL is replaced, and ingest goes on through the replacement.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { DevIssuer, loadExistingSeedFile } from '../../src/adapters/auth/tokens.ts';
import type { Role } from '../../src/adapters/auth/roles.ts';
import { caseIdForDetection } from '../../src/domain/ids.ts';
import { runMigrations } from '../../src/adapters/postgres/migrate.ts';
import {
  HANOI,
  SAIGON,
  buildHttpWorld,
  call,
  expectStatus,
  ingest,
  signedDetection,
  type CameraActor,
  type HttpWorld,
  type SignedDetection,
} from '../integration/http/support/world.ts';
import { scratchDatabase, testRedisUrl, waitFor, type ScratchDatabase } from '../support/env.ts';

interface Cluster {
  child: ChildProcess;
  lines: string[];
  /** Pids of the API processes, in the order they reported listening. */
  listening: number[];
  /** Pid of each process that served an ingest request (from its request log lines). */
  ingestServedBy: Set<number>;
}

function startCluster(env: NodeJS.ProcessEnv, processes: number): Cluster {
  const child = spawn(process.execPath, ['bin/tec.js', 'serve', '--role', 'api', '--processes', String(processes)], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const cluster: Cluster = { child, lines: [], listening: [], ingestServedBy: new Set() };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    cluster.lines.push(line);
    const ready = /^api-process: (\d+) listening$/.exec(line);
    if (ready) cluster.listening.push(Number(ready[1]));
    if (line.startsWith('{')) {
      try {
        const entry = JSON.parse(line) as { msg?: string; route?: string; pid?: number };
        if (entry.msg === 'request' && entry.route === '/v1/detections/upload' && entry.pid) cluster.ingestServedBy.add(entry.pid);
      } catch {
        // not a log line
      }
    }
  });
  return cluster;
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('scale-out: tec serve --role api --processes 2', function () {
  this.timeout(300_000);
  let db: ScratchDatabase;
  let dir: string;
  let cluster: Cluster | undefined;

  before(async () => {
    db = await scratchDatabase('e2e_procs');
    await runMigrations(db.url);
    dir = await mkdtemp(join(tmpdir(), 'tec-procs-'));
    await mkdir(join(dir, 'keys'), { recursive: true, mode: 0o700 });
  });
  after(async () => {
    if (cluster) {
      const pids = [...cluster.listening];
      await stopProcess(cluster.child, 'SIGTERM');
      // Every API process stops with the primary.
      await waitFor(() => pids.every((pid) => !alive(pid)), { timeoutMs: 60_000, what: 'the API processes to stop' });
    }
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('records every detection once through both processes, refuses a revoked key in both, and replaces a killed process', async () => {
    cluster = startCluster(
      {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl(),
        DATA_DIR: dir,
        PORT: '0',
        LOG_LEVEL: 'info',
        OIDC: 'off',
        RATE_LIMIT_PER_MINUTE: '100000',
        LEDGER_ORIGIN: 'vn-traffic-evidence/procs-node',
      },
      2,
    );
    const running = cluster;
    await waitFor(() => running.listening.length >= 2 && running.lines.find((l) => l.startsWith('listening: ')), {
      timeoutMs: 120_000,
      what: 'two API processes listening',
    });
    const [first, second] = running.listening as [number, number];
    expect(first).to.not.equal(second);
    const url = running.lines.find((l) => l.startsWith('listening: '))!.slice('listening: '.length).trim();
    // The primary made the issuer key before forking: both processes verify tokens minted from it.
    const issuer = new DevIssuer(loadExistingSeedFile(join(dir, 'keys', 'issuer.key')), 'tec-dev-issuer', 'tec-api');
    const node = { url, token: (role: Role, province: string, subject: string) => issuer.mint({ subject, role, province }) };
    const world: HttpWorld = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;

    // Each detection sent twice at once, eight detections in flight: connections spread over both processes.
    const sendTwice = async (actor: CameraActor, signed: SignedDetection) => {
      const replies = await Promise.all([ingest(node, actor, signed), ingest(node, actor, signed)]);
      expect(replies.map((r) => r.status).sort(), replies.map((r) => r.text).join(' | ')).to.deep.equal([200, 201]);
      for (const reply of replies) expect(reply.json.caseId).to.equal(caseIdForDetection(signed.detection.detectionId));
    };
    const sent: SignedDetection[] = [];
    const sendMany = async (actor: CameraActor, count: number) => {
      for (let i = 0; i < count; i += 8) {
        const batch = await Promise.all(Array.from({ length: Math.min(8, count - i) }, () => signedDetection(actor)));
        sent.push(...batch);
        await Promise.all(batch.map((signed) => sendTwice(actor, signed)));
      }
    };
    await sendMany(camera, 24);
    await waitFor(() => running.ingestServedBy.has(first) && running.ingestServedBy.has(second), {
      timeoutMs: 30_000,
      what: 'both API processes to have served ingest requests',
    });

    // Revoked through one process; at once refused by both (each has this camera's view cached by now).
    expectStatus(
      await call(node, 'POST', `/v1/admin/cameras/${camera.cameraId}/keys/${camera.key.keyId}/revoke`, {
        token: world.adminToken,
        body: { reason: 'key leaked' },
      }),
      200,
    );
    const servedBefore = new Set(running.ingestServedBy);
    running.ingestServedBy.clear();
    // A refused upload is read to its end before the answer (a small body), so a camera still writing its images
    // reads its 401 rather than a failed write.
    const refusedAnswer = async () => ingest(node, camera, await signedDetection(camera));
    const afterRevocation = await Promise.all(Array.from({ length: 8 }, refusedAnswer));
    for (const reply of afterRevocation) {
      expectStatus(reply, 401);
      expect(reply.json.type).to.match(/detection-signature-invalid$/);
    }
    expect(servedBefore.size).to.equal(2);

    // A worker killed outright is replaced; ingest goes on (another camera: the first one's key is revoked).
    process.kill(first, 'SIGKILL');
    await waitFor(() => running.lines.some((l) => l.startsWith(`api-process: ${first} exited (signal SIGKILL); replacing it`)), {
      timeoutMs: 30_000,
      what: 'the primary to notice the killed process',
    });
    await waitFor(() => running.listening.length >= 3, { timeoutMs: 120_000, what: 'a replacement API process listening' });
    const replacement = running.listening[2]!;
    expect([first, second]).to.not.include(replacement);
    expect(alive(replacement)).to.equal(true);
    await sendMany(world.cameras[SAIGON]!, 16);

    // Exactly once: one ViolationDetected per detection sent, none for the refused ones.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string; distinct: string }>(
        `SELECT count(*)::text AS n, count(DISTINCT (record::jsonb)->'data'->'detection'->>'detectionId')::text AS distinct
           FROM event_records WHERE type = 'ViolationDetected'`,
      );
      expect(Number(rows[0]!.n)).to.equal(sent.length);
      expect(Number(rows[0]!.distinct)).to.equal(sent.length);
    } finally {
      await client.end();
    }
    // Replays through whichever process answers: the same case, nothing appended.
    for (const signed of sent.slice(-4)) {
      const reply = await ingest(node, world.cameras[SAIGON]!, signed);
      expectStatus(reply, 200);
    }
  });
});
