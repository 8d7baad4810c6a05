/**
 * The national mirror's store alone (docs/federation.md, Benchmarks): the same checked batches of 2,048
 * records, with their guarded cursor move, stored into `mirror_records` by COPY (`storeMirroredBatch`, what
 * the mirror runs) against the previous single `INSERT … SELECT FROM unnest(…)` statement (the baseline,
 * kept here only), alternating batch by batch in one database so both see the same load. No HTTP, no checks.
 * `BENCH_MIRROR_INSERT_ROWS` (40,960; `--quick` 8,192) rows per method.
 */
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { runMigrations } from '../src/adapters/postgres/migrate.ts';
import { storeMirroredBatch } from '../src/adapters/witness/mirror.ts';
import type { MirroredRecord } from '../src/domain/federation/mirror.ts';
import { scratchDatabase } from '../test/support/env.ts';
import { figure, load, scaled } from './report.ts';

const BATCH = 2048;

function records(first: number, count: number): MirroredRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const leafIndex = first + i;
    const stream = `case-${String(Math.floor(leafIndex / 100)).padStart(8, '0')}-bench`;
    const revision = leafIndex % 100;
    const plate = leafIndex % 3 === 0 ? `51F${String(10000 + (leafIndex % 5000))}` : undefined;
    const recordedAt = new Date(Date.UTC(2026, 11, 7) + leafIndex).toISOString();
    const text = JSON.stringify({
      v: 1,
      id: randomUUID(),
      stream,
      revision,
      type: 'ViolationDetected',
      data: { plate: plate ?? null, cameraId: 'cam-01-0001', confidence: 0.93, remark: 'lane 2 \\ northbound' },
      meta: { province: '01', recordedAt, actor: 'system:bench' },
      prev: '0'.repeat(64),
    });
    return {
      leafIndex,
      recordId: randomUUID(),
      stream,
      revision,
      type: 'ViolationDetected',
      province: '01',
      recordedAt,
      hash: createHash('sha256').update(text).digest('hex'),
      plate,
      text,
    };
  });
}

/** The mirror's store before COPY: one statement, the cursor moved in a data-modifying CTE. */
async function storeByUnnest(db: pg.Pool, origin: string, from: number, batch: MirroredRecord[]): Promise<void> {
  const { rowCount } = await db.query(
    `WITH cursor AS (
       UPDATE mirror_logs SET size = $3 WHERE origin = $1 AND size = $2 AND stopped_at IS NULL RETURNING origin)
     INSERT INTO mirror_records
       (origin, leaf_index, province, record_id, stream, revision, type, recorded_at, record_hash, plate, record)
     SELECT cursor.origin, $4::bigint + r.n - 1, r.province, r.record_id, r.stream, r.revision, r.type, r.recorded_at,
            substring($10::bytea FROM ((r.n - 1) * 32 + 1)::int FOR 32), r.plate, r.record
       FROM cursor, unnest($5::text[], $6::uuid[], $7::text[], $8::int[], $9::text[], $11::timestamptz[],
                           $12::text[], string_to_array($13::text, E'\\n'))
                    WITH ORDINALITY AS r(province, record_id, stream, revision, type, recorded_at, plate, record, n)`,
    [
      origin,
      from,
      from + batch.length,
      from,
      batch.map((r) => r.province),
      batch.map((r) => r.recordId),
      batch.map((r) => r.stream),
      batch.map((r) => r.revision),
      batch.map((r) => r.type),
      Buffer.from(batch.map((r) => r.hash).join(''), 'hex'),
      batch.map((r) => r.recordedAt),
      batch.map((r) => r.plate ?? null),
      batch.map((r) => r.text).join('\n'),
    ],
  );
  if (rowCount !== batch.length) throw new Error(`unnest stored ${rowCount} of ${batch.length}`);
}

export async function run(): Promise<void> {
  const rows = Math.ceil(scaled(process.env.BENCH_MIRROR_INSERT_ROWS, 40_960, 8_192) / BATCH) * BATCH;
  const db = await scratchDatabase('bench_mirror_insert');
  try {
    await runMigrations(db.url);
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const viaUnnest = 'bench/mirror-insert-unnest';
      const viaCopy = 'bench/mirror-insert-copy';
      const now = new Date().toISOString();
      for (const origin of [viaUnnest, viaCopy]) {
        await pool.query('INSERT INTO mirror_logs (origin, province, caught_up_at, created_at) VALUES ($1, $2, $3, $3)', [origin, '01', now]);
      }
      let unnestMs = 0;
      let copyMs = 0;
      for (let first = 0; first < rows; first += BATCH) {
        const batch = records(first, BATCH);
        let t = performance.now();
        await storeByUnnest(pool, viaUnnest, first, batch);
        unnestMs += performance.now() - t;
        t = performance.now();
        await storeMirroredBatch(pool, {
          origin: viaCopy,
          from: first,
          first,
          to: { size: first + BATCH, frontier: new Uint8Array() },
          records: batch,
          witnessed: { size: rows, checkpoint: 'bench' },
        });
        copyMs += performance.now() - t;
      }
      const { rows: counts } = await pool.query<{ origin: string; n: string }>(
        'SELECT origin, count(*) AS n FROM mirror_records GROUP BY origin ORDER BY origin',
      );
      if (counts.some((c) => Number(c.n) !== rows)) throw new Error(`stored ${JSON.stringify(counts)}`);
      const unnestRate = rows / (unnestMs / 1000);
      const copyRate = rows / (copyMs / 1000);
      console.log(
        `mirror store, ${rows} rows per method in batches of ${BATCH} with the cursor: COPY ${copyRate.toFixed(0)} rows/s, ` +
          `INSERT … unnest ${unnestRate.toFixed(0)} rows/s; ratio ${(copyRate / unnestRate).toFixed(2)}, load ${load()}`,
      );
      figure({ bench: 'mirror-insert', figure: 'copy-rows-per-s', value: copyRate, unit: 'rows/s', baseline: unnestRate });
    } finally {
      await pool.end();
    }
  } finally {
    await db.drop();
  }
}
