/**
 * The procedure schedule's candidate search (src/commands/procedure-schedule.ts), against the way it used to
 * find them, in the same run and on the same database:
 * - baseline: one pass over the global feed (`readAll` in pages of 1,000), collecting cases with a
 *   `NoticeIssued` (what `recordUnresponsiveOwners` did before the case view held `response_due_at`);
 * - now: `responseDueCases` (`dueBy` + `runningAfter` on the partial index `rm_case_response_due_idx`).
 * The history is BENCH_SCHEDULE_CASES (default 300; --quick 40) command-path case histories, projected by
 * `case-views` first. Both searches are timed over BENCH_SCHEDULE_RUNS repetitions (default 20).
 */
import { PostgresEventStore } from '../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { runMigrations } from '../src/adapters/postgres/migrate.ts';
import { caseIdOf } from '../src/domain/record.ts';
import type { EventStore } from '../src/ports/eventstore.ts';
import { caseViewsProjection } from '../src/projections/cases/projection.ts';
import { responseDueCases } from '../src/projections/cases/response-due.ts';
import { createReadModelDataSource } from '../src/projections/datasource.ts';
import { ProjectionRunner } from '../src/projections/runner.ts';
import { scratchDatabase } from '../test/support/env.ts';
import { generateCases } from '../test/integration/projections/support/history.ts';
import { buildWorld } from '../test/integration/projections/support/world.ts';
import { figure, scaled } from './report.ts';

const CASES = scaled(process.env.BENCH_SCHEDULE_CASES, 300, 40);
const RUNS = scaled(process.env.BENCH_SCHEDULE_RUNS, 20, 5);

/** The old candidate search: every case with a NoticeIssued, by one pass over the global feed. */
async function feedScan(store: EventStore): Promise<string[]> {
  const ids = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: 1000 });
    for (const { record } of page) {
      const caseId = record.type === 'NoticeIssued' ? caseIdOf(record.stream) : undefined;
      if (caseId !== undefined) ids.add(caseId);
    }
    const last = page.at(-1);
    if (!last || page.length < 1000) break;
    after = last.checkpoint;
  }
  return [...ids];
}

async function timed(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work(); // warm
  const start = process.hrtime.bigint();
  for (let i = 0; i < runs; i++) await work();
  return Number(process.hrtime.bigint() - start) / 1e6 / runs;
}

export async function run(): Promise<void> {
  const db = await scratchDatabase('bench_sched');
  await runMigrations(db.url);
  const store = new PostgresEventStore({ databaseUrl: db.url, poolSize: 4 });
  const dataSource = createReadModelDataSource(db.url, { poolSize: 4 });
  await dataSource.initialize();
  const runner = new ProjectionRunner({ dataSource, store, projections: [caseViewsProjection], idleMs: 20 });
  try {
    const world = await buildWorld(store);
    await generateCases(world, CASES);
    await runner.start();
    const [{ n: records }] = (await dataSource.query(`SELECT count(*)::int AS n FROM event_records`)) as [{ n: number }];
    // Wait until the case view holds every case (a condition, not a sleep).
    for (;;) {
      const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n FROM rm_case`)) as [{ n: number }];
      if (n >= CASES) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await runner.stop();
    const query = responseDueCases(dataSource);
    const now = '2027-01-01T00:00:00.000Z';
    const noticed = (await feedScan(store)).length;
    const waiting = (await query.dueBy(now)).length + (await query.runningAfter(now));
    const scanMs = await timed(RUNS, () => feedScan(store));
    const queryMs = await timed(RUNS, async () => [await query.dueBy(now), await query.runningAfter(now)]);
    console.log(`history: ${CASES} cases, ${records} records; ${noticed} cases ever noticed, ${waiting} waiting on the owner`);
    console.log(`baseline, global feed scan:  ${scanMs.toFixed(2)} ms a run`);
    console.log(`read-model query:            ${queryMs.toFixed(2)} ms a run   query/scan = ${(queryMs / scanMs).toFixed(4)}`);
    figure({ bench: 'procedure-schedule', figure: 'candidate search', value: queryMs, unit: 'ms', baseline: scanMs });
  } finally {
    await runner.stop().catch(() => undefined);
    await dataSource.destroy();
    await store.close();
    await db.drop();
  }
}
