/**
 * `tec serve --role api --processes N` (issue 15): N API processes behind one listening address, by
 * node:cluster. The primary forks the workers and replaces any that exits; each worker is an ordinary API node
 * (`startNode` with role `api`) on the shared PostgreSQL, Redis and evidence directory, and the primary itself
 * opens nothing. The cluster module hands incoming connections to the workers round-robin.
 *
 * Nothing that decides a request's outcome lives in one process's memory (docs/api.md, "Several API
 * processes"): the case stream is the idempotency key (one append with `no_stream` wins), the camera view cache
 * checks the camera stream's head revision on every request, the citizen lookup budget lives in Redis, the
 * ledger sequencer runs in its own single process (`--role sequencer`), and evidence blobs are content-addressed
 * and created by `link(2)`, safe for concurrent writers in any process. Per process, and safe to be: rate-limit
 * counters (an abuse guard: a client may reach N× the per-address limit), the audit run throttle, caches that
 * revalidate. What would not be safe (the embedded sign-in provider's sessions, a lookup budget without Redis,
 * the embedded PGlite database) is refused at start (`requireScaleOut`).
 */
import cluster, { type Worker } from 'node:cluster';
import type { NodeConfig } from '../config.ts';
import { ValidationError } from '../domain/shared/errors.ts';

export const MAX_API_PROCESSES = 64;

/** Messages a worker sends the primary over the cluster IPC channel. */
export type WorkerMessage = { kind: 'line'; line: string } | { kind: 'listening'; url: string };

export function isWorkerMessage(value: unknown): value is WorkerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as { kind?: unknown; line?: unknown; url?: unknown };
  return (m.kind === 'line' && typeof m.line === 'string') || (m.kind === 'listening' && typeof m.url === 'string');
}

/** Parses `--processes`: a whole number from 1 to MAX_API_PROCESSES. */
export function parseProcesses(value: string | undefined): number {
  if (value === undefined) return 1;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > MAX_API_PROCESSES) {
    throw new ValidationError(`--processes must be a whole number from 1 to ${MAX_API_PROCESSES}`);
  }
  return n;
}

/**
 * Several API processes are allowed only where no correctness-critical state would be per process: the API role
 * alone, on a shared PostgreSQL (not the embedded PGlite directory, which one process owns), with Redis (the
 * citizen lookup budget), and without the embedded sign-in provider (its sessions and codes live in memory).
 */
export function requireScaleOut(config: NodeConfig, role: string | undefined, processes: number): void {
  if (processes === 1) return;
  if (role !== 'api') {
    throw new ValidationError('--processes > 1 is for --role api only (the ledger sequencer must stay a single process)');
  }
  if (config.embedded || !config.databaseUrl) {
    throw new ValidationError('--processes > 1 needs DATABASE_URL: the embedded database is owned by one process');
  }
  if (!config.redisUrl) {
    throw new ValidationError('--processes > 1 needs REDIS_URL: the citizen lookup budget must be shared by every API process');
  }
  if (config.oidc) {
    throw new ValidationError(
      '--processes > 1 needs an external identity provider (JWKS_URL) or OIDC=off: the embedded sign-in provider keeps its sessions in process memory',
    );
  }
}

export interface SuperviseOptions {
  processes: number;
  print: (line: string) => void;
  /** More exits than this within `restartWindowMs` means a crash loop: stop everything (default 5 × processes). */
  maxRestarts?: number;
  restartWindowMs?: number;
}

export interface Supervisor {
  /** Resolves when every worker has gone after `stop()`, or rejects on a crash loop. */
  finished: Promise<void>;
  stop(): void;
}

/**
 * The primary: forks `processes` workers (each re-runs this command line, sees `cluster.isWorker` and starts its
 * API node), prints `listening: <url>` once the first is listening and `api-process: <pid> listening` for each,
 * and replaces a worker that exits unasked (`api-process: <pid> exited (<how>); replacing it`).
 */
export function superviseApiProcesses(options: SuperviseOptions): Supervisor {
  const { processes, print } = options;
  const maxRestarts = options.maxRestarts ?? 5 * processes;
  const windowMs = options.restartWindowMs ?? 60_000;
  const printed = new Set<string>();
  const exits: number[] = [];
  let announced = false;
  let stopping = false;
  let settle!: { resolve: () => void; reject: (error: Error) => void };
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));

  const live = () => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
  const fork = () => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (!isWorkerMessage(message)) return;
      if (message.kind === 'line') {
        // Start-up lines (verifier key, witness key) are the same in every worker: print each once.
        if (!printed.has(message.line)) {
          printed.add(message.line);
          print(message.line);
        }
        return;
      }
      print(`api-process: ${worker.process.pid} listening`);
      if (!announced) {
        announced = true;
        print(`listening: ${message.url}`);
      }
    });
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (live().length === 0) settle.resolve();
      return;
    }
    const now = Date.now();
    exits.push(now);
    while (exits.length > 0 && exits[0]! < now - windowMs) exits.shift();
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (exits.length > maxRestarts) {
      print(`api-process: ${worker.process.pid} exited (${how}); ${exits.length} exits within ${windowMs / 1000} s, giving up`);
      stopping = true;
      for (const w of live()) w.process.kill('SIGTERM');
      settle.reject(new Error('API processes keep exiting'));
      return;
    }
    print(`api-process: ${worker.process.pid} exited (${how}); replacing it`);
    fork();
  });
  for (let i = 0; i < processes; i++) fork();
  return {
    finished,
    stop() {
      if (stopping) return;
      stopping = true;
      const workers = live();
      if (workers.length === 0) settle.resolve();
      for (const w of workers) w.process.kill('SIGTERM');
    },
  };
}

/** In a worker: start-up lines and the listening address go to the primary instead of stdout. */
export function reportToPrimary(message: WorkerMessage): void {
  process.send?.(message);
}
