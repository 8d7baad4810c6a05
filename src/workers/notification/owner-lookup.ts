/**
 * The owner-lookup processor (queue `owner-lookup`, caused by ReviewConfirmed): asks the vehicle registry who
 * owns the confirmed plate and records `OwnerIdentified` (opaque owner ref, kind, registration certificate
 * number) or `OwnerNotFound`. Registry outages are retried by the queue; an unknown plate is an outcome.
 * Idempotent: a case no longer `confirmed` was already answered, and the event id is job-derived.
 */
import type { Logger } from 'pino';
import type { VehicleRegistry } from '../../ports/registry.ts';
import { identifyOwner, recordOwnerNotFound } from '../../commands/cases.ts';
import type { CommandDeps } from '../../commands/deps.ts';
import { jobEventId, onceOnly } from '../queue/job-ids.ts';
import type { Processor } from '../../ports/jobs.ts';
import { loadCase } from './case-state.ts';
import { caseJob, serviceCaller } from './job-data.ts';

export const OWNER_LOOKUP_WORKER = 'owner-lookup-worker';

export interface OwnerLookupDeps {
  commands: CommandDeps;
  registry: VehicleRegistry;
  logger?: Logger;
}

export function ownerLookupProcessor({ commands, registry, logger }: OwnerLookupDeps): Processor {
  return async (job) => {
    const { caseId, province } = caseJob(job);
    const kase = await loadCase(commands.store, caseId);
    if (kase.status !== 'confirmed' || !kase.review) {
      logger?.info({ queue: job.queue, jobId: job.jobId, caseId, status: kase.status }, 'owner lookup not needed');
      return;
    }
    const vehicle = await registry.lookupPlate(kase.review.plate);
    const caller = serviceCaller(OWNER_LOOKUP_WORKER, province);
    const eventIds = [jobEventId(job.queue, job.jobId, 'owner')];
    const options = { eventIds, causationId: job.jobId, correlationId: caseId };
    const outcome = await onceOnly(eventIds, () =>
      vehicle
        ? identifyOwner(
            commands,
            caller,
            { caseId, owner: { kind: vehicle.owner.kind, ref: vehicle.owner.ref }, registry: registry.name, registrationRef: vehicle.registrationNumber },
            options,
          )
        : recordOwnerNotFound(commands, caller, { caseId, registry: registry.name, reason: 'No vehicle is registered under the confirmed plate' }, options),
    );
    logger?.info({ queue: job.queue, jobId: job.jobId, caseId, found: vehicle !== undefined, recorded: outcome !== 'already-recorded' }, 'owner lookup done');
  };
}
