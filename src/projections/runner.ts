/**
 * The projection runner: reads the global feed from each projection's stored checkpoint, applies a batch and
 * stores the new checkpoint in the SAME transaction. Exactly-once effect: a crash before the commit loses the
 * batch's writes and its checkpoint together, so the batch is applied again from the old checkpoint; after
 * the commit both are durable. Projections at the same checkpoint share one feed read.
 *
 * Poison events: when a batch throws, it is re-applied one record per transaction; the projection stops at
 * the first record that fails, with the error, the record id and its checkpoint stored in
 * `projection_status` (state `failed`) and visible through `status()`. Other projections go on. A failed
 * projection stays stopped (across restarts) until `retry(name)` — after the bug is fixed.
 *
 * One runner per node: `start()` takes a PostgreSQL session advisory lock and waits while another process
 * holds it. As a second guard, every batch locks the projection's status row and checks that the checkpoint is
 * still the one it read from.
 */
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { EventStore, StoredRecord } from '../ports/eventstore.ts';
import { isConnectionError } from '../ports/database.ts';
import type { Metrics } from '../ports/metrics.ts';
import { StaleCheckpointError } from './errors.ts';
import type { Projection } from './projection.ts';

/** "tec-proj" in ASCII: the leader lock of projection runners. */
export const PROJECTION_LEADER_LOCK = 0x7465632d70726f6an.toString();
export const DEFAULT_BATCH_SIZE = 1000;
/** `status()` counts at most this many events behind the head (then reports the lag as capped). */
export const LAG_COUNT_CAP = 10_000;

/**
 * The feed a runner reads: the node's event store, or a mirrored provincial feed on the national node
 * (src/adapters/witness/mirrored-feed.ts), whose checkpoints are the provincial leaf indexes.
 */
export type FeedSource = Pick<EventStore, 'readAll' | 'headCheckpoint' | 'onCommit'>;

export interface ProjectionRunnerOptions {
  dataSource: DataSource;
  store: FeedSource;
  projections: readonly Projection[];
  /** Records read per feed request (≤ 10,000). */
  batchSize?: number;
  /** Schema the read models live in: live (`public`, default) or a replay shadow. */
  schema?: string;
  metrics?: Pick<Metrics, 'projectionLagEvents' | 'projectionLagSeconds'>;
  /** Wait between polls when every projection is caught up (default 50 ms). */
  idleMs?: number;
  /**
   * Idle back-off cap: each poll that finds nothing new doubles the wait from `idleMs` up to this (default
   * `idleMs`, i.e. no back-off). Appends this process commits wake the loop at once (the store's `onCommit`),
   * so set it only where every append is in this process or lag after an idle spell may grow to it.
   */
  maxIdleMs?: number;
  /** Apply a batch to the projections of a group concurrently (default true; false on embedded PGlite). */
  parallel?: boolean;
  /** Wall clock for lag in seconds (default Date.now). */
  now?: () => number;
  /** Errors of the background loop (a database outage); the loop retries after `idleMs`. */
  onError?: (error: unknown) => void;
}

export interface ProjectionStatus {
  name: string;
  state: 'running' | 'failed';
  checkpoint: string | null;
  eventsSeen: bigint;
  lagEvents: number;
  /** True when more than LAG_COUNT_CAP events are behind: `lagEvents` is a lower bound. */
  lagEventsCapped: boolean;
  /** Age in seconds of the oldest record this projection has not applied (0 when caught up). */
  lagSeconds: number;
  error: string | null;
  failingEventId: string | null;
  failingCheckpoint: string | null;
}

export interface PassResult {
  /** Feed records passed (applied or skipped as not handled) in this pass, summed over projections. */
  advanced: number;
  /** True when every running projection has reached the end of the feed (or the target). */
  caughtUp: boolean;
}

