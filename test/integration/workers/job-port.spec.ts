/**
 * The job port's contract, run against BullMQ on the test Redis and against the in-process implementation:
 * dedup by job id, retries with backoff up to the attempt limit, permanent failures, the dead-letter view,
 * and graceful close letting an active job finish.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { createBullJobPort } from '../../../src/workers/queue/bullmq.ts';
import { createInProcessJobPort } from '../../../src/workers/queue/in-process.ts';
import { PermanentJobError, type JobPort, type QueuePolicy, type RunningJob } from '../../../src/ports/jobs.ts';
import { testRedisUrl, waitFor } from '../../support/env.ts';

const policies: Partial<Record<'media' | 'inference' | 'notice', Partial<QueuePolicy>>> = {
  media: { attempts: 3, backoffMs: 20, concurrency: 4 },
  inference: { attempts: 2, backoffMs: 20 },
  notice: { attempts: 4, backoffMs: 20 },
};

const implementations: [string, () => JobPort][] = [
  ['BullMQ', () => createBullJobPort({ redisUrl: testRedisUrl(), prefix: `t-${randomBytes(4).toString('hex')}`, policies })],
  ['in-process', () => createInProcessJobPort({ policies })],
];

for (const [label, open] of implementations) {
  describe(`job port contract: ${label}`, function () {
    let jobs: JobPort;
    beforeEach(() => {
      jobs = open();
    });
    afterEach(async () => {
      await jobs.close();
    });

    it('runs each job id once, however often it is enqueued', async () => {
      const runs: string[] = [];
      jobs.process('media', async (job) => void runs.push(job.jobId));
      await jobs.enqueue('media', [
        { jobId: 'e-1', name: 'x', data: { n: 1 } },
        { jobId: 'e-2', name: 'x', data: { n: 2 } },
      ]);
      await jobs.enqueue('media', [{ jobId: 'e-1', name: 'x', data: { n: 1 } }]);
      await waitFor(async () => (await jobs.counts('media')).completed === 2, { what: 'two completed jobs' });
      await jobs.enqueue('media', [{ jobId: 'e-2', name: 'x', data: { n: 2 } }]);
      await jobs.enqueue('media', [{ jobId: 'e-3', name: 'x', data: { n: 3 } }]);
      await waitFor(async () => (await jobs.counts('media')).completed === 3, { what: 'three completed jobs' });
      expect(runs.sort()).to.deep.equal(['e-1', 'e-2', 'e-3']);
    });

    it('retries a failing job with its attempt number, then succeeds', async () => {
      const seen: RunningJob[] = [];
      jobs.process('notice', async (job) => {
        seen.push({ ...job });
        if (job.attempt < 3) throw new Error('gateway down');
      });
      await jobs.enqueue('notice', [{ jobId: 'n-1', name: 'send', data: { k: 'v' } }]);
      await waitFor(async () => (await jobs.counts('notice')).completed === 1, { what: 'the job to complete' });
      expect(seen.map((j) => [j.attempt, j.maxAttempts, j.finalAttempt])).to.deep.equal([
        [1, 4, false],
        [2, 4, false],
        [3, 4, false],
      ]);
      expect(seen[2]!.data).to.deep.equal({ k: 'v' });
      expect(await jobs.deadLetters('notice')).to.deep.equal([]);
    });

    it('keeps a job that ran out of attempts as a dead letter with its error', async () => {
      let runs = 0;
      jobs.process('inference', async () => {
        runs++;
        throw new Error('model server unreachable');
      });
      await jobs.enqueue('inference', [{ jobId: 'i-1', name: 'read-plate', data: { caseId: 'c' } }]);
      await waitFor(async () => (await jobs.counts('inference')).failed === 1, { what: 'the job to fail' });
      expect(runs).to.equal(2);
      const [dead, ...rest] = await jobs.deadLetters('inference');
      expect(rest).to.deep.equal([]);
      expect(dead).to.deep.include({ queue: 'inference', jobId: 'i-1', name: 'read-plate', attemptsMade: 2 });
      expect(dead!.data).to.deep.equal({ caseId: 'c' });
      expect(dead!.error).to.include('model server unreachable');
      expect(dead!.failedAt).to.match(/^\d{4}-\d{2}-\d{2}T/);
    });

    it('fails a permanent error at once, without retrying', async () => {
      let runs = 0;
      jobs.process('media', async () => {
        runs++;
        throw new PermanentJobError('corrupt image');
      });
      await jobs.enqueue('media', [{ jobId: 'm-bad', name: 'derive-media', data: {} }]);
      await waitFor(async () => (await jobs.counts('media')).failed === 1, { what: 'the job to fail' });
      expect(runs).to.equal(1);
      const dead = await jobs.deadLetters('media');
      expect(dead.map((d) => [d.jobId, d.attemptsMade])).to.deep.equal([['m-bad', 1]]);
      expect(dead[0]!.error).to.include('corrupt image');
    });

    it('closes gracefully: an active job finishes before close resolves', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let finished = false;
      jobs.process('media', async () => {
        await gate;
        finished = true;
      });
      await jobs.enqueue('media', [{ jobId: 'slow', name: 'x', data: {} }]);
      await waitFor(async () => (await jobs.counts('media')).active === 1, { what: 'the job to be active' });
      const closing = jobs.close();
      release();
      await closing;
      expect(finished).to.equal(true);
      jobs = open(); // afterEach closes a fresh port
    });
  });
}
