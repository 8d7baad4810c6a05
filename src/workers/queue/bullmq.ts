/**
 * The BullMQ job port (production, `REDIS_URL`). One BullMQ queue per job queue under a key prefix, one
 * worker per processed queue. Connections use `maxRetriesPerRequest: null`, so a Redis restart stalls
 * commands until the server is back instead of failing them: the process manager's enqueue (and with it its
 * checkpoint) simply waits, and workers resume taking jobs.
 *
 * Durable: `enqueue` resolves after Redis acknowledged the jobs; how durable that is depends on the server's
 * persistence (AOF with `appendfsync everysec` or stricter is expected in production).
 * A worker killed mid-job leaves the job active with an expiring lock; the stalled-job check moves it back
 * to waiting and it runs again (processors are idempotent, so nothing is duplicated).
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import {
  DEFAULT_POLICY,
  describeFailure,
  isPermanentFailure,
  type DeadLetter,
  type JobCounts,
  type JobPort,
  type Processor,
  type QueueName,
  type QueuePolicy,
} from '../../ports/jobs.ts';

export interface BullJobPortOptions {
  redisUrl: string;
  /** Key prefix; separate deployments (and test files) sharing a Redis use different ones. */
  prefix?: string;
  policies?: Partial<Record<QueueName, Partial<QueuePolicy>>>;
  /** How long a job's lock lives without renewal; a killed worker's job is retried after about this. */
  lockDurationMs?: number;
  /** How often workers look for stalled jobs. */
  stalledIntervalMs?: number;
  onFailure?: (event: { queue: string; jobId: string; attempt: number; final: boolean; error: string }) => void;
}

export function createBullJobPort(options: BullJobPortOptions): JobPort {
  const connection = { url: options.redisUrl, maxRetriesPerRequest: null, enableOfflineQueue: true };
  const prefix = options.prefix ?? 'tec';
  const queues = new Map<QueueName, Queue>();
  const workers = new Map<QueueName, Worker>();
  const policy = (queue: QueueName): QueuePolicy => ({ ...DEFAULT_POLICY, ...options.policies?.[queue] });

  const queueOf = (name: QueueName): Queue => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      // Connection errors while Redis restarts are retried by ioredis; without a listener they would throw.
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return q;
  };

  return {
    kind: 'bullmq',
    durable: true,
    async enqueue(queue, jobs) {
      if (jobs.length === 0) return;
      const p = policy(queue);
      await queueOf(queue).addBulk(
        jobs.map((job) => ({
          name: job.name,
          data: job.data,
          opts: {
            jobId: job.jobId,
            attempts: p.attempts,
            backoff: { type: 'exponential', delay: p.backoffMs },
            removeOnComplete: { count: p.keepCompleted },
            removeOnFail: { count: p.keepFailed },
          },
        })),
      );
    },
    process(queue, processor: Processor) {
      if (workers.has(queue)) throw new Error(`Queue ${queue} already has a processor`);
      const p = policy(queue);
      const worker = new Worker(
        queue,
        async (job: Job) => {
          const maxAttempts = job.opts.attempts ?? p.attempts;
          const attempt = job.attemptsMade + 1;
          try {
            await processor({
              queue,
              jobId: job.id!,
              name: job.name,
              data: job.data as Record<string, unknown>,
              attempt,
              maxAttempts,
              finalAttempt: attempt >= maxAttempts,
            });
          } catch (error) {
            const final = attempt >= maxAttempts || isPermanentFailure(error);
            options.onFailure?.({ queue, jobId: job.id!, attempt, final, error: describeFailure(error) });
            if (isPermanentFailure(error)) throw new UnrecoverableError(describeFailure(error));
            throw new Error(describeFailure(error));
          }
        },
        {
          connection,
          prefix,
          concurrency: p.concurrency,
          lockDuration: options.lockDurationMs ?? 30_000,
          stalledInterval: options.stalledIntervalMs ?? 30_000,
          maxStalledCount: 3,
        },
      );
      worker.on('error', () => undefined);
      workers.set(queue, worker);
    },
    async settled() {
      // Jobs are durable in Redis: the caller's responsibility ends with the enqueue.
    },
    async deadLetters(queue, limit = 100) {
      const failed = await queueOf(queue).getFailed(0, Math.max(0, limit - 1));
      return failed
        .filter((job): job is Job => job !== undefined && job !== null)
        .map(
          (job): DeadLetter => ({
            queue,
            jobId: job.id!,
            name: job.name,
            data: job.data as Record<string, unknown>,
            error: job.failedReason ?? '',
            attemptsMade: job.attemptsMade,
            failedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : undefined,
          }),
        );
    },
    async counts(queue): Promise<JobCounts> {
      const c = await queueOf(queue).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed');
      return {
        waiting: c.waiting ?? 0,
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        completed: c.completed ?? 0,
        failed: c.failed ?? 0,
      };
    },
    async close() {
      // Workers first: they finish active jobs before their connections close.
      await Promise.all([...workers.values()].map((w) => w.close()));
      await Promise.all([...queues.values()].map((q) => q.close()));
      workers.clear();
      queues.clear();
    },
  };
}
