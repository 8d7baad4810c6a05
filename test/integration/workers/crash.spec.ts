/**
 * A worker process killed with SIGKILL while a job is active loses nothing and duplicates nothing:
 * - killed before its command ran: the job's lock expires, another worker runs it, the event is recorded once;
 * - killed after its command appended the event but before the job was acknowledged: the re-run finds the
 *   fact already in the case (and the job-derived event id would be refused anyway), so nothing is added.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { HttpVehicleRegistry } from '../../../src/adapters/registry/http.ts';
import { ownerLookupProcessor } from '../../../src/workers/notification/owner-lookup.ts';
import { startPipeline, type Pipeline } from '../../../src/node/pipeline.ts';
import { createBullJobPort } from '../../../src/workers/queue/bullmq.ts';
import type { JobPort } from '../../../src/ports/jobs.ts';
import { testRedisUrl, waitFor } from '../../support/env.ts';
import { startStandInRegistry, type StandInRegistry } from '../../support/stand-ins.ts';
import { confirmCase, eventTypes, ingestPlainDetection, openPipelineWorld, type PipelineWorld } from './support/world.ts';

const CHILD = fileURLToPath(new URL('./support/worker-child.ts', import.meta.url));

interface Child {
  process: ChildProcess;
  output: () => string;
}

function startChild(env: Record<string, string>): Child {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  return { process: child, output: () => output };
}

async function kill(child: Child): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGKILL');
  await exited;
}

describe('worker killed mid-job (child process, SIGKILL)', function () {
  this.timeout(120_000);
  let world: PipelineWorld;
  let registry: StandInRegistry;
  let pipeline: Pipeline;
  let survivor: JobPort | undefined;
  const children: Child[] = [];
  const prefix = `t-${randomBytes(4).toString('hex')}`;

  before(async () => {
    world = await openPipelineWorld('wcrash');
    registry = await startStandInRegistry();
    registry.add({
      plate: '30A12345',
      registrationNumber: 'DK-01-000123',
      vehicleClass: 'car',
      owner: { ref: 'own-crash-1', kind: 'individual', name: 'Chủ Xe Thử', address: '1 Phố Thử, Hà Nội' },
    });
    // This process only routes events to jobs; the workers are the children.
    pipeline = await startPipeline({
      store: world.store,
      evidence: world.evidence,
      commandDeps: world.deps,
      databaseUrl: world.db.url,
      redisUrl: testRedisUrl(),
      queuePrefix: prefix,
      roles: { processManager: true, workers: false },
    });
  });

  after(async () => {
    for (const c of children) await kill(c);
    await survivor?.close();
    await pipeline?.stop();
    await registry?.close();
    await world?.close();
  });

  it('re-runs the job elsewhere and records the owner exactly once', async () => {
    const { caseId, refs } = await ingestPlainDetection(world, 1);
    await confirmCase(world, caseId, '30A-123.45', refs);
    const childEnv = { CHILD_DATABASE_URL: world.db.url, CHILD_REDIS_URL: testRedisUrl(), CHILD_PREFIX: prefix, CHILD_REGISTRY_URL: registry.url };
    const lookups = () => registry.requests.filter((p) => p === '/v1/vehicles/30A12345').length;

    // 1. The registry hangs: the first worker is stuck inside the job when it is killed.
    registry.setDelay(600_000);
    const first = startChild({ ...childEnv, CHILD_MODE: 'plain' });
    children.push(first);
    await waitFor(() => lookups() === 1, { timeoutMs: 30_000, what: 'the first worker to call the registry' });
    expect(first.output()).to.match(/^started /m);
    await kill(first);
    registry.setDelay(0);
    expect(await eventTypes(world, caseId)).to.not.include('OwnerIdentified');

    // 2. The next worker picks the stalled job up, appends OwnerIdentified, and is killed before acknowledging.
    const second = startChild({ ...childEnv, CHILD_MODE: 'hang-after' });
    children.push(second);
    await waitFor(() => /^processed /m.test(second.output()), { timeoutMs: 30_000, what: 'the second worker to process the job' });
    await kill(second);
    expect((await eventTypes(world, caseId)).filter((t) => t === 'OwnerIdentified')).to.have.length(1);

    // 3. A third worker (in this process) re-runs the unacknowledged job to completion.
    survivor = createBullJobPort({ redisUrl: testRedisUrl(), prefix, lockDurationMs: 1000, stalledIntervalMs: 500 });
    let reruns = 0;
    const processor = ownerLookupProcessor({ commands: world.deps, registry: new HttpVehicleRegistry({ baseUrl: registry.url }) });
    survivor.process('owner-lookup', async (job) => {
      reruns++;
      await processor(job);
    });
    await waitFor(async () => (await survivor!.counts('owner-lookup')).completed === 1, { timeoutMs: 30_000, what: 'the job to complete' });
    expect(reruns).to.equal(1);
    expect(lookups()).to.equal(2); // the killed first run, the second run; the third saw the owner and skipped
    const types = await eventTypes(world, caseId);
    expect(types.filter((t) => t === 'OwnerIdentified')).to.have.length(1);
    expect(types.filter((t) => t === 'OwnerNotFound')).to.have.length(0);
    expect(await survivor.deadLetters('owner-lookup')).to.deep.equal([]);
  });
});
