/**
 * The ledger on an embedded node (PGlite served over the wire protocol): the sequencer seals appends, and
 * `tec ledger verify --data-dir` checks a node directory (`<dir>/pg`, `<dir>/evidence`, `<dir>/keys`).
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { FileSystemEvidenceStore } from '../../../src/adapters/evidence/index.ts';
import { PostgresEventStore } from '../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { loadOrCreateNodeKey } from '../../../src/adapters/keys/node-key.ts';
import { startLedger } from '../../../src/adapters/ledger/index.ts';
import { verifyLedger } from '../../../src/adapters/ledger/verify.ts';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { startEmbeddedPostgres } from '../../../src/adapters/postgres/pglite-server.ts';
import { bulkGenerate } from './support/bulk.ts';
import { appendNotes } from './support/events.ts';

const ORIGIN = 'vn-traffic/province-79';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('ledger on an embedded node (PGlite)', function () {
  this.timeout(120_000);
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-ledger-embedded-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('seals appends with the sequencer and verifies clean', async () => {
    const embedded = await startEmbeddedPostgres();
    const pool = new pg.Pool({ connectionString: embedded.url, max: 4 });
    pool.on('error', () => undefined);
    const store = new PostgresEventStore({ databaseUrl: embedded.url, poolSize: 3 });
    try {
      await runMigrations(embedded.url);
      const ledger = await startLedger({ pool, eventStore: store, keyFile: join(dir, 'ledger.key'), origin: ORIGIN, checkpointIntervalMs: 20, print: () => undefined });
      try {
        const ids = await appendNotes(store, 30, 4);
        const sealed = await ledger.waitUntilSealed(ids, 30_000);
        expect(sealed.treeSize).to.equal(30);
        const report = await verifyLedger({ ledgerPool: pool, feed: 'same-database', verifierKeys: [ledger.verifierKey()] });
        expect(report.discrepancies).to.deep.equal([]);
        expect(report.leaves).to.equal(30);
      } finally {
        await ledger.close();
      }
    } finally {
      await store.close();
      await pool.end();
      await embedded.stop();
    }
  });

  it('tec ledger verify --data-dir: 0 on a clean node directory, 1 naming a tampered record', async () => {
    const key = await loadOrCreateNodeKey(join(dir, 'keys', 'ledger.key'));
    const evidence = await FileSystemEvidenceStore.open(join(dir, 'evidence'));
    const blob = await evidence.put(Buffer.from('overview'));
    let ids: string[] = [];
    await withEmbedded(async (pool) => {
      const result = await bulkGenerate(pool, {
        records: 120,
        checkpointsAt: [60, 120],
        origin: ORIGIN,
        seed: key.seed,
        batch: 50,
        evidence: new Map([[2, [{ digest: blob.digest, size: blob.size }]]]),
      });
      ids = result.recordIds!;
    }, true);
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ['DATABASE_URL', 'EVENTSTORE_URL', 'EVIDENCE_DIR', 'LEDGER_KEY_FILE', 'LEDGER_ORIGIN', 'DATA_DIR']) delete env[name];
    const clean = await runTec(['ledger', 'verify', '--data-dir', dir], env);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.contain('records 120').and.contain('blobs 1').and.contain('OK: no discrepancy');
    await withEmbedded(async (pool) => {
      await pool.query(`SET session_replication_role = replica`);
      await pool.query(`UPDATE event_records SET record = replace(record, '"n":7,', '"n":8,') WHERE event_id = $1`, [ids[7]]);
      await pool.query(`SET session_replication_role = DEFAULT`);
    });
    const tampered = await runTec(['ledger', 'verify', '--data-dir', dir], env);
    expect(tampered.code).to.equal(1);
    expect(tampered.stdout).to.contain(`RECORD_HASH record ${ids[7]}`);
    const missing = await runTec(['ledger', 'verify', '--data-dir', join(dir, 'nothing-here')], env);
    expect(missing.code).to.equal(2);
  });

  async function withEmbedded(work: (pool: pg.Pool) => Promise<void>, migrate = false): Promise<void> {
    const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'pg') });
    const pool = new pg.Pool({ connectionString: embedded.url, max: 1 });
    pool.on('error', () => undefined);
    try {
      if (migrate) await runMigrations(embedded.url);
      await work(pool);
    } finally {
      await pool.end();
      await embedded.stop();
    }
  }
});

function runTec(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin/tec.js'), ...args], { env, cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}
