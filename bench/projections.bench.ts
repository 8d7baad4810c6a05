/**
 * Projection figures on PostgreSQL, each against a baseline measured in the same run:
 * - Replay throughput: all projections from position zero over BENCH_PROJECTION_EVENTS (default 200,000)
 *   records, bulk-inserted into the event store table as clones of command-path case histories, vs reading
 *   the same feed through the store without projecting (baseline). Target ≥ 10,000 events/s.
 * - Live lag at 500 appends/s: the runner projects continuously while case events are appended at a paced
 *   500/s; lag = time from an append's commit to the moment every projection's checkpoint covers it. p50 /
 *   p99 reported, and the feed-visibility delay alone (append → visible to readAll) as the baseline.
 *   Target p99 < 1 s.
 * Uses BENCH_DATABASE_URL (or TEST_DATABASE_URL); creates and drops a scratch database. BENCH_PROJECTIONS
 * (comma-separated names) restricts the run to some projections, to see what each costs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { PostgresEventStore } from '../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { parsePgCheckpoint } from '../src/adapters/eventstore/postgres/checkpoint.ts';
import { expected, type StoredRecord } from '../src/ports/eventstore.ts';
import { runMigrations } from '../src/adapters/postgres/migrate.ts';
import { streams, type NewEvent } from '../src/domain/record.ts';
import { createReadModelDataSource } from '../src/projections/datasource.ts';
import { ALL_PROJECTIONS } from '../src/projections/index.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { scratchDatabase } from '../test/support/env.ts';
import { generateCase } from '../test/integration/projections/support/history.ts';
import { buildWorld } from '../test/integration/projections/support/world.ts';
import { figure, scaled } from './report.ts';

const TOTAL = scaled(process.env.BENCH_PROJECTION_EVENTS, 200_000, 20_000);
const APPENDS_PER_SECOND = 500;
const LAG_SECONDS = scaled(process.env.BENCH_LAG_SECONDS, 10, 3);

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

interface Template {
  caseId: string;
  records: StoredRecord[];
}

/** Case and custody streams of the template histories, in stream order. */
async function templates(store: PostgresEventStore, caseIds: string[]): Promise<Template[]> {
  const out: Template[] = [];
  for (const caseId of caseIds) {
    const records = await store.readStream(streams.case(caseId));
    const custody = await store.readStream(streams.custody(caseId)).catch(() => [] as StoredRecord[]);
    out.push({ caseId, records: [...records, ...custody] });
  }
  return out;
}

/** One clone of a template: every id replaced, `prev` re-chained, hashes recomputed. */
function cloneRows(t: Template, n: number) {
  const caseId = randomUUID();
  const rows: { stream: string; revision: number; eventId: string; type: string; record: string; hash: string; recordedAt: string; province: string }[] = [];
  const prevByStream = new Map<string, string>();
  for (const s of t.records) {
    const eventId = randomUUID();
    const stream = s.record.stream.replace(t.caseId, caseId);
    const prev = prevByStream.get(stream) ?? '0'.repeat(64);
    const text = s.canonical
      .replaceAll(t.caseId, caseId)
      .replace(`"id":"${s.record.id}"`, `"id":"${eventId}"`)
      .replace(`"prev":"${s.record.prev}"`, `"prev":"${prev}"`)
      .replace(/"detectionId":"([^"]+)"/, `"detectionId":"$1-c${n}"`);
    const hash = sha256(text);
    prevByStream.set(stream, hash);
    rows.push({ stream, revision: s.record.revision, eventId, type: s.record.type, record: text, hash, recordedAt: s.record.meta.recordedAt, province: s.record.meta.province });
  }
  return rows;
}

