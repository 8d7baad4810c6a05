/**
 * Crash: the API and ledger sequencer processes (`tec serve --role api`, `--role sequencer`) are killed with
 * SIGKILL while a client ingests signed detections. After a restart on the same database and evidence
 * directory, every acknowledged detection is present exactly once (its case stream holds one
 * ViolationDetected and the evidence it names), re-sending it answers 200 with the same case, and
 * `tec ledger verify` is clean once everything is sealed.
 */
import { openConfiguredEvidenceStore } from '../../src/adapters/evidence/configured.ts';
import { loadConfig } from '../../src/config.ts';
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { DevIssuer, loadOrCreateSeedFile } from '../../src/adapters/auth/tokens.ts';
import type { Role } from '../../src/adapters/auth/roles.ts';
import { caseIdForDetection } from '../../src/domain/ids.ts';
import { evidenceDigest } from '../../src/domain/integrity/hash.ts';
import { runMigrations } from '../../src/adapters/postgres/migrate.ts';
import {
  HANOI,
  buildHttpWorld,
  ingest,
  jpeg,
  signedDetection,
  type HttpWorld,
  type SignedDetection,
} from '../integration/http/support/world.ts';
import { scratchDatabase, waitFor, type ScratchDatabase } from '../support/env.ts';

interface Proc {
  child: ChildProcess;
  line: string;
}

function start(role: 'api' | 'sequencer', env: NodeJS.ProcessEnv, waitFor: string): Promise<Proc> {
  const child = spawn(process.execPath, ['bin/tec.js', 'serve', '--role', role], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`tec serve --role ${role} exited with ${code}`)));
    lines.on('line', (line) => {
      if (line.startsWith(waitFor)) {
        child.removeAllListeners('exit');
        resolve({ child, line });
      }
    });
  });
}

function kill(proc: Proc): Promise<void> {
  return new Promise((resolve) => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return resolve();
    proc.child.once('exit', () => resolve());
    proc.child.kill('SIGKILL');
  });
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/tec.js', ...args], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout!.on('data', (d) => (stdout += String(d)));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout }));
  });
}

describe('crash: SIGKILL of the API and sequencer while a client ingests', function () {
  // Generous: four `tec serve` starts and a ledger verify on a machine at load average 20–30.
  this.timeout(360_000);
  let db: ScratchDatabase;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const procs: Proc[] = [];

  before(async () => {
    db = await scratchDatabase('e2e_crash');
    await runMigrations(db.url);
    dir = await mkdtemp(join(tmpdir(), 'tec-crash-'));
    await mkdir(join(dir, 'keys'), { recursive: true, mode: 0o700 });
    env = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'silent',
      LEDGER_ORIGIN: 'vn-traffic-evidence/crash-node',
    };
  });
  after(async () => {
    for (const p of procs) await kill(p);
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged detection exactly once, and the ledger verifies after the restart', async () => {
    const issuer = new DevIssuer(
      loadOrCreateSeedFile(join(dir, 'keys', 'issuer.key')),
      'tec-dev-issuer',
      'tec-api',
    );
    const sequencer = await start('sequencer', env, 'verifier-key: ');
    const api = await start('api', env, 'listening: ');
    procs.push(sequencer, api);
    const node = {
      url: api.line.slice('listening: '.length).trim(),
      token: (role: Role, province: string, subject: string) => issuer.mint({ subject, role, province }),
    };
    const world: HttpWorld = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;

    const acknowledged: SignedDetection[] = [];
    const attempted: SignedDetection[] = [];
    const shared = await jpeg(200, 120);
    let stop = false;
    const client = async () => {
      while (!stop) {
        const signed = await signedDetection(camera, { images: [await jpeg(120, 80), shared] });
        attempted.push(signed);
        try {
          const reply = await ingest(node, camera, signed);
          if (reply.status === 201 || reply.status === 200) acknowledged.push(signed);
          else throw new Error(`unexpected ${reply.status}: ${reply.text}`);
        } catch (error) {
          if (stop) return;
          if ((error as Error).message.startsWith('unexpected')) throw error;
          return; // connection refused or reset: the server is gone
        }
      }
    };
    const clients = [client(), client(), client()];
    await waitFor(() => acknowledged.length >= 25, { timeoutMs: 60_000, what: '25 acknowledged detections' });
    await Promise.all([kill(api), kill(sequencer)]);
    stop = true;
    await Promise.all(clients);
    expect(acknowledged.length).to.be.greaterThanOrEqual(25);

    const sequencer2 = await start('sequencer', env, 'verifier-key: ');
    const api2 = await start('api', env, 'listening: ');
    procs.push(sequencer2, api2);
    const node2 = { ...node, url: api2.line.slice('listening: '.length).trim() };

    const client2 = new pg.Client({ connectionString: db.url });
    await client2.connect();
    try {
      // The node's own evidence store, as its configuration opens it (encrypted at rest by default).
      const evidence = await openConfiguredEvidenceStore(loadConfig(env), { readOnly: true });
      for (const signed of acknowledged) {
        // The evidence of an acknowledged detection was durable before the acknowledgement.
        for (const image of signed.images) expect(await evidence.has(evidenceDigest(image))).to.equal(true);
        const caseId = caseIdForDetection(signed.detection.detectionId);
        const reply = await ingest(node2, camera, signed);
        expect(reply.status, reply.text).to.equal(200);
        expect(reply.json.caseId).to.equal(caseId);
      }
      // Exactly once: no detection id has two ViolationDetected records anywhere in the store.
      const { rows } = await client2.query<{ n: string; distinct: string }>(
        `SELECT count(*)::text AS n, count(DISTINCT (record::jsonb)->'data'->'detection'->>'detectionId')::text AS distinct
           FROM event_records WHERE type = 'ViolationDetected'`,
      );
      expect(rows[0]!.n).to.equal(rows[0]!.distinct);
      expect(Number(rows[0]!.n)).to.be.greaterThanOrEqual(acknowledged.length);
      expect(Number(rows[0]!.n)).to.be.lessThanOrEqual(attempted.length);

      const total = Number(
        (await client2.query<{ n: string }>('SELECT count(*)::text AS n FROM event_records')).rows[0]!.n,
      );
      await waitFor(
        async () => {
          const r = await client2.query<{ size: string }>(
            'SELECT max(tree_size)::text AS size FROM ledger_checkpoints',
          );
          return Number(r.rows[0]?.size ?? 0) >= total;
        },
        { timeoutMs: 30_000, what: 'every record sealed after the restart' },
      );
    } finally {
      await client2.end();
    }
    await kill(api2);
    await kill(sequencer2);
    const verify = await run(['ledger', 'verify'], env);
    expect(verify.status, verify.stdout).to.equal(0);
    expect(verify.stdout).to.contain('OK: no discrepancy');
    await writeFile(join(dir, 'verify.txt'), verify.stdout);
  });
});
