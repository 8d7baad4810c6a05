/**
 * The auditor's replay: rebuild projections from position zero into a shadow schema, compare the result row
 * by row with the live tables, and optionally swap it in.
 *
 * The shadow tables are clones of the live ones (`LIKE … INCLUDING ALL`), so the migration stays the only
 * source of the schema. The shadow is first brought to the live checkpoint read at the start; then the
 * live status rows are locked (`FOR UPDATE`: a live runner waits between batches), the shadow catches up to
 * the live checkpoint as it is now, and the comparison (and swap) run while the live side cannot move. So
 * "identical" means: the same history, projected twice, gives the same rows.
 *
 * Swap: in one transaction the live tables are dropped and the shadow tables moved in (indexes renamed to
 * the live names), with the projection's status row taken from the shadow.
 */
import { randomBytes } from 'node:crypto';
import type { DataSource, QueryRunner } from 'typeorm';
import { ReplayTargetError } from './errors.ts';
import type { Projection } from './projection.ts';
import { ProjectionRunner, type FeedSource } from './runner.ts';

export interface TableDifference {
  table: string;
  liveRows: number;
  replayRows: number;
  onlyInLive: number;
  onlyInReplay: number;
  /** Up to `sampleSize` differing rows of each side, as JSON. */
  samples: { side: 'live' | 'replay'; row: unknown }[];
}

export interface ReplayReport {
  projection: string;
  checkpoint: string | null;
  eventsReplayed: bigint;
  identical: boolean;
  tables: TableDifference[];
  swapped: boolean;
}

