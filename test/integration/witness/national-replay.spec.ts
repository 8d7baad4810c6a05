/**
 * `tec replay --national` (docs/federation.md "Operations"): the auditor's offline replay of the national read
 * models, run through the CLI's own entry against a national node's database. Three real nodes in one process
 * as in national-views.spec.ts: provinces 01 and 79 (signed detections, an officer's signed review), the
 * national witness cosigning both and the national mirror following both, the national projector.
 * - each mirrored feed is verified from scratch (hashes, chains, the root against the cosigned checkpoint),
 *   and a rewritten mirrored record is caught by that verifier;
 * - an intact mirror checks identical (exit 0); a tampered national read-model row is reported (exit 1) and
 *   the check leaves it in place; `--swap` restores equality while the national projector runs, and the
 *   national views still answer;
 * - a provincial database, an unknown province and contradicting flags are refused with exit 2 and a message.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { MIRROR_SUBJECT } from '../../../src/adapters/http/routes/log.ts';
import { Frontier } from '../../../src/adapters/ledger/frontier.ts';
import { MirrorFollower } from '../../../src/adapters/witness/mirror.ts';
import { verifyMirroredFeed } from '../../../src/adapters/witness/mirror-verify.ts';
import { NATIONAL_PROJECTIONS, NATIONAL_VIEW_SCHEMA, NationalProjector, schemaOfOrigin } from '../../../src/adapters/witness/national-projections.ts';
import { NationalViews } from '../../../src/adapters/witness/national-views.ts';
import { CheckpointSubmitter } from '../../../src/adapters/witness/submitter.ts';
import { Witness } from '../../../src/adapters/witness/witness.ts';
import { main } from '../../../src/cli/main.ts';
import { loadProvincialLogRegistry } from '../../../src/commands/federation.ts';
import { systemClock } from '../../../src/commands/deps.ts';
import { canonicalTextHash, sha256 } from '../../../src/domain/integrity/index.ts';
import { buildReviewSignoff, signSignoff } from '../../../src/domain/signoff/index.ts';
import { waitFor } from '../../support/env.ts';
import { startApiNode, type ApiNode } from '../http/support/api-node.ts';
import { HANOI, SAIGON, buildHttpWorld, call, expectStatus, multipartBody, signedDetection, type HttpWorld } from '../http/support/world.ts';

const ORIGIN = { [HANOI]: 'vn-traffic/province-01', [SAIGON]: 'vn-traffic/province-79' } as Record<string, string>;
const PLATE = { [HANOI]: '30A-111.22', [SAIGON]: '51F-333.44' } as Record<string, string>;

/** Runs `tec <args>` in this process with only `env` configuring it; captures stdout and stderr. */
async function runTec(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { ...process.env };
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  let stdout = '';
  let stderr = '';
  for (const k of ['EVENTSTORE_URL', 'DATABASE_URL', 'DATA_DIR', 'TIER']) delete process.env[k];
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  try {
    process.exitCode = undefined;
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.exitCode = undefined;
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

describe('tec replay --national', function () {
  this.timeout(300_000);
  const issuerSeed = new Uint8Array(randomBytes(32));
  let national: ApiNode;
  const provinces = new Map<string, { node: ApiNode; pool: pg.Pool; world: HttpWorld; submitter: CheckpointSubmitter }>();
  let nationalPool: pg.Pool;
  let mirror: MirrorFollower;
  let projector: NationalProjector;
  let nationalEnv: Record<string, string>;
  let witnessKey: string;

  const rows = async (schema: string, table: string) =>
    (await nationalPool.query<{ r: unknown }>(`SELECT to_jsonb(t) AS r FROM ${schema}.${table} t ORDER BY to_jsonb(t)::text`)).rows.map((x) => x.r);
  const logKeys = async (origin: string) => (await loadProvincialLogRegistry(national.store)).logs[origin]!.keyHistory;

  before(async () => {
    national = await startApiNode('nr_national', { sequencer: false, issuerSeed });
    nationalEnv = { EVENTSTORE_URL: national.db.url, DATABASE_URL: national.db.url };
    nationalPool = new pg.Pool({ connectionString: national.db.url, max: 6 });
    const witness = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('national witness seed (national replay spec)'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    });
    national.services.witness = witness;
    witnessKey = witness.verifierKey();
    national.services.nationalViews = new NationalViews(nationalPool);
    projector = new NationalProjector({ dataSource: national.dataSource, db: nationalPool, pollMs: 20 });
    national.services.nationalReadModels = projector;
    const admin = await national.token('admin', '00', 'adm-00-1');
    for (const province of [HANOI, SAIGON]) {
      const node = await startApiNode(`nr_${province}`, {
        checkpointIntervalMs: 50,
        origin: ORIGIN[province]!,
        servedProvinces: [province],
        issuerSeed,
        projections: true,
      });
      const pool = new pg.Pool({ connectionString: node.db.url, max: 3 });
      const submitter = new CheckpointSubmitter({ db: pool, ledger: node.ledger, witnessUrl: `${national.url}/witness`, witnessKey: witness.verifierKey(), clock: systemClock });
      provinces.set(province, { node, pool, world: await buildHttpWorld(node), submitter });
      const res = await fetch(`${national.url}/v1/admin/provincial-logs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ province, origin: ORIGIN[province], verifierKey: node.ledger.verifierKey(), baseUrl: node.url }),
      });
      expect(res.status).to.equal(201);
    }
    mirror = new MirrorFollower({
      db: nationalPool,
      witness,
      registry: () => loadProvincialLogRegistry(national.store),
      clock: systemClock,
      token: () => national.token('auditor', '00', MIRROR_SUBJECT),
    });

    // Each province: two detections read by its model, one confirmed by its officer's signed review.
    for (const [province, p] of provinces) {
      const officer = p.world.officers[province]!;
      const ids = [await detect(province), await detect(province)];
      const doc = await call(p.node, 'GET', `/v1/cases/${ids[0]!}`, { token: officer.token, purpose: 'national replay test' });
      expectStatus(doc, 200, 'case');
      const basis = doc.json.signoffBasis as { caseRevision: number; evidence: string[]; plate: string; violationCode: string };
      const signoff = signSignoff(
        buildReviewSignoff({ caseId: ids[0]!, caseRevision: basis.caseRevision, evidence: basis.evidence, plate: basis.plate, violationCode: basis.violationCode, decision: 'confirm', signedAt: new Date().toISOString() }),
        officer.key.secretKey,
      );
      expectStatus(await call(p.node, 'POST', `/v1/cases/${ids[0]!}/review`, { token: officer.token, body: signoff }), 200, 'review');
    }
    await sealCosignMirror();
    await projector.runOnce();
  });

  /** A signed detection read by the province's model; returns the case id. */
  const detect = async (province: string): Promise<string> => {
    const p = provinces.get(province)!;
    const camera = p.world.cameras[province]!;
    const signed = await signedDetection(camera, { plate: PLATE[province]! });
    const form = multipartBody(signed, signed.images);
    form.set('detection', JSON.stringify({ detection: signed.detection, signature: signed.signature, keyId: signed.keyId, modelId: p.world.modelId }));
    const created = await call(p.node, 'POST', '/v1/detections/upload', { token: camera.token, raw: form });
    expectStatus(created, 201, 'ingest');
    return created.json.caseId as string;
  };

  /** Every province's records sealed, cosigned by the witness and mirrored, without running the national projector. */
  const sealCosignMirror = async () => {
    for (const [province, p] of provinces) {
      const { rows: n } = await p.pool.query<{ n: string }>('SELECT count(*) AS n FROM event_records');
      await waitFor(async () => ((await p.node.ledger.latestCheckpoint())?.treeSize ?? 0) >= Number(n[0]!.n), { what: `${province} sealed`, timeoutMs: 60_000 });
      expect((await p.submitter.submitOnce()).outcome).to.be.oneOf(['cosigned', 'already-cosigned']);
    }
    await waitFor(
      async () => {
        await mirror.syncOnce();
        const status = await mirror.status();
        return status.length === 2 && status.every((s) => s.size > 0 && s.size === s.checkpointSize);
      },
      { what: 'both mirrored', timeoutMs: 60_000 },
    );
  };
  after(async () => {
    await projector?.stop();
    await mirror?.stop();
    for (const p of provinces.values()) {
      await p.submitter.stop();
      await p.pool.end();
      await p.node.close();
    }
    await nationalPool?.end();
    await national?.close();
  });

  it('verifies each mirrored feed from scratch against its cosigned checkpoint', async () => {
    for (const province of [HANOI, SAIGON]) {
      const origin = ORIGIN[province]!;
      const report = await verifyMirroredFeed(nationalPool, origin, { logKeys: await logKeys(origin), pageSize: 7 });
      const { rows: w } = await nationalPool.query<{ tree_size: string; root: string }>(`SELECT tree_size::text, encode(root_hash, 'hex') AS root FROM witness_logs WHERE origin = $1`, [origin]);
      expect(report, province).to.include({ ok: true, coverage: 'cosigned', province, size: Number(w[0]!.tree_size), leaves: Number(w[0]!.tree_size), root: w[0]!.root });
      expect(report.problems).to.deep.equal([]);
      expect(report.checkpoint!.signedBy).to.match(new RegExp(`^${origin}\\+[0-9a-f]{8}$`));
    }
  });

  it('checks the mirrored checkpoint’s cosignature under a trusted witness key, and refuses one it does not carry', async () => {
    const origin = ORIGIN[HANOI]!;
    const trusted = await verifyMirroredFeed(nationalPool, origin, { logKeys: await logKeys(origin), witnessKeys: [witnessKey] });
    expect(trusted.ok).to.equal(true);
    expect(trusted.checkpoint!.cosignedBy).to.deep.equal([`vn-traffic/national-witness+${witnessKey.split('+')[1]}`]);
    const other = new Witness({
      db: nationalPool,
      name: 'vn-traffic/national-witness',
      seed: sha256('some other witness'),
      clock: systemClock,
      registry: () => loadProvincialLogRegistry(national.store),
    }).verifierKey();
    const untrusted = await verifyMirroredFeed(nationalPool, origin, { logKeys: await logKeys(origin), witnessKeys: [other] });
    expect(untrusted.ok).to.equal(false);
    expect(untrusted.problems.join('\n')).to.match(/no valid cosignature from the trusted witness/);
    const { code, stdout } = await runTec(['replay', '--national', '--check', '--no-progress', '--province', HANOI, '--trusted-witness', other], nationalEnv);
    expect(code, stdout).to.equal(1);
    const ok = await runTec(['replay', '--national', '--check', '--no-progress', '--province', HANOI, '--trusted-witness', witnessKey], nationalEnv);
    expect(ok.code, ok.stdout).to.equal(0);
    expect(ok.stdout).to.include('cosigned by vn-traffic/national-witness+');
    const bad = await runTec(['replay', '--national', '--trusted-witness', 'not-a-key'], nationalEnv);
    expect(bad.code).to.equal(2);
  });

  it('finds a rewritten mirrored record: its hash, and a consistent rewrite by the root and the chain', async () => {
    const origin = ORIGIN[SAIGON]!;
    const keys = await logKeys(origin);
    const client = await nationalPool.connect();
    try {
      await client.query('BEGIN');
      // A database superuser around the append-only trigger; rolled back below.
      await client.query('SET LOCAL session_replication_role = replica');
      const { rows } = await client.query<{ leaf: string; record: string }>(
        `SELECT leaf_index::text AS leaf, record FROM mirror_records WHERE origin = $1 AND type = 'ViolationDetected' ORDER BY leaf_index LIMIT 1`,
        [origin],
      );
      const leaf = rows[0]!.leaf;
      const forged = rows[0]!.record.replace(PLATE[SAIGON]!, '51F-999.99');
      expect(forged).to.not.equal(rows[0]!.record);
      await client.query('UPDATE mirror_records SET record = $3 WHERE origin = $1 AND leaf_index = $2', [origin, leaf, forged]);
      const byHash = await verifyMirroredFeed(client, origin, { logKeys: keys });
      expect(byHash.ok).to.equal(false);
      expect(byHash.problems.join('\n')).to.include(`leaf ${leaf}: the served record hashes to`);
      // The forger also rewrites the stored hash: the tree no longer gives the cosigned root, and the stream's
      // next record no longer chains onto it.
      await client.query('UPDATE mirror_records SET record_hash = $3 WHERE origin = $1 AND leaf_index = $2', [origin, leaf, Buffer.from(canonicalTextHash(forged), 'hex')]);
      const consistent = await verifyMirroredFeed(client, origin, { logKeys: keys });
      expect(consistent.ok).to.equal(false);
      const problems = consistent.problems.join('\n');
      expect(problems).to.match(/prev is not the previous record’s hash/);
      expect(problems).to.match(/the cosigned checkpoint of size \d+ says/);
      expect(problems).to.match(/the witness cosigned [0-9a-f]{64} at size/);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
    expect((await verifyMirroredFeed(nationalPool, origin, { logKeys: keys })).ok).to.equal(true);
  });

  it('finds a missing leaf, and after an interrupted round compares the stored compact range only', async () => {
    const origin = ORIGIN[HANOI]!;
    const keys = await logKeys(origin);
    const client = await nationalPool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL session_replication_role = replica');
      const { rows: cursor } = await client.query<{ size: string }>('SELECT size::text FROM mirror_logs WHERE origin = $1', [origin]);
      const size = Number(cursor[0]!.size);
      await client.query('SAVEPOINT gap');
      await client.query('DELETE FROM mirror_records WHERE origin = $1 AND leaf_index = 3', [origin]);
      const gap = await verifyMirroredFeed(client, origin, { logKeys: keys, pageSize: 2 });
      expect(gap.ok).to.equal(false);
      expect(gap.problems).to.include('leaf 3 is missing: the next stored leaf is 4');
      expect(gap.problems).to.include(`the mirror's cursor says ${size} leaves, 3 are stored in order from 0`);
      await client.query('ROLLBACK TO SAVEPOINT gap');
      // As a crash between two stored batches leaves it: the cursor and its compact range one leaf short of
      // the cosigned checkpoint the round verified against.
      const { rows: hashes } = await client.query<{ h: Buffer }>(
        'SELECT record_hash AS h FROM mirror_records WHERE origin = $1 AND leaf_index < $2 ORDER BY leaf_index',
        [origin, size - 1],
      );
      const frontier = Frontier.empty();
      for (const { h } of hashes) frontier.appendRecordHash(new Uint8Array(h));
      await client.query('DELETE FROM mirror_records WHERE origin = $1 AND leaf_index = $2', [origin, size - 1]);
      await client.query('UPDATE mirror_logs SET size = $2, frontier = $3 WHERE origin = $1', [origin, size - 1, Buffer.from(frontier.toBytes())]);
      const partial = await verifyMirroredFeed(client, origin, { logKeys: keys });
      expect(partial).to.include({ ok: true, coverage: 'partial', leaves: size - 1 });
      expect(partial.checkpoint!.size).to.equal(size);
      // A compact range that the stored leaves do not give is caught.
      await client.query('UPDATE mirror_logs SET frontier = $2 WHERE origin = $1', [origin, Buffer.alloc(frontier.toBytes().length, 7)]);
      expect((await verifyMirroredFeed(client, origin, { logKeys: keys })).problems).to.deep.equal([
        `the stored compact range at size ${size - 1} is not the one the stored leaves give`,
      ]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('checks an intact mirror identical, with exit status 0', async () => {
    const { code, stdout } = await runTec(['replay', '--national', '--check', '--no-progress'], nationalEnv);
    expect(code, stdout).to.equal(0);
    for (const province of [HANOI, SAIGON]) {
      expect(stdout).to.match(new RegExp(`^${province} ${ORIGIN[province]} \\(natview_[0-9a-f]{16}\\): mirrored feed VERIFIED from scratch: \\d+ leaves`, 'm'));
      expect(stdout).to.match(new RegExp(`^${province} ${ORIGIN[province]} \\(natview_[0-9a-f]{16}\\): IDENTICAL: [1-9]\\d* live rows and [1-9]\\d* rebuilt rows compared, 0 differing, \\d+ ms`, 'm'));
    }
    for (const p of NATIONAL_PROJECTIONS) expect(stdout).to.match(new RegExp(`^ {2}${p.name}: IDENTICAL`, 'm'));
  });

  it('reports a tampered national read-model row with exit status 1 and leaves the live table as it is', async () => {
    const schema = schemaOfOrigin(ORIGIN[SAIGON]!);
    await nationalPool.query(`UPDATE ${schema}.rm_camera SET status = 'suspended' WHERE camera_id = (SELECT min(camera_id) FROM ${schema}.rm_camera)`);
    const before = await rows(schema, 'rm_camera');
    const tampered = await runTec(['replay', '--national', '--province', SAIGON, '--check', '--no-progress', '--json'], nationalEnv);
    expect(tampered.code).to.equal(1);
    const report = JSON.parse(tampered.stdout) as { logs: { province: string; identical: boolean; differences: number; projections: { projection: string; tables: { table: string; onlyInLive: number; onlyInReplay: number; samples: { side: string; row: { status: string } }[] }[] }[] }[] };
    expect(report.logs.map((l) => l.province)).to.deep.equal([SAIGON]);
    expect(report.logs[0]).to.include({ identical: false, differences: 2 });
    const cameras = report.logs[0]!.projections.find((p) => p.projection === 'cameras')!.tables.find((t) => t.table === 'rm_camera')!;
    expect(cameras).to.include({ onlyInLive: 1, onlyInReplay: 1 });
    expect(cameras.samples.find((s) => s.side === 'live')!.row.status).to.equal('suspended');
    expect(await rows(schema, 'rm_camera')).to.deep.equal(before);
    // The text report names the differing rows too; the other province is untouched.
    const text = await runTec(['replay', '--national', 'cameras', '--province', SAIGON, '--no-progress'], nationalEnv);
    expect(text.code).to.equal(1);
    expect(text.stdout).to.match(/: DIFFERENT: \d+ live rows and \d+ rebuilt rows compared, 2 differing/);
    expect(text.stdout).to.match(/- live {4}.*"status": ?"suspended"/);
    expect((await runTec(['replay', '--national', '--province', HANOI, '--no-progress'], nationalEnv)).code).to.equal(0);
  });

  it('--swap restores equality while the national projector projects new records, and the national views still answer', async () => {
    const schema = schemaOfOrigin(ORIGIN[SAIGON]!);
    // New records mirrored but not yet projected nationally: the live projector works on them during the swap.
    const newCase = await detect(SAIGON);
    await sealCosignMirror();
    projector.start();
    try {
      const swap = await runTec(['replay', '--national', '--province', SAIGON, '--swap', '--no-progress'], nationalEnv);
      expect(swap.code, swap.stdout).to.equal(0);
      expect(swap.stdout).to.match(/: DIFFERENT, rebuild swapped in: .* 2 differing/);
      expect((await rows(schema, 'rm_camera')).some((r) => (r as { status: string }).status === 'suspended')).to.equal(false);
      const again = await runTec(['replay', '--national', '--check', '--no-progress'], nationalEnv);
      expect(again.code, again.stdout).to.equal(0);
      expect(again.stdout.match(/: IDENTICAL: /g)).to.have.length(2);
      await waitFor(async () => (await projector.status()).every((l) => l.projections.every((x) => x.lagEvents === 0)), { what: 'national projection caught up' });
    } finally {
      await projector.stop();
    }
    // Nothing lost or doubled: each log's national tables equal the province's own read models.
    for (const [province, p] of provinces) {
      await waitFor(async () => (await p.node.projectionRunner!.status()).every((x) => x.lagEvents === 0 && x.state === 'running'), { what: `${province} projected`, timeoutMs: 60_000 });
      for (const table of [...new Set(NATIONAL_PROJECTIONS.flatMap((x) => x.tables))]) {
        const theirs = (await p.pool.query<{ r: unknown }>(`SELECT to_jsonb(t) AS r FROM public.${table} t ORDER BY to_jsonb(t)::text`)).rows.map((x) => x.r);
        expect(await rows(schemaOfOrigin(ORIGIN[province]!), table), `${province} ${table}`).to.deep.equal(theirs);
      }
    }
    expect((await rows(schema, 'rm_case')).some((r) => (r as { case_id: string }).case_id === newCase)).to.equal(true);
    // The union views were recreated over the swapped-in tables, and the projector's pass still works.
    const { rows: union } = await nationalPool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${NATIONAL_VIEW_SCHEMA}.rm_camera`);
    const { rows: own } = await nationalPool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM ${schemaOfOrigin(ORIGIN[HANOI]!)}.rm_camera)::int + (SELECT count(*) FROM ${schema}.rm_camera)::int AS n`,
    );
    expect(union[0]!.n).to.equal(own[0]!.n).and.to.be.greaterThan(0);
    expect(await projector.runOnce()).to.equal(0);
    const coverage = await call(national, 'GET', '/v1/national/camera-coverage', { token: await national.token('analyst', '00', 'ana-00-1') });
    expectStatus(coverage, 200, 'coverage after the swap');
  });

  it('refuses a provincial database, an unknown province and contradicting flags with exit status 2', async () => {
    const province = provinces.get(HANOI)!.node;
    const refused = await runTec(['replay', '--national', '--no-progress'], { EVENTSTORE_URL: province.db.url, DATABASE_URL: province.db.url });
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.match(/^tec: not a national node’s database: it registers no provincial log and mirrors none/m);
    const unknown = await runTec(['replay', '--national', '--province', '48', '--no-progress'], nationalEnv);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('tec: no mirrored log of province 48 on this national node (mirrored: 01, 79)');
    const malformed = await runTec(['replay', '--national', '--province', 'HN'], nationalEnv);
    expect(malformed.code).to.equal(2);
    expect(malformed.stderr).to.include('--province takes a two-digit province code');
    const both = await runTec(['replay', '--national', '--check', '--swap'], nationalEnv);
    expect(both.code).to.equal(2);
    expect(both.stderr).to.include('cannot be combined with --swap');
    const notNational = await runTec(['replay', '--national', 'statistics'], nationalEnv);
    expect(notNational.code).to.equal(2);
    expect(notNational.stderr).to.include('Unknown projection "statistics"');
  });

  it('refuses to rebuild from a mirrored feed that fails its verification (exit status 1)', async () => {
    const origin = ORIGIN[HANOI]!;
    const client = await nationalPool.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(
        `UPDATE mirror_records SET record = replace(record, $2, '30A-999.99') WHERE origin = $1 AND leaf_index = (SELECT min(leaf_index) FROM mirror_records WHERE origin = $1 AND type = 'ViolationDetected')`,
        [origin, PLATE[HANOI]!],
      );
    } finally {
      await client.query('RESET session_replication_role');
      client.release();
    }
    const before = await rows(schemaOfOrigin(origin), 'rm_case');
    const result = await runTec(['replay', '--national', '--swap', '--no-progress'], nationalEnv);
    expect(result.code).to.equal(1);
    expect(result.stdout).to.match(new RegExp(`^${HANOI} ${origin} \\(natview_[0-9a-f]{16}\\): mirrored feed INVALID \\(\\d+ of \\d+ leaves read\\), not rebuilt:`, 'm'));
    expect(result.stdout).to.match(/^ {2}leaf \d+: the served record hashes to/m);
    expect(result.stdout).to.match(new RegExp(`^${SAIGON} .*: IDENTICAL, swapped in`, 'm'));
    expect(await rows(schemaOfOrigin(origin), 'rm_case')).to.deep.equal(before);
  });
});
