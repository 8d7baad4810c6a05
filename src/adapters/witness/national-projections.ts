/**
 * National read models over the mirrored provincial feeds (docs/federation.md "National views"): the
 * provincial projections themselves (case views, citizen lookup, cameras, model performance, officer
 * workload), run by the ordinary projection runner over each mirrored log (`MirroredFeed`), each log into a
 * schema of its own (`natview_<16 hex of SHA-256(origin)>`, tables cloned from the migrated ones). So a
 * province's national read models are, row for row, what its own node computes from the same records, and
 * `rebuildCheck` (the auditor's replay, `replayProjections`, against that schema) proves they equal a rebuild
 * from the mirrored feed.
 *
 * Nationally, the schema `natview_all` holds one view per table: the union of every log's rows, except
 * `rm_model_version`, which is one row per model version (a version's status is `suspended` if any province
 * suspended it, else `approved` if any approved it). The provincial queries (src/projections/queries.ts) run
 * unchanged inside a read-only transaction whose `search_path` is `natview_all` (or one log's schema), then
 * `public` (the reference data).
 *
 * Schemas are created at run time, like the replay's shadow schemas, from the migrated tables; a schema whose
 * recorded table shape no longer matches them (a later migration) is dropped and rebuilt from the mirror.
 */
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { caseViewsProjection, citizenLookupProjection } from '../../projections/cases/projection.ts';
import { camerasProjection } from '../../projections/cameras/projection.ts';
import { modelPerformanceProjection } from '../../projections/models/projection.ts';
import { officerWorkloadProjection } from '../../projections/officers/projection.ts';
import type { Projection } from '../../projections/projection.ts';
import { replayProjections, type ReplayReport } from '../../projections/replay.ts';
import { ProjectionRunner, type ProjectionStatus } from '../../projections/runner.ts';
import type { Queryable } from '../ledger/store.ts';
import { MirroredFeed } from './mirrored-feed.ts';

export const NATIONAL_PROJECTIONS: readonly Projection[] = [
  caseViewsProjection,
  citizenLookupProjection,
  camerasProjection,
  modelPerformanceProjection,
  officerWorkloadProjection,
];
const TABLES = [...new Set(NATIONAL_PROJECTIONS.flatMap((p) => p.tables))];
/** The views over every mirrored log. */
export const NATIONAL_VIEW_SCHEMA = 'natview_all';
/** "tec-natv" in ASCII: serialises schema changes between national processes. */
const SCHEMA_LOCK = 0x7465632d6e617476n.toString();

/** The schema holding one mirrored log's read models. */
export function schemaOfOrigin(origin: string): string {
  return `natview_${createHash('sha256').update(origin, 'utf8').digest('hex').slice(0, 16)}`;
}

export interface MirroredLog {
  origin: string;
  province: string;
}

export interface NationalProjectionStatus extends MirroredLog {
  schema: string;
  projections: ProjectionStatus[];
}

export interface NationalProjectorOptions {
  dataSource: DataSource;
  /** Reads `mirror_logs` and `mirror_records`. */
  db: Queryable;
  /** Apply a batch to the projections concurrently (false on embedded PGlite). */
  parallel?: boolean;
  /** Between passes when caught up (default 1,000 ms). */
  pollMs?: number;
  onError?: (error: unknown) => void;
}

