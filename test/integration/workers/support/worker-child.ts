/**
 * A worker process for the crash specs: serves the `owner-lookup` queue on BullMQ with the real processor.
 * MODE=hang-after: after a job's processor finished (its event appended) it prints `processed <jobId>` and
 * never returns, so the job is never acknowledged — the parent then kills this process.
 */
import { PostgresEventStore } from '../../../../src/adapters/eventstore/postgres/postgres-event-store.ts';
import { HttpVehicleRegistry } from '../../../../src/adapters/registry/http.ts';
import { fixedClock, uuidV7Ids } from '../../../../src/commands/deps.ts';
import { ownerLookupProcessor } from '../../../../src/workers/notification/owner-lookup.ts';
import { createBullJobPort } from '../../../../src/workers/queue/bullmq.ts';
import { pathToFileURL } from 'node:url';

// Runs only as a process entry: mocha given the directory would import this file too.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main();

function main(): void {
  const env = (name: string): string => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };

  const store = new PostgresEventStore({ databaseUrl: env('CHILD_DATABASE_URL') });
  const jobs = createBullJobPort({ redisUrl: env('CHILD_REDIS_URL'), prefix: env('CHILD_PREFIX'), lockDurationMs: 1000, stalledIntervalMs: 500 });
  const processor = ownerLookupProcessor({
    commands: { store, clock: fixedClock('2026-03-10T03:00:00.000Z'), ids: uuidV7Ids },
    registry: new HttpVehicleRegistry({ baseUrl: env('CHILD_REGISTRY_URL'), timeoutMs: 600_000, tries: 1 }),
  });
  jobs.process('owner-lookup', async (job) => {
    process.stdout.write(`started ${job.jobId}\n`);
    await processor(job);
    if (process.env.CHILD_MODE === 'hang-after') {
      process.stdout.write(`processed ${job.jobId}\n`);
      await new Promise(() => undefined);
    }
  });
  process.stdout.write('ready\n');
}
