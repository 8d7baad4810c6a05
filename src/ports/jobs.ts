/**
 * The job port: how the process manager hands work to workers, and how workers take it. Two implementations
 * keep the same semantics: BullMQ on Redis (`createBullJobPort`, production) and in-process
 * (`createInProcessJobPort`, the embedded default without `REDIS_URL`).
 *
 * Semantics callers depend on:
 * - Dedup: a job whose `jobId` is already known to its queue (waiting, active, delayed, completed or failed and
 *   not yet trimmed) is not added again. The process manager uses the id of the causing event as `jobId`.
 * - Acknowledged: `enqueue` resolves only once every job is accepted. When `durable` is true the jobs then
 *   survive a crash of this process (they are in Redis); when false they live in this process's memory and the
 *   caller MUST NOT treat the enqueue as the end of its responsibility: wait for `settled(queue, jobId)`.
 * - Retries: a processor that throws is retried with exponential backoff up to `attempts` runs. A
 *   `PermanentJobError` (or an AppError whose category cannot change by retrying) fails the job at once.
 *   A job that failed for good is kept (up to `keepFailed`) and listed by `deadLetters` with its error.
 * - At least once: a job can run more than once (a worker killed mid-job, a lost acknowledgement). Processors
 *   MUST be idempotent; ours append events with deterministic ids (see src/workers/pipeline.ts).
 */
import { PROCESSING_JOBS } from '../domain/case/events.ts';
import { AppError, type ErrorCategory } from '../domain/shared/errors.ts';

/** The queues are a case's background jobs, named once in the domain (`ProcessingFailed.job` records them). */
export const QUEUE_NAMES = PROCESSING_JOBS;
export type QueueName = (typeof QUEUE_NAMES)[number];

export type JobData = Record<string, unknown>;

export interface NewJob {
  /** Dedup key: the id of the event that caused the job. */
  jobId: string;
  /** What to do (e.g. `read-plate`), for logs and dead-letter listings. */
  name: string;
  data: JobData;
}

/** What a processor sees of the job it runs. */
export interface RunningJob {
  queue: string;
  jobId: string;
  name: string;
  data: JobData;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** True when a failure of this run fails the job for good (no attempt left). */
  readonly finalAttempt: boolean;
}

export type Processor = (job: RunningJob) => Promise<void>;

export interface QueuePolicy {
  /** Runs in total, first included (≥ 1). */
  attempts: number;
  /** Delay before the first retry; doubled on each further retry. */
  backoffMs: number;
  /** Completed jobs kept for dedup and inspection (oldest trimmed first). */
  keepCompleted: number;
  /** Failed jobs kept for the dead-letter view. */
  keepFailed: number;
  /** Jobs of this queue run at the same time in one worker. */
  concurrency: number;
}

export const DEFAULT_POLICY: QueuePolicy = {
  attempts: 5,
  backoffMs: 1000,
  keepCompleted: 10_000,
  keepFailed: 10_000,
  concurrency: 2,
};

export interface DeadLetter {
  queue: string;
  jobId: string;
  name: string;
  data: JobData;
  /** The last error's message (no stack: messages of typed errors hold no personal data). */
  error: string;
  attemptsMade: number;
  failedAt: string | undefined;
}

export interface JobCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

export interface JobPort {
  readonly kind: 'bullmq' | 'in-process';
  /** True when accepted jobs survive a crash of this process. */
  readonly durable: boolean;
  enqueue(queue: QueueName, jobs: readonly NewJob[]): Promise<void>;
  /** Starts taking jobs of `queue`. One processor per queue per port. */
  process(queue: QueueName, processor: Processor): void;
  /** Resolves when the job completed or failed for good (in-process only; BullMQ resolves at once). */
  settled(queue: QueueName, jobId: string): Promise<void>;
  deadLetters(queue: QueueName, limit?: number): Promise<DeadLetter[]>;
  counts(queue: QueueName): Promise<JobCounts>;
  /**
   * Graceful shutdown: stops taking jobs, waits for active ones to finish (BullMQ: a job still running at
   * the end goes back to the queue when its lock expires and runs again elsewhere), then disconnects.
   */
  close(): Promise<void>;
}

/** A failure retrying cannot fix: the job fails at once and is kept as a dead letter. */
export class PermanentJobError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'job-failed-permanently';
}

/** Categories where the same input will be refused again: no point retrying. */
const PERMANENT_CATEGORIES: ReadonlySet<ErrorCategory> = new Set([
  'validation',
  'forbidden',
  'not_found',
  'conflict',
  'too_large',
  'unprocessable',
]);

export function isPermanentFailure(error: unknown): boolean {
  return error instanceof AppError && PERMANENT_CATEGORIES.has(error.category);
}

/** Exponential backoff: backoffMs, 2×, 4×, … before retry 1, 2, 3, … */
export function retryDelay(policy: Pick<QueuePolicy, 'backoffMs'>, attemptsMade: number): number {
  return policy.backoffMs * 2 ** Math.max(0, attemptsMade - 1);
}

/** An error message safe to keep and show: typed errors' messages, else only the error's class name. */
export function describeFailure(error: unknown): string {
  if (error instanceof AppError) return `${error.name} (${error.code}): ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 500);
  return 'unknown error';
}
