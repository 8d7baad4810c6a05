/**
 * The national relay's query (`NationalViews.handovers`) is answered by the partial expression index
 * `mirror_records_handover` on (toProvince, origin, leaf_index) over the `CaseTransferred` rows (migration
 * 1795479700000), not by reading every mirrored record's JSON: EXPLAIN on a migrated database holding a
 * national mirror of 20,000 records, 60 of them transfers, analysed as production would be. The answer itself
 * is checked too (only federation transfers to the province asked, in (origin, leaf) order, after the cursor).
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
