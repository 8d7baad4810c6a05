/**
 * `ledger verify` against stores generated in bulk, then tampered with as a superuser would (append-only
 * triggers bypassed with `session_replication_role = replica`, files rewritten on disk): every change of a
 * single byte is found and named.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSystemEvidenceStore, openConfiguredEvidenceStore } from '../../../src/adapters/evidence/index.ts';
import { signCheckpoint } from '../../../src/domain/integrity/index.ts';
import { loadOrCreateNodeKey, nodeVerifierKey, type NodeKey } from '../../../src/adapters/keys/node-key.ts';
import { verifyLedger, type Discrepancy, type VerifyReport } from '../../../src/adapters/ledger/verify.ts';
import { postgresFeedSource } from '../../../src/adapters/ledger/feed-source.ts';
import { bulkGenerate } from './support/bulk.ts';
import { ledgerTestDatabase, type LedgerTestDatabase } from './support/db.ts';

const ORIGIN = 'vn-traffic/province-01';
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('ledger verify (integration, PostgreSQL)', function () {
  let db: LedgerTestDatabase;
  let dir: string;
  let key: NodeKey;
  let evidence: FileSystemEvidenceStore;
  let vkey: string;
  let ids: string[];
  let blobs: { digest: string; size: number }[];

  beforeEach(async () => {
    db = await ledgerTestDatabase('ledger_verify');
    dir = await mkdtemp(join(tmpdir(), 'tec-ledger-verify-'));
    key = await loadOrCreateNodeKey(join(dir, 'keys', 'ledger.key'));
    vkey = nodeVerifierKey(ORIGIN, key);
    evidence = await FileSystemEvidenceStore.open(join(dir, 'evidence'));
    blobs = [];
    for (const body of ['overview image bytes', 'plate crop bytes', 'video bytes']) {
      const put = await evidence.put(Buffer.from(body));
      blobs.push({ digest: put.digest, size: put.size });
    }
    const result = await bulkGenerate(db.pool, {
      records: 300,
      recordsPerStream: 7,
      integrate: 250,
      checkpointsAt: [1, 100, 200, 250],
      origin: ORIGIN,
      seed: key.seed,
      batch: 64,
      evidence: new Map([
        [3, blobs.slice(0, 2)],
        [40, blobs.slice(2)],
      ]),
    });
    ids = result.recordIds!;
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const verify = (): Promise<VerifyReport> => verifyLedger({ ledgerPool: db.pool, feed: 'same-database', evidence, verifierKeys: [vkey], batchSize: 50 });
  const asSuperuser = async (sql: string, params: unknown[] = []): Promise<void> => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      await client.query(sql, params);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
  const recordHashOf = async (id: string): Promise<string> =>
    (await db.pool.query<{ hash: string }>('SELECT hash FROM event_records WHERE event_id = $1', [id])).rows[0]!.hash;
  const codes = (report: VerifyReport): string[] => [...new Set(report.discrepancies.map((d) => d.code))].sort();
  const find = (report: VerifyReport, code: string): Discrepancy[] => report.discrepancies.filter((d) => d.code === code);

  it('passes a clean node and counts what it checked', async () => {
    const report = await verify();
    expect(report.discrepancies).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report).to.include({ records: 300, leaves: 250, unintegrated: 50, unsealed: 0, checkpoints: 4, blobs: 3, streams: 43 });
    expect(report.subtreeHashes).to.equal(250 - 6); // n − popcount(n) for n = 250 (0b11111010)
  });

  it('gives the same result reading the feed through its own connection', async () => {
    const report = await verifyLedger({ ledgerPool: db.pool, feed: postgresFeedSource(db.pool), verifierKeys: [vkey] });
    expect(report.ok).to.equal(true);
    expect(report.records).to.equal(300);
  });

  it('refuses updates and deletes of leaves, subtree hashes and checkpoints without bypassing the triggers', async () => {
    for (const sql of [
      'UPDATE ledger_leaves SET leaf_hash = leaf_hash WHERE leaf_index = 0',
      'DELETE FROM ledger_nodes WHERE level = 1',
      'UPDATE ledger_checkpoints SET note = note',
      'TRUNCATE ledger_leaves',
    ]) {
      const error = await db.pool.query(sql).then(
        () => undefined,
        (e: { code?: string }) => e,
      );
      expect(error?.code, sql).to.equal('TEC02');
    }
  });

  it('finds one changed byte in a stored record and names the record', async () => {
    await asSuperuser(`UPDATE event_records SET record = replace(record, '29A-123.45', '29A-123.46') WHERE event_id = $1`, [ids[57]]);
    const report = await verify();
    expect(report.ok).to.equal(false);
    expect(codes(report)).to.deep.equal(['RECORD_HASH']);
    expect(find(report, 'RECORD_HASH').map((d) => d.recordId)).to.deep.equal([ids[57]]);
  });

  it('finds a rewritten record hash: the record, the next link of its chain and its leaf', async () => {
    await asSuperuser(`UPDATE event_records SET hash = $2 WHERE event_id = $1`, [ids[8], 'f'.repeat(64)]);
    const report = await verify();
    expect(find(report, 'RECORD_HASH').map((d) => d.recordId)).to.deep.equal([ids[8]]);
    expect(find(report, 'CHAIN').map((d) => d.recordId)).to.deep.equal([ids[9]]);
    expect(find(report, 'LEAF_RECORD').map((d) => d.leafIndex)).to.deep.equal([8]);
  });

  it('with strictCanonical, finds a record text rewritten out of canonical form together with its hash', async () => {
    await asSuperuser(
      `UPDATE event_records SET record = '{ ' || substr(record, 2), hash = encode(sha256(convert_to('{ ' || substr(record, 2), 'UTF8')), 'hex') WHERE event_id = $1`,
      [ids[20]],
    );
    const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', verifierKeys: [vkey], strictCanonical: true });
    expect(find(report, 'RECORD_NOT_CANONICAL').map((d) => d.recordId)).to.deep.equal([ids[20]]);
    expect(find(report, 'RECORD_HASH')).to.deep.equal([]);
    expect(find(report, 'LEAF_RECORD').map((d) => d.recordId)).to.deep.equal([ids[20]]);
  });

  it('finds one changed byte of an evidence blob and names its digest', async () => {
    const target = blobs[1]!;
    const hex = target.digest.slice('sha256:'.length);
    const path = join(dir, 'evidence', 'sha256', hex.slice(0, 2), hex);
    const bytes = await readFile(path);
    bytes[0] = bytes[0]! ^ 0x01;
    await chmod(path, 0o600);
    await writeFile(path, bytes);
    const report = await verify();
    expect(codes(report)).to.deep.equal(['EVIDENCE_DIGEST']);
    expect(find(report, 'EVIDENCE_DIGEST').map((d) => d.digest)).to.deep.equal([target.digest]);
  });

  it('finds an original evidence blob that is gone, naming the digest and the record', async () => {
    const target = blobs[2]!;
    const hex = target.digest.slice('sha256:'.length);
    await unlink(join(dir, 'evidence', 'sha256', hex.slice(0, 2), hex));
    const report = await verify();
    expect(codes(report)).to.deep.equal(['EVIDENCE_MISSING']);
    expect(find(report, 'EVIDENCE_MISSING')[0]).to.include({ digest: target.digest, recordId: ids[40] });
  });

  it('reports an original destroyed under a retention policy as destroyed, not missing (clock moved forward)', async () => {
    // A fresh ledger whose record 41 (the last of the stream of record 40, which names blob 2) is the
    // EvidenceDestroyed a retention run recorded a year after the case ended; then the blob was shredded.
    await db.close();
    db = await ledgerTestDatabase('ledger_verify');
    const target = blobs[2]!;
    const destroyedAt = '2027-11-25T00:00:00.000Z';
    const result = await bulkGenerate(db.pool, {
      records: 100,
      recordsPerStream: 7,
      checkpointsAt: [100],
      origin: ORIGIN,
      seed: key.seed,
      evidence: new Map([[40, blobs.slice(2)]]),
      standalone: new Map([
        [
          41,
          {
            stream: 'retention-0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60',
            type: 'EvidenceDestroyed',
            data: {
              caseId: '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60',
              digest: target.digest,
              role: 'original',
              category: 'rejected-detection',
              policy: 'rejected-detection/2026-01-01',
              legalBasis: { instrument: 'test policy', verified: false },
              destroyedAt,
            },
          },
        ],
      ]),
    });
    await evidence.destroy(target.digest);
    const report = await verify();
    expect(report.discrepancies).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    expect(report.destroyed).to.have.length(1);
    expect(report.destroyed[0]).to.include({
      digest: target.digest,
      policy: 'rejected-detection/2026-01-01',
      at: destroyedAt,
      recordId: result.recordIds![40],
      destroyedBy: result.recordIds![41],
    });
    expect(report.destroyed[0]!.message).to.contain(`destroyed under policy rejected-detection/2026-01-01 at ${destroyedAt}`);

    // An EvidenceDestroyed on any other stream than retention-* proves nothing: the blob is missing.
    await db.close();
    db = await ledgerTestDatabase('ledger_verify');
    await bulkGenerate(db.pool, {
      records: 100,
      recordsPerStream: 7,
      checkpointsAt: [100],
      origin: ORIGIN,
      seed: key.seed,
      evidence: new Map([[40, blobs.slice(2)]]),
      standalone: new Map([[41, { stream: 'case-0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f61', type: 'EvidenceDestroyed', data: { digest: target.digest, policy: 'x', destroyedAt, legalBasis: {} } }]]),
    });
    const forged = await verify();
    expect(codes(forged)).to.deep.equal(['EVIDENCE_MISSING']);
    expect(forged.destroyed).to.deep.equal([]);
  });

  it('finds a changed checkpoint note (one byte of its time line) and names its size', async () => {
    await asSuperuser(`UPDATE ledger_checkpoints SET note = replace(note, 'time 2026', 'time 2027') WHERE tree_size = 200`);
    const report = await verify();
    expect(codes(report)).to.deep.equal(['CHECKPOINT_SIGNATURE']);
    expect(find(report, 'CHECKPOINT_SIGNATURE').map((d) => d.treeSize)).to.deep.equal([200]);
  });

  it('finds a changed checkpoint root column', async () => {
    await asSuperuser(`UPDATE ledger_checkpoints SET root_hash = set_byte(root_hash, 0, get_byte(root_hash, 0) # 1) WHERE tree_size = 100`);
    const report = await verify();
    expect(codes(report)).to.deep.equal(['CHECKPOINT_FIELDS', 'CHECKPOINT_ROOT']);
    expect(report.discrepancies.every((d) => d.treeSize === 100)).to.equal(true);
  });

  it('finds two swapped leaves, names both, and every checkpoint root after them', async () => {
    // record_id is unique and not deferrable: park leaf 120 on a placeholder id, then write both.
    await asSuperuser(`UPDATE ledger_leaves SET record_id = '00000000-0000-4000-8000-000000000000' WHERE leaf_index = 120`);
    await asSuperuser(`
      UPDATE ledger_leaves SET record_id = $1, record_hash = decode($2, 'hex'), leaf_hash = sha256('\\x00'::bytea || decode($2, 'hex'))
      WHERE leaf_index = 121`, [ids[120], await recordHashOf(ids[120]!)]);
    await asSuperuser(`
      UPDATE ledger_leaves SET record_id = $1, record_hash = decode($2, 'hex'), leaf_hash = sha256('\\x00'::bytea || decode($2, 'hex'))
      WHERE leaf_index = 120`, [ids[121], await recordHashOf(ids[121]!)]);
    const report = await verify();
    expect(find(report, 'LEAF_RECORD').map((d) => [d.leafIndex, d.recordId])).to.deep.equal([
      [120, ids[120]],
      [121, ids[121]],
    ]);
    expect(find(report, 'CHECKPOINT_ROOT').map((d) => d.treeSize)).to.deep.equal([200, 250]);
    expect(find(report, 'NODE_HASH').length).to.be.greaterThan(0);
    expect(find(report, 'RECORD_HASH')).to.deep.equal([]);
  });

  it('finds a changed stored subtree hash, and the consistency proofs that use it fail', async () => {
    await asSuperuser(`UPDATE ledger_nodes SET hash = set_byte(hash, 31, get_byte(hash, 31) # 128) WHERE level = 6 AND node_index = 0`);
    const report = await verify();
    expect(find(report, 'NODE_HASH').map((d) => d.leafIndex)).to.deep.equal([63]);
    expect(find(report, 'CHECKPOINT_ROOT')).to.deep.equal([]);
    expect(find(report, 'CHECKPOINT_CONSISTENCY').length).to.be.greaterThan(0);
    expect(find(report, 'CHECKPOINT_FORK'), 'damaged proof material is not a fork').to.deep.equal([]);
  });

  // A fork needs two notes signed by the node key: the attacker has the key and database access.
  const plantSignedCheckpoint = async (size: number, root: Buffer): Promise<void> => {
    const time = '2026-11-25T00:00:00Z';
    const note = signCheckpoint({ origin: ORIGIN, size, root, time }, key.seed);
    await asSuperuser('INSERT INTO ledger_checkpoints (tree_size, root_hash, issued_at, note) VALUES ($1, $2, $3, $4)', [size, root, time, note]);
  };

  it('reports as a fork two signed checkpoints of one size with different roots (primary key dropped to store them)', async () => {
    const duplicate = await db.pool
      .query('INSERT INTO ledger_checkpoints (tree_size, root_hash, issued_at, note) SELECT tree_size, root_hash, issued_at, note FROM ledger_checkpoints WHERE tree_size = 200')
      .then(
        () => undefined,
        (e: { code?: string }) => e.code,
      );
    expect(duplicate, 'one checkpoint per size').to.equal('23505');
    await asSuperuser('ALTER TABLE ledger_checkpoints DROP CONSTRAINT ledger_checkpoints_pkey CASCADE'); // CASCADE: the cosignatures' reference to it goes too
    await plantSignedCheckpoint(200, Buffer.alloc(32, 7));
    const report = await verify();
    expect(report.ok).to.equal(false);
    expect(find(report, 'CHECKPOINT_FORK').map((d) => d.treeSize)).to.include(200);
    expect(find(report, 'CHECKPOINT_SIGNATURE')).to.deep.equal([]);
  });

  it('reports as a fork a signed checkpoint that the leaves under a later signed checkpoint contradict', async () => {
    await plantSignedCheckpoint(150, Buffer.alloc(32, 7));
    const report = await verify();
    expect(find(report, 'CHECKPOINT_FORK').map((d) => d.treeSize)).to.deep.equal([200]);
    expect(find(report, 'CHECKPOINT_ROOT').map((d) => d.treeSize)).to.deep.equal([150]);
    expect(find(report, 'CHECKPOINT_SIGNATURE')).to.deep.equal([]);
  });

  it('refuses checkpoints under another key', async () => {
    const other = await loadOrCreateNodeKey(join(dir, 'keys', 'other.key'));
    const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', verifierKeys: [nodeVerifierKey(ORIGIN, other)] });
    expect(find(report, 'CHECKPOINT_SIGNATURE').map((d) => d.treeSize)).to.deep.equal([1, 100, 200, 250]);
  });

  it('an encrypted evidence blob whose ciphertext was altered is reported as EVIDENCE_DIGEST for its digest', async () => {
    const encrypted = await openConfiguredEvidenceStore({
      evidenceDir: join(dir, 'evidence-encrypted'),
      maxEvidenceBytes: 1024 * 1024,
      evidenceEncryption: true,
      evidenceKekFile: join(dir, 'keys', 'evidence-kek.key'),
    });
    const put = await encrypted.put(Buffer.from('encrypted overview image bytes'));
    const path = join(dir, 'evidence-encrypted', 'sha256', put.digest.slice(7, 9), put.digest.slice(7));
    const file = await readFile(path);
    file[file.byteLength - 20] = file[file.byteLength - 20]! ^ 0x01; // inside the ciphertext: only GCM can tell
    await writeFile(path, file);
    const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', evidence: encrypted, verifierKeys: [vkey], batchSize: 50 });
    expect(find(report, 'EVIDENCE_DIGEST').map((d) => d.digest)).to.deep.equal([put.digest]);
  });

  it('tec ledger verify exits 0 clean, 1 with discrepancies, 2 on unusable input', async () => {
    const env = {
      ...process.env,
      DATABASE_URL: db.url,
      EVENTSTORE_URL: db.url,
      EVIDENCE_DIR: join(dir, 'evidence'),
      LEDGER_KEY_FILE: key.path,
      LEDGER_ORIGIN: ORIGIN,
    };
    const clean = await runTec(['ledger', 'verify'], env);
    expect(clean.code, clean.stderr).to.equal(0);
    expect(clean.stdout).to.contain('OK: no discrepancy');
    await asSuperuser(`UPDATE event_records SET record = replace(record, '29A-123.45', '29A-123.47') WHERE event_id = $1`, [ids[5]]);
    const tampered = await runTec(['ledger', 'verify', '--json'], env);
    expect(tampered.code).to.equal(1);
    const report = JSON.parse(tampered.stdout) as VerifyReport;
    expect(report.discrepancies.map((d) => d.recordId)).to.deep.equal([ids[5]]);
    const checkpoint = await runTec(['ledger', 'checkpoint'], env);
    expect(checkpoint.code).to.equal(0);
    expect(checkpoint.stdout.split('\n').slice(0, 2)).to.deep.equal([ORIGIN, '250']);
    const unusable = await runTec(['ledger', 'verify'], { ...env, LEDGER_KEY_FILE: join(dir, 'absent.key') });
    expect(unusable.code).to.equal(2);
  });
});

function runTec(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [join(repoRoot, 'bin/tec.js'), ...args], { env, cwd: repoRoot }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
