/**
 * Pipeline throughput, end to end: ViolationDetected already in the store → process manager → BullMQ →
 * worker → command (load the case, decide, append EvidenceDerived) → event, with a trivial processor on the
 * `inference` and `media` queues. Baseline in the same run: raw BullMQ, `add` one job at a time while a
 * worker with a no-op processor takes them (same concurrency, BENCH_PIPELINE_CONCURRENCY, default 8). Target: the pipeline at ≥ 0.5× the raw rate.
 * Uses BENCH_REDIS_URL / BENCH_DATABASE_URL (bench/run.ts provides throwaway servers otherwise).
 */
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { startPipeline } from '../src/node/pipeline.ts';
import { ingestPlainDetection, openPipelineWorld, trivialProcessor } from '../test/integration/workers/support/world.ts';
import { figure, scaled } from './report.ts';

const CASES = scaled(process.env.BENCH_PIPELINE_CASES, 400, 40);
const CONCURRENCY = Number(process.env.BENCH_PIPELINE_CONCURRENCY ?? 8);

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

async function rawBullRate(redisUrl: string, jobs: number): Promise<number> {
  const connection = { url: redisUrl, maxRetriesPerRequest: null };
  const prefix = `bench-raw-${randomBytes(4).toString('hex')}`;
  const queue = new Queue('raw', { connection, prefix });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const worker = new Worker('raw', async () => undefined, { connection, prefix, concurrency: CONCURRENCY });
  worker.on('completed', () => {
    if (++done === jobs) finish();
  });
  await worker.waitUntilReady();
  const started = performance.now();
  for (let i = 0; i < jobs; i++) await queue.add('job', { i }, { jobId: `j-${i}`, removeOnComplete: { count: 10_000 } });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  return jobs / seconds;
}

export async function run(): Promise<void> {
  process.env.TEST_DATABASE_URL ??= env('BENCH_DATABASE_URL');
  const redisUrl = env('BENCH_REDIS_URL');
  const world = await openPipelineWorld('bpipe');
  try {
    const sources = new Map<string, string>();
    for (let i = 0; i < CASES; i++) {
      const { caseId, refs } = await ingestPlainDetection(world, i);
      sources.set(caseId, refs[0]!.digest);
    }
    const jobs = CASES * 2;
    // The machine is shared: the baseline is measured before and after the pipeline run and averaged.
    const rawBefore = await rawBullRate(redisUrl, jobs);

    let done = 0;
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    // The raw baseline's clock starts with its worker already running; the pipeline's is read both ways: from
    // startPipeline (its start-up included: connections, queues, the process manager's first feed read) and
    // from the first job a worker takes (steady state, comparable with the baseline).
    let firstJobAt: number | undefined;
    const counted = (p: ReturnType<typeof trivialProcessor>): ReturnType<typeof trivialProcessor> => async (job) => {
      firstJobAt ??= performance.now();
      await p(job);
      if (++done === jobs) finish();
    };
    const started = performance.now();
    const pipeline = await startPipeline({
      store: world.store,
      evidence: world.evidence,
      commandDeps: world.deps,
      databaseUrl: world.db.url,
      redisUrl,
      queuePrefix: `bench-pipe-${randomBytes(4).toString('hex')}`,
      processors: { inference: counted(trivialProcessor(world.deps, undefined, sources)), media: counted(trivialProcessor(world.deps, undefined, sources)) },
      policies: { inference: { concurrency: CONCURRENCY }, media: { concurrency: CONCURRENCY } },
    });
    await finished;
    const finishedAt = performance.now();
    const seconds = (finishedAt - started) / 1000;
    const steadySeconds = (finishedAt - (firstJobAt ?? started)) / 1000;
    await pipeline.stop();
    const rate = jobs / seconds;
    const steadyRate = jobs / steadySeconds;
    const rawAfter = await rawBullRate(redisUrl, jobs);
    const raw = (rawBefore + rawAfter) / 2;
    console.log(`jobs: ${jobs} (${CASES} detections × inference + media), worker concurrency ${CONCURRENCY} per queue`);
    console.log(`raw BullMQ add+process (no-op):            ${raw.toFixed(0)} jobs/s (baseline 1.00×; before ${rawBefore.toFixed(0)}, after ${rawAfter.toFixed(0)})`);
    figure({ bench: 'pipeline', figure: 'jobs', value: steadyRate, unit: 'jobs/s', baseline: raw, target: '>= 0.5x raw' });
    figure({ bench: 'pipeline', figure: 'jobs-with-startup', value: rate, unit: 'jobs/s', baseline: raw });
    console.log(`pipeline event→job→worker→command→event:   ${steadyRate.toFixed(0)} jobs/s from the first job (${(steadyRate / raw).toFixed(2)}× raw; target ≥ 0.50×)`);
    console.log(`  with start-up (from startPipeline):        ${rate.toFixed(0)} jobs/s (${(rate / raw).toFixed(2)}× raw; start-up ${(seconds - steadySeconds).toFixed(2)} s)`);
  } finally {
    await world.close();
  }
}