type StatusRow = { name: string; checkpoint: string | null; state: 'running' | 'failed' };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class ProjectionRunner {
  readonly projections: readonly Projection[];
  private readonly batchSize: number;
  private readonly schema: string | undefined;
  private readonly idleMs: number;
  private readonly maxIdleMs: number;
  /** Set by `poke()`: the next idle sleep returns at once (a poke during a pass is not lost). */
  private poked = false;
  private stopListening: (() => void) | undefined;
  private readonly parallel: boolean;
  private readonly now: () => number;
  private checkpoints = new Map<string, string | null>();
  private failed = new Set<string>();
  private loaded = false;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private leader: QueryRunner | undefined;
  private wake: (() => void) | undefined;
  private crashCounter = 0;

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.projections = options.projections;
    this.batchSize = Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, 10_000);
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) throw new Error(`Bad schema name ${options.schema}`);
    this.schema = options.schema;
    this.idleMs = options.idleMs ?? 50;
    this.maxIdleMs = Math.max(this.idleMs, options.maxIdleMs ?? this.idleMs);
    this.parallel = options.parallel ?? true;
    this.now = options.now ?? Date.now;
  }

  /** Runs `work` in one transaction against this runner's schema. */
  async transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.options.dataSource.transaction(async (manager) => {
      // Asynchronous commit is safe here: a crash can lose only the last committed batches, and it loses each
      // batch's writes together with its checkpoint (one WAL record stream), so the batch is simply applied
      // again. Exactly-once holds; only the wait for the WAL flush goes.
      await manager.query(
        this.schema ? `SET LOCAL synchronous_commit = off; SET LOCAL search_path TO ${this.schema}, public` : `SET LOCAL synchronous_commit = off`,
      );
      return work(manager);
    });
  }

  /** Creates missing status rows and loads every projection's checkpoint and state. */
  async load(): Promise<void> {
    const names = this.projections.map((p) => p.name);
    const rows = await this.transaction(async (m) => {
      await m.query(
        `INSERT INTO projection_status (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING`,
        [names],
      );
      return (await m.query(`SELECT name, checkpoint, state FROM projection_status WHERE name = ANY ($1::text[])`, [names])) as StatusRow[];
    });
    this.checkpoints = new Map(rows.map((r) => [r.name, r.checkpoint]));
    this.failed = new Set(rows.filter((r) => r.state === 'failed').map((r) => r.name));
    this.loaded = true;
  }

  /**
   * One pass: one feed read per group of projections sharing a checkpoint, one transaction per projection.
   * With `until`, no projection passes that checkpoint (the record carrying it is applied, later ones not).
   */
  async runOnce(until?: string): Promise<PassResult> {
    if (!this.loaded) await this.load();
    const groups = new Map<string, Projection[]>();
    for (const p of this.projections) {
      if (this.failed.has(p.name)) continue;
      const cp = this.checkpoints.get(p.name) ?? null;
      if (until !== undefined && cp === until) continue;
      const key = cp ?? '';
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    let advanced = 0;
    let caughtUp = true;
    for (const [key, group] of groups) {
      const after = key === '' ? undefined : key;
      let records = await this.options.store.readAll({ ...(after !== undefined ? { after } : {}), maxCount: this.batchSize });
      if (records.length === this.batchSize) caughtUp = false;
      if (until !== undefined) {
        const stop = records.findIndex((r) => r.checkpoint === until);
        if (stop >= 0) records = records.slice(0, stop + 1);
        // The target is not ahead of this checkpoint: never pass it.
        else if (records.length < this.batchSize) records = [];
      }
      if (records.length === 0) continue;
      const apply = (p: Projection) => this.applyBatch(p, after ?? null, records);
      const results = this.parallel ? await Promise.all(group.map(apply)) : await sequential(group, apply);
      advanced += results.reduce((a, b) => a + b, 0);
    }
    if (until !== undefined) {
      caughtUp = this.projections.every((p) => this.failed.has(p.name) || this.checkpoints.get(p.name) === until);
    }
    return { advanced, caughtUp };
  }

  /** Runs passes until every running projection reached the head (or `until`). */
  async catchUp(until?: string, onProgress?: (advanced: number) => void): Promise<void> {
    for (;;) {
      const { advanced, caughtUp } = await this.runOnce(until);
      if (advanced > 0) onProgress?.(advanced);
      if (caughtUp || advanced === 0) return;
    }
  }

  /** Applies `records` to `p` from `expected`; returns how many records it passed. */
  private async applyBatch(p: Projection, expected: string | null, records: readonly StoredRecord[]): Promise<number> {
    const types = new Set(p.eventTypes);
    const relevant = records.filter((r) => types.has(r.record.type));
    const last = records[records.length - 1]!;
    if (relevant.length === 0) return this.advanceOnly(p, expected, records.length, last);
    try {
      await this.transaction(async (m) => {
        const [row] = (await m.query(`SELECT checkpoint, state FROM projection_status WHERE name = $1 FOR UPDATE`, [p.name])) as StatusRow[];
        if (!row || row.state !== 'running' || row.checkpoint !== expected) throw new StaleCheckpointError(p.name);
        if (relevant.length > 0) await p.handle(relevant, m);
        this.crashHook(p.name);
        await m.query(
          `UPDATE projection_status SET checkpoint = $2, events_seen = events_seen + $3, last_recorded_at = $4,
                  updated_at = now() WHERE name = $1`,
          [p.name, last.checkpoint, records.length, last.record.meta.recordedAt],
        );
      });
      this.checkpoints.set(p.name, last.checkpoint);
      return records.length;
    } catch (error) {
      if (error instanceof StaleCheckpointError) {
        await this.load();
        return 0;
      }
      if (isConnectionError(error)) throw error;
      if (records.length > 1) {
        // Find the poison record: one record per transaction up to it.
        let cp = expected;
        let passed = 0;
        for (const record of records) {
          const n = await this.applyBatch(p, cp, [record]);
          if (n === 0) return passed;
          passed += n;
          cp = record.checkpoint;
        }
        return passed;
      }
      await this.recordFailure(p, last, error);
      return 0;
    }
  }

  /**
   * Nothing to write for this projection: move its checkpoint past the records in one conditional statement
   * (the condition plays the part of the row lock: it only applies from the checkpoint this runner read).
   */
  private async advanceOnly(p: Projection, expected: string | null, count: number, last: StoredRecord): Promise<number> {
    const result = (await this.transaction((m) =>
      m.query(
        `WITH moved AS (
           UPDATE projection_status SET checkpoint = $2, events_seen = events_seen + $3, last_recorded_at = $4, updated_at = now()
            WHERE name = $1 AND state = 'running' AND checkpoint IS NOT DISTINCT FROM $5::text RETURNING name)
         SELECT name FROM moved`,
        [p.name, last.checkpoint, count, last.record.meta.recordedAt, expected],
      ),
    )) as unknown[];
    if (result.length === 0) {
      await this.load();
      return 0;
    }
    this.checkpoints.set(p.name, last.checkpoint);
    return count;
  }

  private async recordFailure(p: Projection, record: StoredRecord, error: unknown): Promise<void> {
    const message = error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 2000) : 'non-error thrown';
    await this.transaction((m) =>
      m.query(
        `UPDATE projection_status SET state = 'failed', error = $2, failing_event_id = $3, failing_checkpoint = $4,
                updated_at = now() WHERE name = $1`,
        [p.name, message, record.record.id, record.checkpoint],
      ),
    );
    this.failed.add(p.name);
  }

  /** Test hook: TEC_PROJECTION_CRASH=<name>:<n> kills the process inside the n-th transaction of <name>, after its writes. */
  private crashHook(name: string): void {
    const spec = process.env.TEC_PROJECTION_CRASH;
    if (!spec) return;
    const [target, count] = spec.split(':');
    if (target !== name) return;
    this.crashCounter += 1;
    if (this.crashCounter >= Number(count ?? '1')) process.kill(process.pid, 'SIGKILL');
  }

  /** Clears a failed projection's error so it resumes from its checkpoint (after the cause was fixed). */
  async retry(name: string): Promise<void> {
    await this.transaction((m) =>
      m.query(
        `UPDATE projection_status SET state = 'running', error = NULL, failing_event_id = NULL, failing_checkpoint = NULL,
                updated_at = now() WHERE name = $1`,
        [name],
      ),
    );
    await this.load();
    this.wake?.();
  }

  /** Checkpoint, state, error and lag of every projection; also sets the lag gauges. */
  async status(): Promise<ProjectionStatus[]> {
    const names = this.projections.map((p) => p.name);
    const rows = (await this.transaction((m) =>
      m.query(
        `SELECT name, checkpoint, events_seen::text AS events_seen, state, error, failing_event_id::text AS failing_event_id,
                failing_checkpoint FROM projection_status WHERE name = ANY ($1::text[]) ORDER BY name`,
        [names],
      ),
    )) as {
      name: string;
      checkpoint: string | null;
      events_seen: string;
      state: 'running' | 'failed';
      error: string | null;
      failing_event_id: string | null;
      failing_checkpoint: string | null;
    }[];
    const head = await this.options.store.headCheckpoint();
    const out: ProjectionStatus[] = [];
    for (const name of names) {
      const row = rows.find((r) => r.name === name);
      const checkpoint = row?.checkpoint ?? null;
      let lagEvents = 0;
      let lagSeconds = 0;
      let capped = false;
      if (head !== undefined && checkpoint !== head) {
        const behind = await this.options.store.readAll({ ...(checkpoint ? { after: checkpoint } : {}), maxCount: LAG_COUNT_CAP });
        lagEvents = behind.length;
        capped = behind.length === LAG_COUNT_CAP;
        const oldest = behind[0];
        if (oldest) lagSeconds = Math.max(0, (this.now() - Date.parse(oldest.record.meta.recordedAt)) / 1000);
      }
      this.options.metrics?.projectionLagEvents.set({ projection: name }, lagEvents);
      this.options.metrics?.projectionLagSeconds.set({ projection: name }, lagSeconds);
      out.push({
        name,
        state: row?.state ?? 'running',
        checkpoint,
        eventsSeen: BigInt(row?.events_seen ?? '0'),
        lagEvents,
        lagEventsCapped: capped,
        lagSeconds,
        error: row?.error ?? null,
        failingEventId: row?.failing_event_id ?? null,
        failingCheckpoint: row?.failing_checkpoint ?? null,
      });
    }
    return out;
  }

  /** True while this runner holds the node's projection leadership. */
  get isLeader(): boolean {
    return this.leader !== undefined;
  }

  /**
   * Starts projecting in the background: first waits (polling every `leaderPollMs`) for the node's projection
   * leadership, which another process may hold, then projects continuously until `stop()`. Returns at once;
   * `isLeader` tells whether this runner is the one projecting.
   */
  async start(options: { leaderPollMs?: number } = {}): Promise<void> {
    if (this.loop) return;
    this.stopping = false;
    this.stopListening = this.options.store.onCommit?.(() => this.poke());
    this.loop = this.lead(options.leaderPollMs ?? 500);
  }

  private async lead(pollMs: number): Promise<void> {
    while (!this.stopping) {
      const qr = this.options.dataSource.createQueryRunner();
      try {
        await qr.connect();
        const [row] = (await qr.query('SELECT pg_try_advisory_lock($1::bigint) AS ok', [PROJECTION_LEADER_LOCK])) as { ok: boolean }[];
        if (row?.ok) {
          this.leader = qr;
          await this.load();
          await this.runLoop();
          return;
        }
        await qr.release();
      } catch (error) {
        this.options.onError?.(error);
        if (this.leader !== qr) await qr.release().catch(() => undefined);
      }
      await this.sleep(pollMs);
    }
  }

  /** Waits `ms`, or until poked or stopped; says which. */
  private sleep(ms: number): Promise<'woken' | 'timeout'> {
    if (this.poked || this.stopping) return Promise.resolve('woken');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        resolve('timeout');
      }, ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve('woken');
      };
    });
  }

  private async runLoop(): Promise<void> {
    let idle = this.idleMs;
    while (!this.stopping) {
      let caughtUp = true;
      let advanced = 0;
      this.poked = false;
      try {
        const pass = await this.runOnce();
        advanced = pass.advanced;
        caughtUp = pass.caughtUp || pass.advanced === 0;
        if (caughtUp && this.options.metrics) {
          for (const p of this.projections) {
            if (!this.failed.has(p.name)) {
              this.options.metrics.projectionLagEvents.set({ projection: p.name }, 0);
              this.options.metrics.projectionLagSeconds.set({ projection: p.name }, 0);
            }
          }
        }
      } catch (error) {
        this.options.onError?.(error);
      }
      if (caughtUp && !this.stopping) {
        // Idle back-off: nothing new and not woken doubles the wait (up to maxIdleMs); anything resets it.
        const slept = await this.sleep(idle);
        idle = slept === 'woken' || advanced > 0 ? this.idleMs : Math.min(idle * 2, this.maxIdleMs);
      }
    }
  }

  /** Stops the background loop after the current batch and releases leadership. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopListening?.();
    this.stopListening = undefined;
    this.wake?.();
    await this.loop;
    this.loop = undefined;
    if (this.leader) {
      await this.leader.query('SELECT pg_advisory_unlock($1::bigint)', [PROJECTION_LEADER_LOCK]).catch(() => undefined);
      await this.leader.release();
      this.leader = undefined;
    }
  }

  /** Nudges an idle loop to poll now (e.g. after an append in the same process). */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }
}

async function sequential<T, R>(items: readonly T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}