export interface ReplayOptions {
  dataSource: DataSource;
  store: FeedSource;
  projections: readonly Projection[];
  /**
   * The schema holding the live read models and their status rows (default: the connection's current schema).
   * The national views keep one schema per mirrored provincial log (src/adapters/witness/national-projections.ts).
   */
  liveSchema?: string;
  swap?: boolean;
  batchSize?: number;
  /** Lock the live status rows for the final catch-up and compare (default true; false when no live runner can exist). */
  lockLive?: boolean;
  parallel?: boolean;
  sampleSize?: number;
  /** Called with the total events to replay (from the live projections' counters) and progress. */
  onStart?: (totalEvents: number) => void;
  onProgress?: (eventsDone: number) => void;
  /** Shadow schema name (default `replay_<random>`). */
  shadowSchema?: string;
  /**
   * Run in the swapping transaction before the live tables are dropped and after the rebuilt ones moved in:
   * objects that depend on the live tables (the national views over the log schemas) are dropped and
   * recreated there, so no reader sees them missing.
   */
  beforeSwap?: (qr: QueryRunner) => Promise<void>;
  afterSwap?: (qr: QueryRunner) => Promise<void>;
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

interface LiveStatus {
  name: string;
  checkpoint: string | null;
  events_seen: string;
}

async function liveStatuses(runner: QueryRunner | DataSource, schema: string, names: string[], lock: boolean): Promise<LiveStatus[]> {
  return (await runner.query(
    `SELECT name, checkpoint, events_seen::text FROM ${q(schema)}.projection_status WHERE name = ANY ($1::text[]) ORDER BY name ${lock ? 'FOR UPDATE' : ''}`,
    [names],
  )) as LiveStatus[];
}

export async function replayProjections(options: ReplayOptions): Promise<ReplayReport[]> {
  const { dataSource, store, projections } = options;
  const live =
    options.liveSchema ?? ((await dataSource.query(`SELECT current_schema() AS live`)) as [{ live: string }])[0].live;
  const shadow = options.shadowSchema ?? `replay_${randomBytes(5).toString('hex')}`;
  const names = projections.map((p) => p.name);
  await dataSource.query(
    `INSERT INTO ${q(live)}.projection_status (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`,
    [names],
  );
  await dataSource.query(`CREATE SCHEMA ${q(shadow)}`);
  try {
    await dataSource.query(`CREATE TABLE ${q(shadow)}.projection_status (LIKE ${q(live)}.projection_status INCLUDING ALL)`);
    for (const p of projections) {
      for (const t of p.tables) await dataSource.query(`CREATE TABLE ${q(shadow)}.${q(t)} (LIKE ${q(live)}.${q(t)} INCLUDING ALL)`);
    }
    const initial = await liveStatuses(dataSource, live, names, false);
    options.onStart?.(initial.reduce((a, s) => a + Number(s.events_seen), 0) / Math.max(1, initial.length));
    const runnerFor = (ps: readonly Projection[]) =>
      new ProjectionRunner({
        dataSource,
        store,
        projections: ps,
        schema: shadow,
        ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
        ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
      });
    // Phase 1: bring each shadow projection to the live checkpoint read at the start (no lock held).
    let lastProgress = 0;
    const progress = (n: number) => {
      lastProgress += n;
      options.onProgress?.(lastProgress / Math.max(1, projections.length));
    };
    await catchUpTo(runnerFor, projections, initial, progress);
    // Phase 2: hold the live status rows, finish to the live checkpoint as it is now, compare, maybe swap.
    const lock = options.lockLive ?? true;
    const qr = dataSource.createQueryRunner();
    await qr.connect();
    const reports: ReplayReport[] = [];
    try {
      // Without a live lock (embedded: no live runner can exist, and PGlite runs one transaction at a time),
      // the shadow finishes before the comparing transaction opens.
      if (!lock) await catchUpTo(runnerFor, projections, await liveStatuses(dataSource, live, names, false), progress);
      await qr.startTransaction();
      const current = await liveStatuses(qr, live, names, lock);
      if (lock) await catchUpTo(runnerFor, projections, current, progress);
      for (const p of projections) {
        const status = current.find((s) => s.name === p.name)!;
        const [shadowStatus] = (await qr.query(
          `SELECT checkpoint, events_seen::text, state FROM ${q(shadow)}.projection_status WHERE name = $1`,
          [p.name],
        )) as { checkpoint: string | null; events_seen: string; state: string }[];
        const shadowCheckpoint = shadowStatus?.checkpoint ?? null;
        if (shadowCheckpoint !== status.checkpoint && shadowStatus?.state !== 'failed') {
          throw new ReplayTargetError(`Projection ${p.name}: the replay could not reach the live checkpoint ${status.checkpoint}`);
        }
        const tables: TableDifference[] = [];
        for (const t of p.tables) tables.push(await compareTable(qr, live, shadow, t, options.sampleSize ?? 5));
        const identical = tables.every((d) => d.onlyInLive === 0 && d.onlyInReplay === 0);
        reports.push({
          projection: p.name,
          checkpoint: status.checkpoint,
          eventsReplayed: BigInt(shadowStatus?.events_seen ?? '0'),
          identical,
          tables,
          swapped: false,
        });
      }
      if (options.swap) {
        await options.beforeSwap?.(qr);
        for (const p of projections) {
          for (const t of p.tables) await swapTable(qr, live, shadow, t);
          await qr.query(
            `UPDATE ${q(live)}.projection_status l
                SET checkpoint = s.checkpoint, events_seen = s.events_seen, state = s.state, error = s.error,
                    failing_event_id = s.failing_event_id, failing_checkpoint = s.failing_checkpoint,
                    last_recorded_at = s.last_recorded_at, updated_at = now()
               FROM ${q(shadow)}.projection_status s WHERE l.name = s.name AND l.name = $1`,
            [p.name],
          );
        }
        await options.afterSwap?.(qr);
        for (const r of reports) r.swapped = true;
      }
      await qr.commitTransaction();
    } catch (error) {
      if (qr.isTransactionActive) await qr.rollbackTransaction();
      throw error;
    } finally {
      await qr.release();
    }
    return reports;
  } finally {
    await dataSource.query(`DROP SCHEMA IF EXISTS ${q(shadow)} CASCADE`).catch(() => undefined);
  }
}

/**
 * Replaces the live table by the shadow one and gives its indexes the live indexes' names (matched by
 * definition), so later migrations find them under the names they were created with.
 */
async function swapTable(qr: QueryRunner, live: string, shadow: string, table: string): Promise<void> {
  const indexes = async (schema: string) =>
    (await qr.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`, [schema, table])) as {
      indexname: string;
      indexdef: string;
    }[];
  const shape = (def: string) => def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+/, 'CREATE $1INDEX ON');
  const liveIndexes = await indexes(live);
  await qr.query(`DROP TABLE ${q(live)}.${q(table)}`);
  await qr.query(`ALTER TABLE ${q(shadow)}.${q(table)} SET SCHEMA ${q(live)}`);
  for (const index of await indexes(live)) {
    const original = liveIndexes.find((l) => shape(l.indexdef) === shape(index.indexdef));
    if (original && original.indexname !== index.indexname) {
      await qr.query(`ALTER INDEX ${q(live)}.${q(index.indexname)} RENAME TO ${q(original.indexname)}`);
    }
  }
}

async function catchUpTo(
  runnerFor: (ps: readonly Projection[]) => ProjectionRunner,
  projections: readonly Projection[],
  statuses: LiveStatus[],
  onProgress: (n: number) => void,
): Promise<void> {
  const byTarget = new Map<string, Projection[]>();
  for (const p of projections) {
    const target = statuses.find((s) => s.name === p.name)?.checkpoint ?? null;
    if (target === null) continue;
    byTarget.set(target, [...(byTarget.get(target) ?? []), p]);
  }
  for (const [target, group] of byTarget) {
    await runnerFor(group).catchUp(target, onProgress);
  }
}

async function compareTable(qr: QueryRunner, live: string, shadow: string, table: string, sampleSize: number): Promise<TableDifference> {
  const L = `${q(live)}.${q(table)}`;
  const S = `${q(shadow)}.${q(table)}`;
  const [counts] = (await qr.query(
    `SELECT (SELECT count(*) FROM ${L})::int AS live_rows, (SELECT count(*) FROM ${S})::int AS replay_rows,
            (SELECT count(*) FROM (SELECT * FROM ${L} EXCEPT ALL SELECT * FROM ${S}) d)::int AS only_live,
            (SELECT count(*) FROM (SELECT * FROM ${S} EXCEPT ALL SELECT * FROM ${L}) d)::int AS only_replay`,
  )) as { live_rows: number; replay_rows: number; only_live: number; only_replay: number }[];
  const samples: TableDifference['samples'] = [];
  if (counts!.only_live > 0 || counts!.only_replay > 0) {
    const rows = (await qr.query(
      `(SELECT 'live' AS side, to_jsonb(d) AS row FROM (SELECT * FROM ${L} EXCEPT ALL SELECT * FROM ${S}) d LIMIT $1)
       UNION ALL
       (SELECT 'replay' AS side, to_jsonb(d) AS row FROM (SELECT * FROM ${S} EXCEPT ALL SELECT * FROM ${L}) d LIMIT $1)`,
      [sampleSize],
    )) as { side: 'live' | 'replay'; row: unknown }[];
    samples.push(...rows);
  }
  return {
    table,
    liveRows: counts!.live_rows,
    replayRows: counts!.replay_rows,
    onlyInLive: counts!.only_live,
    onlyInReplay: counts!.only_replay,
    samples,
  };
}
