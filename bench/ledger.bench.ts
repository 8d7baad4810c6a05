/**
 * Ledger benchmarks (docs/ledger.md):
 * 1. Sealing lag: time from an append's commit to the first stored checkpoint covering the record, with
 *    ~1,000 appends/s for BENCH_LEDGER_SECONDS (default 10) through the real PostgreSQL event store and
 *    sequencer. Baseline: the append round trip itself, measured in the same run. Target p99 < 1 s.
 * 2. `ledger verify` throughput over BENCH_LEDGER_RECORDS records (default 1,000,000) generated with bulk
 *    SQL. Baseline: a bare cursor read of the same records with one SHA-256 each. Target ≥ 100,000 records/s.
 * BENCH_LEDGER_ONLY=lag|verify runs one of the two.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { expected } from '../src/ports/eventstore.ts';
import { loadOrCreateNodeKey, nodeVerifierKey } from '../src/adapters/keys/node-key.ts';
import { startLedger } from '../src/adapters/ledger/index.ts';
import { verifyLedger } from '../src/adapters/ledger/verify.ts';
import { bulkGenerate } from '../test/integration/ledger/support/bulk.ts';
import { ledgerTestDatabase } from '../test/integration/ledger/support/db.ts';
import { PostgresEventStore } from '../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { noteEvent } from '../test/integration/ledger/support/events.ts';
import { figure, scaled } from './report.ts';

const ORIGIN = 'vn-traffic/bench';

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function sealingLag(dir: string): Promise<void> {
  const seconds = scaled(process.env.BENCH_LEDGER_SECONDS, 10, 3);
  const rate = Number(process.env.BENCH_LEDGER_RATE ?? 1000);
  const db = await ledgerTestDatabase('bench_ledger_lag');
  const store = new PostgresEventStore({ databaseUrl: db.url, poolSize: 24 });
  const checkpoints: { size: number; at: number }[] = [];
  const ledger = await startLedger({
    pool: db.pool,
    eventStore: store,
    keyFile: join(dir, 'lag.key'),
    origin: ORIGIN,
    print: () => undefined,
    onCheckpoint: (c) => checkpoints.push({ size: c.treeSize, at: performance.now() }),
  });
  try {
    await ledger.sequencer!.started;
    const committedAt = new Map<string, number>();
    const committedWall = new Map<string, number>();
    const appendMs: number[] = [];
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    const inFlight = new Set<Promise<void>>();
    const startedAt = performance.now();
    let tick = 0;
    while (performance.now() - startedAt < seconds * 1000) {
      // Open loop: issue this tick's appends without waiting for earlier ones (bounded in flight).
      for (let i = 0; i < perTick; i++) {
        while (inFlight.size >= 48) await Promise.race(inFlight);
        const event = noteEvent(tick * perTick + i);
        const t0 = performance.now();
        const p = store.append(`case-bench-${(tick * perTick + i) % 200}`, [event], expected.any).then(() => {
          const t1 = performance.now();
          committedAt.set(event.id, t1);
          committedWall.set(event.id, Date.now());
          appendMs.push(t1 - t0);
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      tick++;
      const next = startedAt + tick * tickMs;
      const wait = next - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(inFlight);
    const elapsed = (performance.now() - startedAt) / 1000;
    const ids = [...committedAt.keys()];
    await ledger.waitUntilSealed(ids, 30_000);
    const { rows } = await db.pool.query<{ id: string; leaf_index: string; integrated_at: Date }>(
      'SELECT record_id::text AS id, leaf_index, integrated_at FROM ledger_leaves',
    );
    const lags: number[] = [];
    const integration: number[] = [];
    for (const r of rows) {
      const wall = committedWall.get(r.id);
      if (wall !== undefined) integration.push(r.integrated_at.getTime() - wall);
      const leaf = Number(r.leaf_index);
      const cp = checkpoints.find((c) => c.size > leaf);
      const commit = committedAt.get(r.id);
      if (cp && commit !== undefined) lags.push(cp.at - commit);
    }
    lags.sort((a, b) => a - b);
    integration.sort((a, b) => a - b);
    appendMs.sort((a, b) => a - b);
    const lagP50 = percentile(lags, 50);
    const lagP99 = percentile(lags, 99);
    const appP50 = percentile(appendMs, 50);
    const appP99 = percentile(appendMs, 99);
    figure({ bench: 'ledger', figure: 'sealing-lag-p99', value: lagP99, unit: 'ms', baseline: appP99, target: '< 1000' });
    figure({ bench: 'ledger', figure: 'sealing-lag-p50', value: lagP50, unit: 'ms', baseline: appP50 });
    console.log(`sealing lag: ${ids.length} appends in ${elapsed.toFixed(1)} s = ${(ids.length / elapsed).toFixed(0)} appends/s, ${checkpoints.length} checkpoints`);
    console.log(`  append commit   p50 ${appP50.toFixed(1)} ms  p99 ${appP99.toFixed(1)} ms   (baseline)`);
    console.log(`  commit → leaf   p50 ${percentile(integration, 50).toFixed(1)} ms  p99 ${percentile(integration, 99).toFixed(1)} ms`);
    console.log(
      `  sealing lag     p50 ${lagP50.toFixed(1)} ms  p99 ${lagP99.toFixed(1)} ms   = ${(lagP50 / appP50).toFixed(1)}× / ${(lagP99 / appP99).toFixed(1)}× the append; p99 is ${(lagP99 / 1000).toFixed(2)}× the 1 s target`,
    );
  } finally {
    await ledger.close();
    await store.close();
    await db.close();
  }
}

async function verifyThroughput(dir: string): Promise<void> {
  const records = scaled(process.env.BENCH_LEDGER_RECORDS, 1_000_000, 50_000);
  const db = await ledgerTestDatabase('bench_ledger_verify');
  try {
    const key = await loadOrCreateNodeKey(join(dir, 'verify.key'));
    const step = Math.max(1, Math.floor(records / 10));
    const checkpointsAt = Array.from({ length: 10 }, (_, i) => Math.min(records, (i + 1) * step));
    const g0 = performance.now();
    await bulkGenerate(db.pool, { records, recordsPerStream: 8, checkpointsAt, origin: ORIGIN, seed: key.seed, batch: 10_000 });
    await db.pool.query('VACUUM ANALYZE');
    console.log(`verify: generated ${records} records, leaves and ${new Set(checkpointsAt).size} checkpoints with bulk SQL in ${((performance.now() - g0) / 1000).toFixed(1)} s`);

    // Baseline: read every stored record through a cursor and hash it once, nothing else.
    const client = await db.pool.connect();
    const b0 = performance.now();
    let baselineCount = 0;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query('DECLARE c NO SCROLL CURSOR FOR SELECT record, hash FROM event_records ORDER BY transaction_id, global_position');
      for (;;) {
        const { rows } = await client.query<{ record: string; hash: string }>('FETCH 5000 FROM c');
        if (rows.length === 0) break;
        for (const r of rows) if (createHash('sha256').update(r.record).digest('hex') === r.hash) baselineCount++;
      }
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const baselineRate = baselineCount / ((performance.now() - b0) / 1000);

    const report = await verifyLedger({ ledgerPool: db.pool, feed: 'same-database', verifierKeys: [nodeVerifierKey(ORIGIN, key)] });
    if (!report.ok) throw new Error(`verify found ${report.discrepancyCount} discrepancies in generated data: ${report.discrepancies[0]?.message}`);
    const rate = report.records / (report.durationMs / 1000);
    figure({ bench: 'ledger', figure: 'verify', value: rate, unit: 'records/s', baseline: baselineRate, target: '>= 100000' });
    console.log(`  cursor read + SHA-256        ${baselineRate.toFixed(0)} records/s   (baseline)`);
    console.log(
      `  ledger verify                ${rate.toFixed(0)} records/s = ${(rate / baselineRate).toFixed(2)}× the baseline; ${(rate / 100_000).toFixed(2)}× the 100,000/s target ` +
        `(${report.records} records, ${report.subtreeHashes} subtree hashes, ${report.checkpoints} checkpoints in ${(report.durationMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    await db.close();
  }
}

export async function run(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tec-ledger-bench-'));
  try {
    const only = process.env.BENCH_LEDGER_ONLY; // 'lag' | 'verify'
    if (only !== 'verify') await sealingLag(dir);
    if (only !== 'lag') await verifyThroughput(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
