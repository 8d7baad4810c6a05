/** The payload every case job carries (process-manager/routes.ts), checked before use: Redis is not trusted. */
import { isLowercaseUuid } from '../../domain/ids.ts';
import type { Caller } from '../../commands/outcome.ts';
import { PermanentJobError, type RunningJob } from '../../ports/jobs.ts';

export interface CaseJob {
  caseId: string;
  province: string;
}

export function caseJob(job: RunningJob): CaseJob {
  const { caseId, province } = job.data ?? {};
  if (!isLowercaseUuid(caseId)) throw new PermanentJobError('The job names no valid case id', { jobId: job.jobId });
  if (typeof province !== 'string' || !/^\d{2}$/.test(province)) throw new PermanentJobError('The job names no valid province', { jobId: job.jobId });
  return { caseId, province };
}

/** The worker acts as a service in the case's province. */
export function serviceCaller(workerId: string, province: string): Caller {
  return { actor: { kind: 'service', id: workerId }, province };
}
