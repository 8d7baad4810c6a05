/**
 * Restarting Redis (our own redis-server child, AOF with fsync on every write, killed with SIGKILL) loses and
 * duplicates nothing: detections appended while Redis is down wait in the process manager (its enqueue
 * blocks, its checkpoint stays), and once Redis is back every job runs and every case gets exactly its events.
 * Also: a process manager restarted from its checkpoint re-enqueues nothing that already ran.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startPipeline, type Pipeline } from '../../../src/node/pipeline.ts';
import { createInProcessJobPort } from '../../../src/workers/queue/in-process.ts';
import { waitFor } from '../../support/env.ts';
import type { StoredRecord } from '../../../src/ports/eventstore.ts';
import { eventTypes, ingestPlainDetection, openPipelineWorld, trivialProcessor, type PipelineWorld } from './support/world.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir], {
    stdio: 'ignore',
  });
  const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  probe.on('error', () => undefined);
  try {
    await waitFor(
      async () => {
        try {
          if (probe.status !== 'ready') await probe.connect();
          return (await probe.ping()) === 'PONG';
        } catch {
          probe.disconnect();
          return false;
        }
      },
      { what: 'redis-server to accept connections' },
    );
  } finally {
    probe.disconnect();
  }
  return child;
}

async function killRedis(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

async function derivedCount(world: PipelineWorld, caseIds: string[]): Promise<number> {
  let n = 0;
  for (const id of caseIds) n += (await eventTypes(world, id)).filter((t) => t === 'EvidenceDerived').length;
  return n;
}

async function readWholeFeed(world: PipelineWorld): Promise<StoredRecord[]> {
  const records: StoredRecord[] = [];
  for (let after: string | undefined; ; ) {
    const page = await world.store.readAll({ ...(after ? { after } : {}), maxCount: 1000 });
    if (page.length === 0) return records;
    records.push(...page);
    after = page[page.length - 1]!.checkpoint;
  }
}

describe('Redis restart and process-manager restart', function () {
  this.timeout(120_000);
  let world: PipelineWorld;
  let redis: ChildProcess | undefined;
  let dir: string;
  let pipeline: Pipeline | undefined;

  before(async () => {
    world = await openPipelineWorld('wredis');
    dir = await mkdtemp(join(tmpdir(), 'wredis-'));
  });

  after(async () => {
    await pipeline?.stop();
    if (redis) await killRedis(redis);
    await rm(dir, { recursive: true, force: true });
    await world?.close();
  });

  it('loses and duplicates nothing across a Redis SIGKILL and restart', async () => {
    const port = await freePort();
    redis = await startRedis(port, dir);
    const runs: string[] = [];
    pipeline = await startPipeline({
      store: world.store,
      evidence: world.evidence,
      commandDeps: world.deps,
      databaseUrl: world.db.url,
      redisUrl: `redis://127.0.0.1:${port}`,
      queuePrefix: `t-${randomBytes(4).toString('hex')}`,
      processors: { inference: trivialProcessor(world.deps, (id) => runs.push(id)), media: trivialProcessor(world.deps, (id) => runs.push(id)) },
      policies: { inference: { backoffMs: 100, attempts: 10 }, media: { backoffMs: 100, attempts: 10 } },
    });
    const caseIds: string[] = [];
    for (let i = 0; i < 4; i++) caseIds.push((await ingestPlainDetection(world, i)).caseId);
    await waitFor(async () => (await derivedCount(world, caseIds)) === 8, { timeoutMs: 30_000, what: 'the first eight jobs' });
    const savedBefore = await pipeline.processManager!.savedCheckpoint();

    await killRedis(redis);
    redis = undefined;
    for (let i = 4; i < 8; i++) caseIds.push((await ingestPlainDetection(world, i)).caseId);
    // With Redis down no enqueue is acknowledged, so the saved checkpoint stays before the first detection
    // ingested meanwhile. (It may still move over records that need no job, such as the EvidenceDerived of
    // the first jobs, which the process manager can reach after Redis died: comparing snapshots would race.)
    const isFirstNew = (r: StoredRecord) => r.record.type === 'ViolationDetected' && r.record.stream === `case-${caseIds[4]}`;
    const feed = await waitFor(async () => {
      const all = await readWholeFeed(world);
      return all.some(isFirstNew) ? all : undefined;
    }, { what: 'the first detection ingested while Redis is down to reach the feed' });
    const firstUnacknowledged = feed.findIndex(isFirstNew);
    const savedDuring = await pipeline.processManager!.savedCheckpoint();
    expect(firstUnacknowledged).to.be.greaterThan(0);
    expect(feed.findIndex((r) => r.checkpoint === savedDuring)).to.be.lessThan(firstUnacknowledged);

    redis = await startRedis(port, dir);
    await waitFor(async () => (await derivedCount(world, caseIds)) === 16, { timeoutMs: 60_000, what: 'all sixteen jobs after the restart' });
    for (const id of caseIds) expect((await eventTypes(world, id)).filter((t) => t === 'EvidenceDerived')).to.have.length(2);
    expect(await pipeline.jobs.deadLetters('inference')).to.deep.equal([]);
    expect(await pipeline.jobs.deadLetters('media')).to.deep.equal([]);
    await waitFor(async () => (await pipeline!.jobs.counts('media')).completed === 8, { what: 'eight completed media jobs in Redis' });
    expect(await pipeline.processManager!.savedCheckpoint()).to.not.equal(savedBefore);
    await pipeline.stop();
    pipeline = undefined;
  });

  it('in-process: a restarted process manager resumes from its checkpoint and runs nothing twice', async () => {
    const runs: string[] = [];
    const start = () =>
      startPipeline({
        store: world.store,
        evidence: world.evidence,
        commandDeps: world.deps,
        databaseUrl: world.db.url,
        jobs: createInProcessJobPort(),
        processors: { inference: trivialProcessor(world.deps, (id) => runs.push(id)), media: trivialProcessor(world.deps, (id) => runs.push(id)) },
      });
    // The first test's events are already behind the (shared) checkpoint: none of them runs again here.
    pipeline = await start();
    const { caseId: first } = await ingestPlainDetection(world, 100);
    await waitFor(async () => (await derivedCount(world, [first])) === 2, { what: 'the first case' });
    await pipeline.processManager!.caughtUp;
    await pipeline.stop();
    expect(runs).to.have.length(2);

    pipeline = await start();
    const { caseId: second } = await ingestPlainDetection(world, 101);
    await waitFor(async () => (await derivedCount(world, [second])) === 2, { what: 'the second case' });
    expect(runs).to.have.length(4);
    expect(new Set(runs).size).to.equal(4);
    expect((await eventTypes(world, first)).filter((t) => t === 'EvidenceDerived')).to.have.length(2);
  });
});
