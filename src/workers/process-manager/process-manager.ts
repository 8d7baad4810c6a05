/**
 * The process manager: follows the global feed and turns events into jobs (routes.ts).
 *
 * Acknowledged means: for a durable job port (BullMQ), Redis accepted the jobs; for the in-process port, the
 * jobs settled (completed or failed for good), because memory does not survive a crash. The checkpoint in
 * `process_manager_checkpoint` advances only past records whose jobs are acknowledged, so after a crash or
 * restart the feed is replayed from there and the queue's dedup on `jobId` (= causing event id) plus the
 * workers' idempotency make the replay harmless. Several process managers under the same name are safe for
 * the same reason (they enqueue the same job ids), only wasteful.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { EventStore, StoredRecord, Subscription } from '../../ports/eventstore.ts';
import type { JobPort, QueueName } from '../../ports/jobs.ts';
import { routeRecord, type RoutedJob } from './routes.ts';

export interface ProcessManagerOptions {
  store: EventStore;
  jobs: JobPort;
  /** Holds `process_manager_checkpoint` (migrations/1795478770000-process-manager.ts). */
  pool: pg.Pool;
  name?: string;
  route?: (record: StoredRecord) => RoutedJob[];
  logger?: Logger;
  /** Delay before resubscribing after the feed or the queue failed (default 1000 ms, doubling to 30 s). */
  restartDelayMs?: number;
}

export interface ProcessManager {
  /** Resolves once the first catch-up of the feed has been delivered. */
  readonly caughtUp: Promise<void>;
  /** The last saved checkpoint (undefined before any). */
  savedCheckpoint(): Promise<string | undefined>;
  /** Stops following the feed; saves the checkpoint reached. Does not close the job port. */
  stop(): Promise<void>;
}

interface Pending {
  checkpoint: string;
  done: boolean;
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

export async function loadCheckpoint(pool: pg.Pool, name: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ checkpoint: string }>('SELECT checkpoint FROM process_manager_checkpoint WHERE name = $1', [name]);
  return rows[0]?.checkpoint;
}

async function saveCheckpoint(pool: pg.Pool, name: string, checkpoint: string): Promise<void> {
  await pool.query(
    `INSERT INTO process_manager_checkpoint (name, checkpoint, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (name) DO UPDATE SET checkpoint = EXCLUDED.checkpoint, updated_at = now()`,
    [name, checkpoint],
  );
}

/** Records passed without jobs before their checkpoint is written anyway (bounds replay after a restart). */
const IDLE_SAVE_EVERY = 200;
/** Records whose enqueue may be outstanding at once (durable ports) or whose jobs may be unsettled (in-process). */
const MAX_IN_FLIGHT = 256;
/** Jobs sent to the queue in one enqueue at most. */
const MAX_BATCH = 200;
/** Acknowledged progress is written at most this often (replay after a crash is harmless, only wasted work). */
const SAVE_INTERVAL_MS = 100;