export class NationalProjector {
  private readonly runners = new Map<string, ProjectionRunner>();
  private prepared = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: NationalProjectorOptions) {}

  /** Every mirrored log, by province then origin. */
  async logs(): Promise<MirroredLog[]> {
    const { rows } = await this.options.db.query<MirroredLog>('SELECT origin, province FROM mirror_logs ORDER BY province, origin');
    return rows;
  }

  /** Creates missing log schemas (or rebuilds outdated ones) and the national views over all of them. */
  async prepare(): Promise<MirroredLog[]> {
    const logs = await this.logs();
    const key = logs.map((l) => l.origin).join('\n');
    if (this.prepared.has(key)) return logs;
    await this.options.dataSource.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK]);
      const shape = await tableShape(m);
      let changed = false;
      for (const log of logs) {
        const schema = schemaOfOrigin(log.origin);
        const [row] = (await m.query(
          `SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1`,
          [schema],
        )) as { comment: string | null }[];
        const label = schemaLabel(log.origin, shape);
        if (row?.comment === label) continue;
        if (row) await m.query(`DROP SCHEMA ${schema} CASCADE`);
        await m.query(`CREATE SCHEMA ${schema}`);
        for (const t of ['projection_status', ...TABLES]) await m.query(`CREATE TABLE ${schema}.${t} (LIKE public.${t} INCLUDING ALL)`);
        await m.query(`COMMENT ON SCHEMA ${schema} IS ${literal(label)}`);
        changed = true;
      }
      const [views] = (await m.query(
        `SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1`,
        [NATIONAL_VIEW_SCHEMA],
      )) as { comment: string | null }[];
      const schemas = logs.map((l) => schemaOfOrigin(l.origin));
      if (changed || views?.comment !== viewsLabel(schemas)) await createNationalViews(m, schemas);
    });
    this.prepared = new Set([key]);
    return logs;
  }

  private runnerFor(origin: string): ProjectionRunner {
    let runner = this.runners.get(origin);
    if (!runner) {
      runner = new ProjectionRunner({
        dataSource: this.options.dataSource,
        store: new MirroredFeed(this.options.db, origin),
        projections: NATIONAL_PROJECTIONS,
        schema: schemaOfOrigin(origin),
        parallel: this.options.parallel ?? true,
      });
      this.runners.set(origin, runner);
    }
    return runner;
  }

  /** Projects every mirrored log up to what is mirrored now; returns the records passed. */
  async runOnce(): Promise<number> {
    const logs = await this.prepare();
    let advanced = 0;
    for (const log of logs) {
      const runner = this.runnerFor(log.origin);
      // A schema rebuilt by another process: reload the checkpoints it holds.
      await runner.load();
      await runner.catchUp(undefined, (n) => (advanced += n));
    }
    return advanced;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      this.running = this.runOnce()
        .then(() => undefined, (error: unknown) => this.options.onError?.(error))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.timer = setTimeout(loop, this.options.pollMs ?? 1000);
        });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Runs `work` in a read-only transaction whose `search_path` is the national views (or `origin`'s schema),
   * then `public`: the provincial queries, unchanged, answer over the mirrored read models.
   */
  async read<T>(work: (reader: EntityManager) => Promise<T>, origin?: string): Promise<T> {
    await this.prepare();
    const schema = origin === undefined ? NATIONAL_VIEW_SCHEMA : schemaOfOrigin(origin);
    return this.options.dataSource.transaction(async (m) => {
      await m.query(`SET TRANSACTION READ ONLY`);
      await m.query(`SET LOCAL search_path TO ${schema}, public`);
      return work(m);
    });
  }

  /** `work` over each mirrored log's own read models, by province. */
  async perLog<T>(work: (reader: EntityManager) => Promise<T>): Promise<(MirroredLog & { result: T })[]> {
    const out: (MirroredLog & { result: T })[] = [];
    for (const log of await this.prepare()) out.push({ ...log, result: await this.read(work, log.origin) });
    return out;
  }

  /** Each log's projections: checkpoint (a leaf index), state, lag behind the mirrored feed. */
  async status(): Promise<NationalProjectionStatus[]> {
    const out: NationalProjectionStatus[] = [];
    for (const log of await this.prepare()) {
      out.push({ ...log, schema: schemaOfOrigin(log.origin), projections: await this.runnerFor(log.origin).status() });
    }
    return out;
  }

  /**
   * The auditor's check: rebuilds `origin`'s read models from its mirrored feed into a shadow schema, up to
   * the live checkpoints, and compares them row by row with the live ones (`replayProjections`).
   * `swap` moves the rebuild in (the live status rows locked, as the provincial replay does); the national
   * views over the log's tables are dropped and recreated in the same transaction, so readers never see
   * them missing. `prepare: false` leaves the schemas as they are (a check that must not change anything:
   * see `schemaState`).
   */
  async rebuildCheck(origin: string, options: { swap?: boolean; prepare?: boolean; projections?: readonly Projection[] } = {}): Promise<ReplayReport[]> {
    if (options.prepare ?? true) await this.prepare();
    const swap = options.swap ?? false;
    return replayProjections({
      dataSource: this.options.dataSource,
      store: new MirroredFeed(this.options.db, origin),
      projections: options.projections ?? NATIONAL_PROJECTIONS,
      liveSchema: schemaOfOrigin(origin),
      lockLive: this.options.parallel ?? true,
      parallel: this.options.parallel ?? true,
      swap,
      ...(swap
        ? {
            beforeSwap: async (qr) => {
              await qr.query('SELECT pg_advisory_xact_lock($1::bigint)', [SCHEMA_LOCK]);
              await qr.query(`DROP SCHEMA IF EXISTS ${NATIONAL_VIEW_SCHEMA} CASCADE`);
            },
            afterSwap: async (qr) => {
              // Over the log schemas that exist now (prepare() rebuilds the views if a log has none yet).
              const rows = (await qr.query(
                `SELECT m.origin FROM mirror_logs m ORDER BY m.province, m.origin`,
              )) as { origin: string }[];
              const existing = new Set(
                ((await qr.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'natview\\_%'`)) as { nspname: string }[]).map((r) => r.nspname),
              );
              await createNationalViews(qr.manager, rows.map((r) => schemaOfOrigin(r.origin)).filter((sch) => existing.has(sch)));
            },
          }
        : {}),
    });
  }

  /**
   * Whether `origin`'s schema holds live read models of the migrated table shape: `missing` (never
   * projected here) or `outdated` (a later migration: the projector rebuilds it on its next pass).
   */
  async schemaState(origin: string): Promise<'current' | 'missing' | 'outdated'> {
    return this.options.dataSource.transaction(async (m) => {
      const [row] = (await m.query(
        `SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1`,
        [schemaOfOrigin(origin)],
      )) as { comment: string | null }[];
      if (!row) return 'missing';
      return row.comment === schemaLabel(origin, await tableShape(m)) ? 'current' : 'outdated';
    });
  }
}

const schemaLabel = (origin: string, shape: string) => `national read models of ${origin} (table shape ${shape})`;
const viewsLabel = (schemas: readonly string[]) => `national views over ${schemas.join(' ') || 'no log'}`;

/** (Re)creates the national views over the given log schemas (the caller holds `SCHEMA_LOCK`). */
async function createNationalViews(m: EntityManager, schemas: readonly string[]): Promise<void> {
  await m.query(`DROP SCHEMA IF EXISTS ${NATIONAL_VIEW_SCHEMA} CASCADE`);
  await m.query(`CREATE SCHEMA ${NATIONAL_VIEW_SCHEMA}`);
  const union = (t: string) =>
    schemas.length === 0 ? `SELECT * FROM public.${t} WHERE false` : schemas.map((s) => `SELECT * FROM ${s}.${t}`).join(' UNION ALL ');
  for (const t of TABLES) {
    if (t === 'rm_model_version') {
      // One row per model version across the provinces' logs: suspended anywhere is suspended.
      await m.query(
        `CREATE VIEW ${NATIONAL_VIEW_SCHEMA}.rm_model_version AS
         SELECT model_id, min(name) AS name, min(version) AS version,
                CASE WHEN bool_or(status = 'suspended') THEN 'suspended'
                     WHEN bool_or(status = 'approved') THEN 'approved' ELSE 'registered' END AS status,
                min(registered_at) AS registered_at, min(approved_at) AS approved_at, max(suspended_at) AS suspended_at
           FROM (${union(t)}) v GROUP BY model_id`,
      );
    } else {
      await m.query(`CREATE VIEW ${NATIONAL_VIEW_SCHEMA}.${t} AS ${union(t)}`);
    }
  }
  await m.query(`COMMENT ON SCHEMA ${NATIONAL_VIEW_SCHEMA} IS ${literal(viewsLabel(schemas))}`);
}

/** A fingerprint of the migrated tables the log schemas are cloned from. */
async function tableShape(m: EntityManager): Promise<string> {
  const rows = (await m.query(
    `SELECT table_name, column_name, data_type, is_nullable, ordinal_position FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = ANY($1::text[]) ORDER BY table_name, ordinal_position`,
    [['projection_status', ...TABLES]],
  )) as unknown[];
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16);
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
