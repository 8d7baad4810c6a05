/**
 * Event store append throughput on PostgreSQL, against a raw single-row INSERT of rows of the same size
 * into a plain table on the same server, in the same run, with the same client counts. Each writer appends
 * to its own stream. Figures are events/s and the ratio to the raw insert rate.
 * Uses BENCH_DATABASE_URL (or TEST_DATABASE_URL); creates and drops a scratch database.
 */
import pg from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { expected } from '../src/ports/eventstore.ts';
import { runMigrations } from '../src/adapters/postgres/migrate.ts';
import type { NewEvent } from '../src/domain/record.ts';
import { figure, scaled } from './report.ts';

const CLIENTS = [1, 8, 32];
const SECONDS_PER_CASE = scaled(process.env.BENCH_SECONDS, 2, 0.5);

function event(i: number): NewEvent {
  return {
    id: randomUUID(),
    type: 'ViolationDetected',
    data: { cameraId: 'cam-29-0001', plate: '29A-123.45', speedKmh: 87 + (i % 10), evidence: 'sha256:' + '0'.repeat(64) },
    meta: { actor: { kind: 'device', id: 'cam-29-0001' }, province: '01', recordedAt: '2026-11-24T09:00:00.123Z' },
  };
}

/** Node CPU per item of the last case (µs): how much of the cost is this process, not the database. */
let lastClientCpuPerItem = 0;

/**
 * Runs `writers` loops for the configured time; returns items per second. Iteration 0 of every writer runs
 * before the clock starts: it opens the connections and compiles per-session plans, for both sides alike.
 */
async function measure(writers: number, step: (writer: number, iteration: number) => Promise<number>): Promise<number> {
  await Promise.all(Array.from({ length: writers }, (_, w) => step(w, 0)));
  const deadline = Date.now() + SECONDS_PER_CASE * 1000;
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      let items = 0;
      for (let i = 1; Date.now() < deadline; i++) items += await step(w, i);
      return items;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const items = counts.reduce((a, b) => a + b, 0);
  const used = process.cpuUsage(cpu);
  lastClientCpuPerItem = (used.user + used.system) / items;
  return items / seconds;
}

export async function run(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('Set BENCH_DATABASE_URL or TEST_DATABASE_URL');
  const name = `bench_es_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  try {
    await runMigrations(databaseUrl);
    const sample = new PostgresEventStore({ databaseUrl, poolSize: 1 });
    const { records } = await sample.append('bench-sample', [event(0)], expected.noStream);
    await sample.close();
    const rowBytes = Buffer.byteLength(records[0]!.canonical);
    const payload = 'x'.repeat(rowBytes);
    console.log(`record size ${rowBytes} bytes, ${SECONDS_PER_CASE} s per case`);
    console.log('clients | raw INSERT rows/s | append×1 events/s (ratio) | append×10 events/s (ratio) | Node CPU µs/item raw, ×1, ×10');
    for (const clients of CLIENTS) {
      const raw = new pg.Pool({ connectionString: databaseUrl, max: clients });
      await raw.query('CREATE TABLE IF NOT EXISTS bench_raw (id bigserial PRIMARY KEY, stream text NOT NULL, payload text NOT NULL, hash char(64) NOT NULL)');
      const hash = 'f'.repeat(64);
      const rawRate = await measure(clients, async (w) => {
        await raw.query('INSERT INTO bench_raw (stream, payload, hash) VALUES ($1, $2, $3)', [`raw-${w}`, payload, hash]);
        return 1;
      });
      const rawCpu = lastClientCpuPerItem;
      await raw.end();

      const store = new PostgresEventStore({ databaseUrl, poolSize: clients });
      const run = randomUUID().slice(0, 8);
      const single = await measure(clients, async (w, i) => {
        await store.append(`single-${run}-${w}`, [event(i)], i === 0 ? expected.noStream : expected.exact(BigInt(i - 1)));
        return 1;
      });
      const singleCpu = lastClientCpuPerItem;
      const batched = await measure(clients, async (w, i) => {
        const batch = Array.from({ length: 10 }, (_, k) => event(i * 10 + k));
        await store.append(`batch-${run}-${w}`, batch, i === 0 ? expected.noStream : expected.exact(BigInt(i * 10 - 1)));
        return 10;
      });
      await store.close();
      figure({ bench: 'eventstore', figure: `append-1-at-${clients}-clients`, value: single, unit: 'events/s', baseline: rawRate, target: '>= 0.5x raw' });
      figure({ bench: 'eventstore', figure: `append-10-at-${clients}-clients`, value: batched, unit: 'events/s', baseline: rawRate });
      console.log(
        `${String(clients).padStart(7)} | ${rawRate.toFixed(0).padStart(17)} | ${single.toFixed(0).padStart(10)} (${(single / rawRate).toFixed(2)}×) | ${batched.toFixed(0).padStart(10)} (${(batched / rawRate).toFixed(2)}×) | ${rawCpu.toFixed(0)}, ${singleCpu.toFixed(0)}, ${lastClientCpuPerItem.toFixed(0)}`,
      );
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
