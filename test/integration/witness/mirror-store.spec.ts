/**
 * The mirror's store (`storeMirroredBatch`, docs/federation.md "Mirroring" step 5) against real PostgreSQL:
 * the guarded cursor move and the COPY of the records commit together or not at all.
 */
import { createHash, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { runMigrations } from '../../../src/adapters/postgres/migrate.ts';
import { MirrorCursorMovedError, storeMirroredBatch } from '../../../src/adapters/witness/mirror.ts';
import type { MirroredRecord } from '../../../src/domain/federation/mirror.ts';
import { scratchDatabase, type ScratchDatabase } from '../../support/env.ts';

const ORIGIN = 'vn-traffic/mirror-store-spec';

function record(leafIndex: number, stream: string, revision: number, extra = ''): MirroredRecord {
  const text = JSON.stringify({ v: 1, stream, revision, type: 'NoteAdded', data: { leafIndex, extra } });
  return {
    leafIndex,
    recordId: randomUUID(),
    stream,
    revision,
    type: 'NoteAdded',
    province: '01',
    recordedAt: new Date(Date.UTC(2026, 11, 7, 1, 0, leafIndex)).toISOString(),
    hash: createHash('sha256').update(text).digest('hex'),
    plate: leafIndex % 2 === 0 ? '51F12345' : undefined,
    text,
  };
}

describe('the mirror store (guarded cursor move and COPY in one transaction)', function () {
  this.timeout(60_000);
  let db: ScratchDatabase;
  let pool: pg.Pool;
  const store = (from: number, records: MirroredRecord[], storeBy: 'copy' | 'insert' = 'copy') =>
    storeMirroredBatch(pool, {
      origin: ORIGIN,
      from,
      first: from,
      to: { size: from + records.length, frontier: new Uint8Array(32).fill(from + records.length) },
      records,
      witnessed: { size: 100, checkpoint: 'cosigned checkpoint' },
    }, storeBy);
  const state = async () => {
    const { rows: [cursor] } = await pool.query<{ size: string; frontier: Buffer }>('SELECT size, frontier FROM mirror_logs WHERE origin = $1', [ORIGIN]);
    const { rows } = await pool.query<{ leaf_index: string; record: string; plate: string | null; record_hash: Buffer }>(
      'SELECT leaf_index, record, plate, record_hash FROM mirror_records WHERE origin = $1 ORDER BY leaf_index',
      [ORIGIN],
    );
    return { size: Number(cursor!.size), frontier: cursor!.frontier, rows };
  };

  before(async () => {
    db = await scratchDatabase('mirror_store');
    await runMigrations(db.url);
    pool = new pg.Pool({ connectionString: db.url, max: 3 });
    await pool.query('INSERT INTO mirror_logs (origin, province, caught_up_at, created_at) VALUES ($1, $2, now(), now())', [ORIGIN, '01']);
  });
  after(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('stores the records verbatim with the cursor moved to their end', async () => {
    const batch = [record(0, 'case-a', 0, 'tab\there \\ back'), record(1, 'case-a', 1), record(2, 'case-b', 0)];
    await store(0, batch);
    const s = await state();
    expect(s.size).to.equal(3);
    expect([...s.frontier]).to.deep.equal(Array(32).fill(3));
    expect(s.rows.map((r) => [Number(r.leaf_index), r.record, r.plate, r.record_hash.toString('hex')])).to.deep.equal(
      batch.map((r) => [r.leafIndex, r.text, r.plate ?? null, r.hash]),
    );
  });

  it('stores nothing when the cursor is no longer where the batch starts (another follower moved it)', async () => {
    let error: unknown;
    await store(0, [record(0, 'case-c', 0)]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(MirrorCursorMovedError);
    const s = await state();
    expect(s.size).to.equal(3);
    expect(s.rows).to.have.length(3);
  });

  it('leaves the cursor where it was when the records cannot all be stored (a stream revision stored twice)', async () => {
    let error: unknown;
    // Leaf 4 repeats case-a revision 1: the unique (origin, stream, revision) index refuses the COPY.
    await store(3, [record(3, 'case-b', 1), record(4, 'case-a', 1)]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error);
    expect((error as { code?: string }).code).to.equal('23505');
    const s = await state();
    expect(s.size).to.equal(3);
    expect([...s.frontier]).to.deep.equal(Array(32).fill(3));
    expect(s.rows.map((r) => Number(r.leaf_index))).to.deep.equal([0, 1, 2]);
    // The connection went back to the pool usable: the next correct batch stores.
    await store(3, [record(3, 'case-b', 1)]);
    expect((await state()).size).to.equal(4);
  });

  it('the embedded database\'s path (one INSERT, no COPY) stores the same rows verbatim after them', async () => {
    const before = await state();
    const from = before.size;
    const batch = [record(from, 'case-z', 0, 'line\nbreak \\N'), record(from + 1, 'case-z', 1)];
    await store(from, batch, 'insert');
    const s = await state();
    expect(s.size).to.equal(from + 2);
    expect(s.rows.slice(from).map((r) => [Number(r.leaf_index), r.record, r.plate, r.record_hash.toString('hex')])).to.deep.equal(
      batch.map((r) => [r.leafIndex, r.text, r.plate ?? null, r.hash]),
    );
  });
});
