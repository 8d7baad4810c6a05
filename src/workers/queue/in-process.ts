/**
 * The in-process job port for the embedded node (no `REDIS_URL`): the same dedup, retry, backoff, dead-letter
 * and shutdown semantics as the BullMQ port, with jobs held in this process's memory (`durable: false`).
 * Because a crash loses what is queued here, the process manager advances its checkpoint only past events
 * whose jobs have settled (see process-manager), so a restart re-enqueues exactly what was not finished.
 */
import {
  DEFAULT_POLICY,
  describeFailure,
  isPermanentFailure,
  retryDelay,
  type DeadLetter,
  type JobCounts,
  type JobPort,
  type NewJob,
  type Processor,
  type QueueName,
  type QueuePolicy,
} from '../../ports/jobs.ts';

type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

interface Entry {
  job: NewJob;
  state: JobState;
  attemptsMade: number;
  error?: string;
  failedAt?: string;
  waiters: (() => void)[];
}

interface Lane {
  policy: QueuePolicy;
  jobs: Map<string, Entry>;
  ready: Entry[];
  processor?: Processor;
  active: number;
  timers: Set<NodeJS.Timeout>;
  completed: string[];
  failed: string[];
}

export interface InProcessJobPortOptions {
  policies?: Partial<Record<QueueName, Partial<QueuePolicy>>>;
  /** Called when a job fails for good or a run fails (for logs); never given job data. */
  onFailure?: (event: { queue: string; jobId: string; attempt: number; final: boolean; error: string }) => void;
}

export function createInProcessJobPort(options: InProcessJobPortOptions = {}): JobPort {
  const lanes = new Map<QueueName, Lane>();
  let closing = false;
  let idleWaiters: (() => void)[] = [];

  const lane = (queue: QueueName): Lane => {
    let l = lanes.get(queue);
    if (!l) {
      l = {
        policy: { ...DEFAULT_POLICY, ...options.policies?.[queue] },
        jobs: new Map(),
        ready: [],
        active: 0,
        timers: new Set(),
        completed: [],
        failed: [],
      };
      lanes.set(queue, l);
    }
    return l;
  };

  const totalActive = () => [...lanes.values()].reduce((n, l) => n + l.active, 0);

  const settle = (l: Lane, entry: Entry, state: 'completed' | 'failed') => {
    entry.state = state;
    const kept = state === 'completed' ? l.completed : l.failed;
    const limit = state === 'completed' ? l.policy.keepCompleted : l.policy.keepFailed;
    kept.push(entry.job.jobId);
    while (kept.length > limit) l.jobs.delete(kept.shift()!);
    for (const w of entry.waiters.splice(0)) w();
  };

  const pump = (queue: QueueName) => {
    const l = lane(queue);
    while (!closing && l.processor && l.active < l.policy.concurrency && l.ready.length > 0) {
      const entry = l.ready.shift()!;
      void run(queue, l, entry, l.processor);
    }
  };

  const run = async (queue: QueueName, l: Lane, entry: Entry, processor: Processor) => {
    entry.state = 'active';
    l.active++;
    const attempt = entry.attemptsMade + 1;
    try {
      await processor({
        queue,
        jobId: entry.job.jobId,
        name: entry.job.name,
        data: entry.job.data,
        attempt,
        maxAttempts: l.policy.attempts,
        finalAttempt: attempt >= l.policy.attempts,
      });
      entry.attemptsMade = attempt;
      settle(l, entry, 'completed');
    } catch (error) {
      entry.attemptsMade = attempt;
      entry.error = describeFailure(error);
      const final = attempt >= l.policy.attempts || isPermanentFailure(error);
      options.onFailure?.({ queue, jobId: entry.job.jobId, attempt, final, error: entry.error });
      if (final) {
        entry.failedAt = new Date().toISOString();
        settle(l, entry, 'failed');
      } else {
        entry.state = 'delayed';
        const timer = setTimeout(() => {
          l.timers.delete(timer);
          entry.state = 'waiting';
          l.ready.push(entry);
          pump(queue);
        }, retryDelay(l.policy, attempt));
        l.timers.add(timer);
      }
    } finally {
      l.active--;
      if (totalActive() === 0) for (const w of idleWaiters.splice(0)) w();
      pump(queue);
    }
  };

  return {
    kind: 'in-process',
    durable: false,
    async enqueue(queue, jobs) {
      if (closing) throw new Error('The job port is closed');
      const l = lane(queue);
      for (const job of jobs) {
        if (l.jobs.has(job.jobId)) continue;
        const entry: Entry = { job: { ...job, data: structuredClone(job.data) }, state: 'waiting', attemptsMade: 0, waiters: [] };
        l.jobs.set(job.jobId, entry);
        l.ready.push(entry);
      }
      pump(queue);
    },
    process(queue, processor) {
      const l = lane(queue);
      if (l.processor) throw new Error(`Queue ${queue} already has a processor`);
      l.processor = processor;
      pump(queue);
    },
    settled(queue, jobId) {
      const entry = lane(queue).jobs.get(jobId);
      if (!entry || entry.state === 'completed' || entry.state === 'failed') return Promise.resolve();
      return new Promise((resolve) => entry.waiters.push(resolve));
    },
    async deadLetters(queue, limit = 100) {
      const l = lane(queue);
      return l.failed
        .slice(-limit)
        .reverse()
        .map((id): DeadLetter => {
          const e = l.jobs.get(id)!;
          return {
            queue,
            jobId: id,
            name: e.job.name,
            data: e.job.data,
            error: e.error ?? '',
            attemptsMade: e.attemptsMade,
            failedAt: e.failedAt,
          };
        });
    },
    async counts(queue): Promise<JobCounts> {
      const counts: JobCounts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
      for (const e of lane(queue).jobs.values()) counts[e.state]++;
      return counts;
    },
    async close() {
      closing = true;
      for (const l of lanes.values()) for (const t of l.timers) clearTimeout(t);
      if (totalActive() > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
      idleWaiters = [];
    },
  };
}