export async function startProcessManager(options: ProcessManagerOptions): Promise<ProcessManager> {
  const { store, jobs, pool, logger } = options;
  const name = options.name ?? 'pipeline';
  const route = options.route ?? routeRecord;
  const baseDelay = options.restartDelayMs ?? 1000;

  let stopping = false;
  let subscription: Subscription | undefined;
  let acknowledged = await loadCheckpoint(pool, name);
  let saved = acknowledged;
  let sinceSave = 0;
  let saving: Promise<void> = Promise.resolve();
  let pending: Pending[] = [];
  let failure: unknown;
  let lastSaveAt = 0;
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));

  const persist = (force: boolean | 'now' = false): Promise<void> => {
    if (acknowledged === undefined || acknowledged === saved) return saving;
    if (!force && sinceSave < IDLE_SAVE_EVERY) return saving;
    if (force !== 'now' && Date.now() - lastSaveAt < SAVE_INTERVAL_MS) {
      scheduleSave();
      return saving;
    }
    lastSaveAt = Date.now();
    const value = acknowledged;
    sinceSave = 0;
    saving = saving.then(async () => {
      await saveCheckpoint(pool, name, value);
      saved = value;
    });
    return saving;
  };

  let saveTimer: NodeJS.Timeout | undefined;
  const scheduleSave = () => {
    saveTimer ??= setTimeout(() => {
      saveTimer = undefined;
      void persist(true).catch((error: unknown) => logger?.warn({ err: { name: (error as Error).name } }, 'process manager checkpoint not saved'));
    }, SAVE_INTERVAL_MS);
  };

  /** Advances `acknowledged` over the settled prefix of the pending records (in-process ports). */
  const drain = () => {
    let moved = false;
    while (pending.length > 0 && pending[0]!.done) {
      acknowledged = pending.shift()!.checkpoint;
      moved = true;
    }
    if (moved) void persist(true).catch((error: unknown) => logger?.warn({ err: { name: (error as Error).name } }, 'process manager checkpoint not saved'));
  };

  /**
   * Jobs of records delivered in the same turn of the event loop (a page of the feed) go to the queue in one
   * `enqueue` per queue: one Redis round trip for many records.
   */
  interface Batch {
    jobs: Map<QueueName, RoutedJob['job'][]>;
    size: number;
    done: Promise<void>;
    settle: (error?: unknown) => void;
  }
  let batch: Batch | undefined;
  const flush = (b: Batch) => {
    if (batch === b) batch = undefined;
    Promise.all([...b.jobs].map(([queue, list]) => jobs.enqueue(queue, list))).then(
      () => b.settle(),
      (error: unknown) => b.settle(error ?? new Error('enqueue failed')),
    );
  };
  const enqueueBatched = (routed: RoutedJob[]): Promise<void> => {
    if (!batch) {
      let settle!: (error?: unknown) => void;
      const done = new Promise<void>((resolve, reject) => (settle = (error) => (error === undefined ? resolve() : reject(error))));
      const b: Batch = { jobs: new Map(), size: 0, done, settle };
      batch = b;
      setImmediate(() => {
        if (batch === b) flush(b);
      });
    }
    const b = batch;
    for (const r of routed) {
      const list = b.jobs.get(r.queue) ?? [];
      list.push(r.job);
      b.jobs.set(r.queue, list);
      b.size++;
    }
    if (b.size >= MAX_BATCH) flush(b);
    return b.done;
  };

  /** Waiters for room in the in-flight window. */
  const roomWaiters: (() => void)[] = [];
  const inFlight = () => pending.filter((p) => !p.done).length;

  const onRecord = async (stored: StoredRecord) => {
    const routed = route(stored);
    if (routed.length === 0) {
      sinceSave++;
      if (pending.length === 0) {
        acknowledged = stored.checkpoint;
        await persist();
      } else {
        pending.push({ checkpoint: stored.checkpoint, done: true });
      }
      return;
    }
    // Enqueues overlap (up to MAX_IN_FLIGHT records); the checkpoint still only moves over a prefix of the
    // feed whose jobs are all acknowledged, so a crash never skips a record whose enqueue did not finish.
    while (inFlight() >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => roomWaiters.push(resolve));
    const entry: Pending = { checkpoint: stored.checkpoint, done: false };
    pending.push(entry);
    const generation = pending;
    const acknowledgement = (async () => {
      await enqueueBatched(routed);
      // Durable queues acknowledge on enqueue; in-process ones only once the jobs settled.
      if (!jobs.durable) await Promise.all(routed.map((r) => jobs.settled(r.queue, r.job.jobId)));
    })();
    acknowledgement.then(
      () => {
        entry.done = true;
        if (generation === pending) drain();
        for (const w of roomWaiters.splice(0)) w();
      },
      (error: unknown) => {
        // Left pending: the checkpoint stays before this record; the feed is resubscribed from there.
        logger?.warn({ err: { name: (error as Error).name } }, 'process manager enqueue failed');
        failure ??= error;
        for (const w of roomWaiters.splice(0)) w();
      },
    );
    if (failure !== undefined) {
      const error = failure;
      failure = undefined;
      throw error;
    }
  };

  const run = async () => {
    let delay = baseDelay;
    while (!stopping) {
      // After a failure, resume behind what was acknowledged: anything enqueued but unacknowledged is re-sent
      // and dropped by the queue's dedup.
      pending = [];
      failure = undefined;
      const sub = store.subscribeToAll({
        ...(acknowledged !== undefined ? { after: acknowledged } : {}),
        onRecord,
        onCaughtUp: () => resolveCaughtUp(),
      });
      subscription = sub;
      try {
        await sub.done;
        if (stopping) return;
        delay = baseDelay;
      } catch (error) {
        if (stopping) return;
        logger?.warn({ err: { name: (error as Error).name, code: (error as { code?: unknown }).code } }, 'process manager feed failed; resubscribing');
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  const running = run();

  return {
    caughtUp,
    savedCheckpoint: () => loadCheckpoint(pool, name),
    async stop() {
      stopping = true;
      await subscription?.close();
      await running.catch(() => undefined);
      // Let outstanding enqueues finish so the checkpoint covers them.
      const last = pending;
      await waitUntil(() => last.every((p) => p.done) || failure !== undefined);
      if (saveTimer) clearTimeout(saveTimer);
      await persist('now').catch(() => undefined);
    },
  };
}
