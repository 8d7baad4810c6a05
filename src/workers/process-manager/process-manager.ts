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
import type { EventStore, StoredRecord, Subscription } from '../../adapters/eventstore/port.ts';
import type { JobPort, QueueName } from '../queue/port.ts';
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
  const pending: Pending[] = [];
  let resolveCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (resolveCaughtUp = resolve));

  const persist = (force = false) => {
    if (acknowledged === undefined || acknowledged === saved) return saving;
    if (!force && sinceSave < IDLE_SAVE_EVERY) return saving;
    const value = acknowledged;
    sinceSave = 0;
    saving = saving.then(async () => {
      await saveCheckpoint(pool, name, value);
      saved = value;
    });
    return saving;
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
    const byQueue = new Map<QueueName, RoutedJob['job'][]>();
    for (const r of routed) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r.job]);
    for (const [queue, list] of byQueue) await jobs.enqueue(queue, list);
    if (jobs.durable) {
      acknowledged = stored.checkpoint;
      await persist(true);
      return;
    }
    const entry: Pending = { checkpoint: stored.checkpoint, done: false };
    pending.push(entry);
    void Promise.all(routed.map((r) => jobs.settled(r.queue, r.job.jobId))).then(() => {
      entry.done = true;
      drain();
    });
  };

  const run = async () => {
    let delay = baseDelay;
    while (!stopping) {
      // After a failure, resume behind what was acknowledged: anything enqueued but unacknowledged is re-sent
      // and dropped by the queue's dedup.
      pending.length = 0;
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
      await persist(true).catch(() => undefined);
    },
  };
}