/** New events for the live-lag run: a template case's events with fresh ids (the store chains them). */
function cloneEvents(t: Template): { stream: string; event: NewEvent }[] {
  const caseId = randomUUID();
  return t.records.map((s) => {
    const json = JSON.stringify({ type: s.record.type, data: s.record.data, meta: s.record.meta }).replaceAll(t.caseId, caseId);
    const e = JSON.parse(json) as Omit<NewEvent, 'id'>;
    if (e.type === 'ViolationDetected') {
      const det = (e.data as { detection: { detectionId: string } }).detection;
      det.detectionId = `${det.detectionId}-${caseId.slice(0, 8)}`;
    }
    return { stream: s.record.stream.replace(t.caseId, caseId), event: { ...e, id: randomUUID() } };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(): Promise<void> {
  const db = await scratchDatabase('bench_proj');
  await runMigrations(db.url);
  const store = new PostgresEventStore({ databaseUrl: db.url, poolSize: 12 });
  const dataSource = createReadModelDataSource(db.url, { poolSize: 12 });
  await dataSource.initialize();
  try {
    // Templates through the command path: the six lifecycles, across provinces and cameras.
    const world = await buildWorld(store);
    const generated = [];
    for (let i = 0; i < 12; i++) generated.push(await generateCase(world, i));
    const tpl = await templates(store, generated.map((g) => g.caseId));

    // Bulk insert clones until TOTAL records exist.
    const [{ n: existing }] = (await dataSource.query(`SELECT count(*)::int AS n FROM event_records`)) as [{ n: number }];
    let inserted = existing;
    let clone = 0;
    const insertStart = Date.now();
    while (inserted < TOTAL) {
      const chunk: ReturnType<typeof cloneRows> = [];
      while (chunk.length < 5000 && inserted + chunk.length < TOTAL) chunk.push(...cloneRows(tpl[clone % tpl.length]!, clone++));
      await dataSource.query(
        `INSERT INTO event_records (stream, revision, event_id, type, record, hash, recorded_at, province)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::uuid[], $4::text[], $5::text[], $6::char(64)[], $7::timestamptz[], $8::text[])`,
        [
          chunk.map((r) => r.stream),
          chunk.map((r) => r.revision),
          chunk.map((r) => r.eventId),
          chunk.map((r) => r.type),
          chunk.map((r) => r.record),
          chunk.map((r) => r.hash),
          chunk.map((r) => r.recordedAt),
          chunk.map((r) => r.province),
        ],
      );
      inserted += chunk.length;
    }
    console.log(`feed: ${inserted} records (${clone} cloned case histories, bulk insert ${((Date.now() - insertStart) / 1000).toFixed(1)} s)`);

    // Baseline: read the whole feed through the store, no projecting.
    let t = process.hrtime.bigint();
    let after: string | undefined;
    let read = 0;
    for (;;) {
      const page = await store.readAll({ ...(after ? { after } : {}), maxCount: 1000 });
      if (page.length === 0) break;
      read += page.length;
      after = page[page.length - 1]!.checkpoint;
    }
    const readRate = read / (Number(process.hrtime.bigint() - t) / 1e9);

    // Replay: every projection from position zero.
    const only = process.env.BENCH_PROJECTIONS?.split(',');
    const projections = only ? ALL_PROJECTIONS.filter((p) => only.includes(p.name)) : ALL_PROJECTIONS;
    const runner = new ProjectionRunner({ dataSource, store, projections, batchSize: Number(process.env.BENCH_PROJECTION_BATCH ?? 5000) });
    t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    await runner.catchUp();
    const replaySeconds = Number(process.hrtime.bigint() - t) / 1e9;
    const used = process.cpuUsage(cpu);
    const nodeCpuShare = (used.user + used.system) / 1e6 / replaySeconds;
    const replayRate = inserted / replaySeconds;
    const status = await runner.status();
    if (status.some((s) => s.state !== 'running' || s.lagEvents !== 0)) throw new Error(`replay did not finish cleanly: ${JSON.stringify(status, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}`);
    console.log(`replay, ${only ? only.join('+') : `all ${ALL_PROJECTIONS.length} projections`}: ${fmt(replayRate)} events/s (${replaySeconds.toFixed(1)} s, this process busy ${(nodeCpuShare * 100).toFixed(0)}% of it)  target ≥ 10000`);
    figure({ bench: 'projections', figure: 'replay', value: replayRate, unit: 'events/s', baseline: readRate, target: '>= 10000' });
    console.log(`baseline, feed read only:      ${fmt(readRate)} events/s   replay/read = ${(replayRate / readRate).toFixed(3)}`);

    // Live lag at 500 appends/s.
    await runner.start();
    const lanes = Array.from({ length: 16 }, (_, i) => cloneEvents(tpl[i % tpl.length]!));
    const appended: { at: number; tx: bigint; pos: bigint; visibleAt?: number; projectedAt?: number }[] = [];
    let stop = false;
    const sampler = (async () => {
      while (!stop || appended.some((a) => a.projectedAt === undefined)) {
        const rows = (await dataSource.query(`SELECT checkpoint FROM projection_status`)) as { checkpoint: string }[];
        const head = await store.headCheckpoint();
        const now = Date.now();
        const min = rows.map((r) => parsePgCheckpoint(r.checkpoint)).reduce((a, b) => (b.transactionId < a.transactionId || (b.transactionId === a.transactionId && b.globalPosition < a.globalPosition) ? b : a));
        const visible = head ? parsePgCheckpoint(head) : undefined;
        for (const a of appended) {
          const covered = (c: { transactionId: bigint; globalPosition: bigint }) => a.tx < c.transactionId || (a.tx === c.transactionId && a.pos <= c.globalPosition);
          if (a.visibleAt === undefined && visible && covered(visible)) a.visibleAt = now;
          if (a.projectedAt === undefined && covered(min)) a.projectedAt = now;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const target = APPENDS_PER_SECOND * LAG_SECONDS;
    const start = Date.now();
    let sent = 0;
    await Promise.all(
      lanes.map(async (lane, li) => {
        let queue = lane;
        for (;;) {
          const mine = sent++;
          if (mine >= target) return;
          const due = start + (mine * 1000) / APPENDS_PER_SECOND;
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (queue.length === 0) queue = cloneEvents(tpl[(li + mine) % tpl.length]!);
          const next = queue.shift()!;
          const result = await store.append(next.stream, [next.event], expected.any);
          const pos = parsePgCheckpoint(result.records[0]!.checkpoint);
          appended.push({ at: Date.now(), tx: pos.transactionId, pos: pos.globalPosition });
        }
      }),
    );
    const achieved = target / ((Date.now() - start) / 1000);
    stop = true;
    await sampler;
    await runner.stop();
    const lags = appended.map((a) => a.projectedAt! - a.at).sort((a, b) => a - b);
    const vis = appended.map((a) => a.visibleAt! - a.at).sort((a, b) => a - b);
    console.log(`live lag at ${fmt(achieved)} appends/s over ${appended.length} appends: p50 ${percentile(lags, 50)} ms, p99 ${percentile(lags, 99)} ms, max ${lags[lags.length - 1]} ms  target p99 < 1000 ms`);
    figure({ bench: 'projections', figure: 'live-lag-p99', value: percentile(lags, 99), unit: 'ms', baseline: percentile(vis, 99), target: '< 1000' });
    figure({ bench: 'projections', figure: 'live-lag-p50', value: percentile(lags, 50), unit: 'ms', baseline: percentile(vis, 50) });
    console.log(`baseline, append → visible in the feed: p50 ${percentile(vis, 50)} ms, p99 ${percentile(vis, 99)} ms   projection share of p99 = ${((percentile(lags, 99) - percentile(vis, 99)) / Math.max(1, percentile(lags, 99))).toFixed(2)}`);
  } finally {
    await dataSource.destroy();
    await store.close();
    await db.drop();
  }
}
