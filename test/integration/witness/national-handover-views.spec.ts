/**
 * National views of handovers. The relay query (`NationalViews.handovers`) is answered by the partial expression index
 * `mirror_records_handover` on (toProvince, origin, leaf_index) over the `CaseTransferred` rows (migration
 * 1795479700000), not by reading every mirrored record's JSON: EXPLAIN on a migrated database holding a
 * national mirror of 20,000 records, 60 of them transfers, analysed as production would be. The answer itself
 * is checked too (only federation transfers to the province asked, in (origin, leaf) order, after the cursor).
 * And the national statistics count a case handed over from 01 to 79 once (detected, closed, paid).
 */
import { expect } from 'chai';
import pg from 'pg';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { HANDOVER_RELAY_SQL, NationalViews } from '../../../src/adapters/witness/national-views.ts';
import { scratchDatabase, type ScratchDatabase } from '../../support/env.ts';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

describe('national relay: the handover query uses its index', function () {
  this.timeout(120_000);
  let db: ScratchDatabase;
  let pool: pg.Pool;

  before(async () => {
    db = await scratchDatabase('relay_ix');
    await runMigrations(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    for (const [origin, province] of [['vn-traffic/province-01', '01'], ['vn-traffic/province-48', '48']]) {
      await pool.query(`INSERT INTO mirror_logs (origin, province, caught_up_at, created_at) VALUES ($1, $2, now(), now())`, [origin, province]);
      await pool.query(
        `INSERT INTO witness_logs (origin, tree_size, root_hash, checkpoint, cosignature, cosigned_at) VALUES ($1, 20000, decode(repeat('ab', 32), 'hex'), $2, '— w abc', now())`,
        [origin, `${origin}\n20000\nq83vq83vq83vq83vq83vq83vq83vq83vq83vq83vq8=\n`],
      );
    }
    // 10,000 records per log; every 500th a transfer: alternately a federation transfer to 79, to 80, and an
    // in-node one to 79 (which the relay never carries).
    await pool.query(`
      INSERT INTO mirror_records (origin, leaf_index, province, record_id, stream, revision, type, recorded_at, record_hash, plate, record)
      SELECT o.origin, i, o.province, gen_random_uuid(), 'case-' || lpad(i::text, 36, '0'), 0,
             CASE WHEN i % 500 = 7 THEN 'CaseTransferred' ELSE 'ViolationDetected' END,
             now(), decode(md5(o.origin || i) || md5(i || o.origin), 'hex'), NULL,
             CASE WHEN i % 500 = 7 THEN json_build_object('data', json_build_object(
                    'handover', CASE WHEN (i / 500) % 3 = 2 THEN 'in-node' ELSE 'federation' END,
                    'signoff', json_build_object('toProvince', CASE WHEN (i / 500) % 3 = 1 THEN '80' ELSE '79' END)))::text
                  ELSE json_build_object('data', json_build_object('detection', json_build_object('violationCode', '168.6.9.b', 'n', i)))::text END
        FROM generate_series(0, 9999) AS i
        CROSS JOIN (VALUES ('vn-traffic/province-01', '01'), ('vn-traffic/province-48', '48')) AS o(origin, province)`);
    await pool.query('ANALYZE mirror_records');
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('EXPLAIN: an index scan of mirror_records_handover, no sequential scan of the mirror', async () => {
    for (const params of [['79', 100, '', -1], ['79', 100, 'vn-traffic/province-01', 5007]]) {
      const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${HANDOVER_RELAY_SQL}`, params);
      const nodes = nodesOf(rows[0]!['QUERY PLAN'][0].Plan);
      const onMirror = nodes.filter((n) => n['Relation Name'] === 'mirror_records');
      expect(onMirror.map((n) => [n['Node Type'], n['Index Name']]), JSON.stringify(nodes)).to.deep.equal([['Index Scan', 'mirror_records_handover']]);
    }
  });

  it('answers only federation transfers to the province asked, in (origin, leaf) order, after the cursor', async () => {
    const views = new NationalViews(pool);
    const all = await views.handovers('79');
    // Per log 20 transfers: (i / 500) % 3 = 0 → federation to 79 (7 of them: blocks 0, 3, …, 18).
    expect(all.map((h) => [h.origin, h.leafIndex])).to.deep.equal(
      ['vn-traffic/province-01', 'vn-traffic/province-48'].flatMap((origin) => [0, 3, 6, 9, 12, 15, 18].map((block) => [origin, block * 500 + 7])),
    );
    expect(all.every((h) => h.toProvince === '79')).to.equal(true);
    const after = await views.handovers('79', { origin: 'vn-traffic/province-01', leafIndex: 9007 }, 3);
    expect(after.map((h) => [h.origin, h.leafIndex])).to.deep.equal([
      ['vn-traffic/province-48', 7],
      ['vn-traffic/province-48', 1507],
      ['vn-traffic/province-48', 3007],
    ]);
    expect((await views.handovers('80')).length).to.equal(14);
  });
});

describe('national statistics: a case handed over between provinces counts once', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let pool: pg.Pool;
  const A = 'a'.repeat(8) + '-0000-4000-8000-' + '0'.repeat(12);
  const B = 'b'.repeat(8) + '-0000-4000-8000-' + '0'.repeat(12);

  before(async () => {
    db = await scratchDatabase('nat_stats');
    await runMigrations(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 2 });
    const feeds: [string, string, [string, string, object][]][] = [
      // 01: case A detected, confirmed, handed over to 79 (transfer + close `transferred`); case B detected and paid.
      [
        'vn-traffic/province-01',
        '01',
        [
          [A, 'ViolationDetected', {}],
          [A, 'ReviewConfirmed', {}],
          [A, 'OwnerIdentified', {}],
          [A, 'CaseTransferred', { handover: 'federation', signoff: { toProvince: '79' } }],
          [A, 'CaseClosed', { reason: 'transferred' }],
          [B, 'ViolationDetected', {}],
          [B, 'ReviewConfirmed', {}],
          [B, 'PenaltyDecided', {}],
          [B, 'PenaltyPaid', {}],
          [B, 'CaseClosed', { reason: 'paid' }],
        ],
      ],
      // 79: case A received, noticed, decided, paid and closed there.
      [
        'vn-traffic/province-79',
        '79',
        [
          [A, 'CaseReceived', {}],
          [A, 'EvidenceAttached', {}],
          [A, 'NoticeIssued', {}],
          [A, 'PenaltyDecided', {}],
          [A, 'PenaltyPaid', {}],
          [A, 'CaseClosed', { reason: 'paid' }],
        ],
      ],
    ];
    for (const [origin, province, records] of feeds) {
      await pool.query(`INSERT INTO mirror_logs (origin, province, caught_up_at, created_at) VALUES ($1, $2, now(), now())`, [origin, province]);
      const revisions = new Map<string, number>();
      for (const [leaf, [caseId, type, data]] of records.entries()) {
        const revision = revisions.get(caseId) ?? 0;
        revisions.set(caseId, revision + 1);
        await pool.query(
          `INSERT INTO mirror_records (origin, leaf_index, province, record_id, stream, revision, type, recorded_at, record_hash, record)
           VALUES ($1, $2::bigint, $3, gen_random_uuid(), $4, $5, $6, now(), decode(md5($1 || $8) || md5($8 || $1), 'hex'), $7)`,
          [origin, leaf, province, `case-${caseId}`, revision, type, JSON.stringify({ type, data }), String(leaf)],
        );
      }
    }
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('detected where the camera saw it, received where it went, closed only where it ended', async () => {
    const stats = await new NationalViews(pool).statistics();
    const byProvince = Object.fromEntries(stats.map((s) => [s.province, s.cases]));
    expect(byProvince['01']).to.include({ detected: 2, received: 0, transferredOut: 1, closed: 1, paid: 1, penaltiesDecided: 1, noticesIssued: 0 });
    expect(byProvince['79']).to.include({ detected: 0, received: 1, transferredOut: 0, closed: 1, paid: 1, penaltiesDecided: 1, noticesIssued: 1 });
    // Two cases in the country: each detected once, each closed once.
    const total = (name: 'detected' | 'closed' | 'paid') => stats.reduce((sum, s) => sum + s.cases[name], 0);
    expect([total('detected'), total('closed'), total('paid')]).to.deep.equal([2, 2, 2]);
    // The cases each province handles: 01 handles B, 79 handles A.
    expect(stats.map((s) => s.cases.detected + s.cases.received - s.cases.transferredOut)).to.deep.equal([1, 1]);
  });
});
