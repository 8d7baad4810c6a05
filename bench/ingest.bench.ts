/**
 * Ingest and bundle benchmarks (docs/api.md):
 * 1. Signed detections with one 100 KB image each, multipart over HTTP (autocannon, keep-alive, 32 connections)
 *    into `tec serve --role api --processes N` for N = 1, 2 and 4 (BENCH_INGEST_PROCESSES), on the PostgreSQL
 *    event store and Redis, with the ledger sequencer in its own process (`--role sequencer`), as deployed:
 *    detections/s at full load, then p50/p99 latency at a fixed offered load of 300/s. Baseline in the same run:
 *    a bare express endpoint (in its own process) receiving the same bodies. Targets: ≥ 500 detections/s with 2
 *    processes, ≥ 0.5× bare with 1; p99 < 100 ms at 300/s.
 * 2. Export (`GET /v1/cases/{id}/bundle` path, from the exporter) and `verifyBundle` of a case with 5 images
 *    of 100 KB: ms each (median of 10). Baseline: packaging the same entries into a ZIP. Target < 200 ms each.
 * BENCH_INGEST_COUNT (default 1500, 200 with --quick) sets the full-load request count; BENCH_INGEST_SECONDS
 * (default 8, 2 with --quick) the fixed-load duration; BENCH_INGEST_PROCESSES (default 1,2,4) the configurations;
 * BENCH_INGEST_LOG_LEVEL (default warn) the API's log level; BENCH_CPU_PROFILE_DIR a V8 CPU profile per API process.
 * Beside each throughput: CPU ms per detection of every process tree involved (/proc), which on a shared machine
 * says more than wall-clock rates.
 *
 * Every image is a real JPEG (the route checks that evidence decodes as its declared media type): one noise
 * image of about 100 KB, made unique per request by a COM segment after SOI, so digests differ.
 */
import autocannon from 'autocannon';
import express from 'express';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { figure, load as loadAverage, scaled } from './report.ts';
import { verifyBundle, writeBundleZip, readBundleZip } from '../src/domain/bundle/index.ts';
import { canonicalBytes } from '../src/domain/integrity/canonical.ts';
import { sign } from '../src/domain/integrity/ed25519.ts';
import { evidenceDigest } from '../src/domain/integrity/hash.ts';
import { buildDetectionPayload } from '../src/domain/signoff/builders.ts';
import { DevIssuer, loadExistingSeedFile } from '../src/adapters/auth/tokens.ts';
import { runMigrations } from '../src/adapters/postgres/migrate.ts';
import { startApiNode, type ApiNode } from '../test/integration/http/support/api-node.ts';
import { scratchDatabase } from '../test/support/env.ts';
import {
  HANOI,
  LOCATIONS,
  buildHttpWorld,
  carViolation,
  expectStatus,
  ingest,
  signedDetection,
} from '../test/integration/http/support/world.ts';

const BOUNDARY = 'tec-bench-boundary-7f3a9c';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** A real JPEG of about 100 KB: noise compresses badly (about 0.87 bytes a pixel at quality 90). */
async function noiseJpeg(): Promise<Buffer> {
  const width = 360;
  const height = 320;
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

let baseJpeg: Buffer = Buffer.alloc(0);

/** One multipart body: the signed detection, then its single 100 KB image named by its digest. */
function detectionBodies(
  camera: { cameraId: string; keyId: string },
  seed: Uint8Array,
  count: number,
): Buffer[] {
  const base = baseJpeg;
  const entry = carViolation();
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    // SOI, then a COM segment (FF FE, length 18) holding 16 unique bytes, then the rest of the JPEG.
    const comment = Buffer.alloc(20);
    comment.writeUInt16BE(0xfffe, 0);
    comment.writeUInt16BE(18, 2);
    randomBytes(16).copy(comment, 4);
    const image = Buffer.concat([base.subarray(0, 2), comment, base.subarray(2)]);
    const digest = evidenceDigest(image);
    const detection = buildDetectionPayload({
      detectionId: `bench-${randomBytes(8).toString('hex')}`,
      cameraId: camera.cameraId,
      observedAt: new Date().toISOString(),
      location: LOCATIONS[HANOI]!,
      violationCode: entry.code,
      vehicleClass: 'car',
      plateRead: { text: '30A-123.45', confidenceBp: 9500 },
      evidence: [{ digest, mediaType: 'image/jpeg', size: image.length, role: 'overview' }],
    });
    const signature = Buffer.from(sign(canonicalBytes(detection), seed)).toString('base64');
    const json = JSON.stringify({ detection, signature, keyId: camera.keyId });
    bodies.push(
      Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="detection"\r\n\r\n${json}\r\n`),
        Buffer.from(
          `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${digest}"; filename="overview.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
        ),
        image,
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]),
    );
  }
  return bodies;
}

interface Load {
  url: string;
  token: string;
  bodies: Buffer[];
  connections: number;
  amount?: number;
  rate?: number;
  seconds?: number;
}

async function load(
  options: Load,
): Promise<{ rps: number; p50: number; p99: number; non2xx: number; errors: number; sent: number }> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    ...(options.seconds !== undefined ? { duration: options.seconds } : {}),
    ...(options.rate !== undefined ? { overallRate: options.rate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/v1/detections/upload',
        headers: {
          authorization: `Bearer ${options.token}`,
          'content-type': `multipart/form-data; boundary=${BOUNDARY}`,
        },
        setupRequest: (req) => ({ ...req, body: options.bodies[next++ % options.bodies.length] }),
      },
    ],
  });
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    sent: result.requests.sent,
  };
}

async function bareServer(): Promise<{ url: string; close(): Promise<void> }> {
  const app = express();
  app.post('/v1/detections/upload', (req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => res.status(201).json({ caseId: 'x', created: true, revision: '0' }));
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The bare receiver runs in a child process too, so it never shares an event loop with the load generator. */
async function serveBare(): Promise<void> {
  const bare = await bareServer();
  process.stdout.write(`listening: ${bare.url}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await bare.close();
  process.exit(0);
}

if (process.env.TEC_INGEST_BENCH_SERVER === 'bare') await serveBare();

interface Child {
  child: ChildProcess;
  lines: string[];
  stop(): Promise<void>;
}

/** Starts a child and resolves once `ready(lines)` holds; rejects if it exits first. */
function startChild(args: string[], env: NodeJS.ProcessEnv, ready: (lines: string[]) => boolean, stdin = false): Promise<Child> {
  const child = spawn(process.execPath, args, { env, stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  return new Promise((resolve, reject) => {
    const failed = (code: number | null) => reject(new Error(`${args.join(' ')} exited with ${code}`));
    child.once('exit', failed);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (!ready(lines)) return;
      child.removeListener('exit', failed);
      resolve({
        child,
        lines,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            if (stdin) child.stdin!.end();
            else child.kill('SIGTERM');
          }),
      });
    });
  });
}

const urlOf = (lines: string[]) => lines.find((l) => l.startsWith('listening: '))?.slice('listening: '.length).trim();

/**
 * `tec serve --role api --processes n` on the bench database, Redis and data directory (the ledger sequencer runs
 * beside it in its own process). BENCH_CPU_PROFILE_DIR=<dir> writes a V8 CPU profile of every API process there.
 */
function startApi(env: NodeJS.ProcessEnv, processes: number): Promise<Child> {
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  return startChild([...profile, TEC, 'serve', '--role', 'api', '--processes', String(processes)], env, (lines) => {
    const listening = lines.filter((l) => l.startsWith('api-process: ')).length;
    return urlOf(lines) !== undefined && (processes === 1 || listening >= processes);
  });
}

const TEC = fileURLToPath(new URL('../bin/tec.js', import.meta.url));

/**
 * CPU time (ms) used so far by each process tree rooted at `roots` (the process and every descendant), from
 * /proc (Linux; user + system clock ticks at 100 Hz). The machine is shared, so wall-clock throughput says
 * little; CPU per detection says what a detection costs and what the cores could carry if they were ours.
 */
function treeCpuMs(roots: readonly number[]): number[] {
  const procs: { pid: number; ppid: number; ticks: number }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.push({ pid: Number(name), ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile
    }
  }
  return roots.map((root) => {
    const tree = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of procs) {
        if (!tree.has(p.pid) && tree.has(p.ppid)) {
          tree.add(p.pid);
          grew = true;
        }
      }
    }
    return procs.filter((p) => tree.has(p.pid)).reduce((sum, p) => sum + p.ticks * 10, 0);
  });
}

/** CPU ms so far of each thread of `pid`, summed by thread name (main `node`, `libuv-worker`, V8 and libvips threads). */
function threadCpuMs(pid: number): Map<string, number> {
  const byName = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/[\d-]+$/, '') || 'thread';
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // thread ended meanwhile
    }
  }
  return byName;
}

/** The PostgreSQL server's postmaster (every backend is its child). */
async function postmasterPid(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const stat = readFileSync(`/proc/${rows[0]!.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } finally {
    await client.end();
  }
}

/** Runs `work` and returns its result with the CPU ms each tree and this process (the load generator) used. */
async function withCpu<T>(roots: readonly number[], work: () => Promise<T>): Promise<{ result: T; cpuMs: number[]; clientMs: number }> {
  const before = treeCpuMs(roots);
  const client = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(client);
  const after = treeCpuMs(roots);
  return { result, cpuMs: after.map((v, i) => v - before[i]!), clientMs: (used.user + used.system) / 1000 };
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
}

export async function run(): Promise<void> {
  const count = scaled(process.env.BENCH_INGEST_COUNT, 1500, 200);
  const seconds = scaled(process.env.BENCH_INGEST_SECONDS, 8, 2);
  const processCounts = (process.env.BENCH_INGEST_PROCESSES ?? '1,2,4').split(',').map(Number);
  baseJpeg = await noiseJpeg();

  const db = await scratchDatabase('bench_ingest');
  const dir = await mkdtemp(join(tmpdir(), 'tec-bench-ingest-'));
  const children: Child[] = [];
  try {
    await runMigrations(db.url);
    await mkdir(join(dir, 'keys'), { recursive: true, mode: 0o700 });
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: db.url,
      REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? '',
      DATA_DIR: dir,
      PORT: '0',
      // Request logs at info are part of production; BENCH_INGEST_LOG_LEVEL=info measures them too.
      LOG_LEVEL: process.env.BENCH_INGEST_LOG_LEVEL ?? 'warn',
      OIDC: 'off',
      RATE_LIMIT_PER_MINUTE: '100000000',
      LEDGER_ORIGIN: 'vn-traffic-evidence/bench-node',
    };
    const sequencer = await startChild([TEC, 'serve', '--role', 'sequencer'], env, (lines) => lines.some((l) => l.startsWith('verifier-key: ')));
    children.push(sequencer);
    const bare = await startChild(
      ['--import', 'tsx', fileURLToPath(import.meta.url)],
      { ...process.env, TEC_INGEST_BENCH_SERVER: 'bare' },
      (lines) => urlOf(lines) !== undefined,
      true,
    );
    children.push(bare);
    const bareUrl = urlOf(bare.lines)!;
    const issuer = new DevIssuer(loadExistingSeedFile(join(dir, 'keys', 'issuer.key')), 'tec-dev-issuer', 'tec-api');

    // The same bodies for the bare receiver and the first configuration; fresh ones (new detections) for each other.
    let fullBodies: Buffer[] = [];
    let fixedBodies: Buffer[] = [];
    let bareFull: Measured | undefined;
    let bareFixed: Measured | undefined;
    let bareCpu = 0;
    const postmaster = await postmasterPid(db.url);
    const results: { processes: number; full: Measured; fixed: Measured; loadFull: number; loadFixed: number }[] = [];
    let camera: { cameraId: string; keyId: string; token: string; seed: Uint8Array } | undefined;
    for (const processes of processCounts) {
      const api = await startApi(env, processes);
      children.push(api);
      try {
        const url = urlOf(api.lines)!;
        if (!camera) {
          const world = await buildHttpWorld({ url, token: (role, province, subject) => issuer.mint({ subject, role, province }) });
          const actor = world.cameras[HANOI]!;
          camera = {
            cameraId: actor.cameraId,
            keyId: actor.key.keyId,
            token: await issuer.mint({ subject: actor.cameraId, role: 'device', province: HANOI }),
            seed: new Uint8Array(actor.key.secretKey.subarray(0, 32)),
          };
        }
        const { token, seed } = camera;
        // Warm-up (JIT, pools, first blobs) of every process.
        await load({ url, token, bodies: detectionBodies(camera, seed, 50 * processes), connections: 8, amount: 50 * processes });
        fullBodies = detectionBodies(camera, seed, count);
        fixedBodies = detectionBodies(camera, seed, 300 * seconds + 300);
        if (!bareFull) {
          const bareRun = await withCpu([bare.child.pid!], () => load({ url: bareUrl, token, bodies: fullBodies, connections: 32, amount: count }));
          bareFull = bareRun.result;
          bareCpu = (bareRun.cpuMs[0]! + bareRun.clientMs) / count;
          bareFixed = await load({ url: bareUrl, token, bodies: fixedBodies, connections: 32, rate: 300, seconds });
          console.log(`bare express receiving the same ${count} multipart bodies × ${(baseJpeg.length / 1024).toFixed(0)} KB JPEG, 32 connections (load ${loadAverage()}):`);
          console.log(`  full load ${bareFull.rps.toFixed(0)} req/s; at 300/s offered p50 ${bareFixed.p50} ms, p99 ${bareFixed.p99} ms`);
          console.log(`  CPU per request: ${bareCpu.toFixed(2)} ms (receiver and load generator): at most ${(2000 / bareCpu).toFixed(0)} req/s on 2 idle cores`);
          figure({ bench: 'ingest', figure: 'bare-throughput', value: bareFull.rps, unit: 'requests/s' });
        }
        // One process: where its CPU goes, by thread (the V8 profile sees only the main thread).
        const threadsBefore = processes === 1 ? threadCpuMs(api.child.pid!) : undefined;
        const measured = await withCpu([api.child.pid!, postmaster, sequencer.child.pid!], () =>
          load({ url, token, bodies: fullBodies, connections: 32, amount: count }),
        );
        if (threadsBefore) {
          const after = threadCpuMs(api.child.pid!);
          const parts = [...after].map(([name, ms]) => [name, (ms - (threadsBefore.get(name) ?? 0)) / count] as const).filter(([, ms]) => ms >= 0.05);
          console.log(`  API CPU per detection by thread: ${parts.sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms.toFixed(2)} ms`).join(', ')}`);
        }
        const full = measured.result;
        const [apiMs, pgMs, seqMs] = measured.cpuMs.map((ms) => ms / count) as [number, number, number];
        const clientMs = measured.clientMs / count;
        const cpuPerDetection = apiMs + pgMs + seqMs + clientMs;
        const loadFull = loadAverage();
        if (full.non2xx > 0 || full.errors > 0) throw new Error(`ingest refused ${full.non2xx} requests (${full.errors} errors): the figure would measure refusals`);
        const fixed = await load({ url, token, bodies: fixedBodies, connections: 32, rate: 300, seconds });
        const loadFixed = loadAverage();
        if (fixed.non2xx > 0 || fixed.errors > 0) throw new Error(`ingest refused ${fixed.non2xx} requests (${fixed.errors} errors) at fixed load`);
        results.push({ processes, full, fixed, loadFull, loadFixed });
        const label = `${processes} API process${processes === 1 ? '' : 'es'}`;
        console.log(`tec ingest, ${label} (sequencer in its own process):`);
        console.log(
          `  full load:        ${full.rps.toFixed(0)} detections/s (${(full.rps / bareFull.rps).toFixed(2)}× bare), p50 ${full.p50} ms, p99 ${full.p99} ms (load ${loadFull})  [target ≥ 500/s with 2; ≥ 0.5× bare with 1]`,
        );
        console.log(
          `  CPU per detection: API ${apiMs.toFixed(2)} ms, PostgreSQL ${pgMs.toFixed(2)} ms, sequencer ${seqMs.toFixed(2)} ms, load generator ${clientMs.toFixed(2)} ms = ${cpuPerDetection.toFixed(2)} ms: at most ${(2000 / cpuPerDetection).toFixed(0)} detections/s on 2 idle cores`,
        );
        console.log(
          `  300/s offered:    p50 ${fixed.p50} ms, p99 ${fixed.p99} ms (${fixed.rps.toFixed(0)} detections/s; bare p99 ${bareFixed!.p99} ms) (load ${loadFixed})  [target p99 < 100 ms]`,
        );
        const suffix = `${processes}p`;
        figure({ bench: 'ingest', figure: `throughput-${suffix}`, value: full.rps, unit: 'detections/s', baseline: bareFull.rps, target: processes === 1 ? '>= 0.5x bare' : '>= 500' });
        figure({ bench: 'ingest', figure: `cpu-ms-per-detection-${suffix}`, value: cpuPerDetection, unit: 'ms', baseline: bareCpu });
        figure({ bench: 'ingest', figure: `api-cpu-ms-per-detection-${suffix}`, value: apiMs, unit: 'ms' });
        figure({ bench: 'ingest', figure: `full-load-p99-${suffix}`, value: full.p99, unit: 'ms', baseline: bareFull.p99 });
        figure({ bench: 'ingest', figure: `p99-at-300/s-${suffix}`, value: fixed.p99, unit: 'ms', baseline: bareFixed!.p99, target: '< 100' });
        figure({ bench: 'ingest', figure: `p50-at-300/s-${suffix}`, value: fixed.p50, unit: 'ms', baseline: bareFixed!.p50 });
      } finally {
        await api.stop();
      }
    }
    const one = results.find((r) => r.processes === 1);
    if (one && results.length > 1) {
      for (const r of results.filter((x) => x !== one)) {
        console.log(`  ${r.processes} processes: ${(r.full.rps / one.full.rps).toFixed(2)}× one process`);
      }
    }
  } finally {
    for (const child of children.reverse()) await child.stop();
    await db.drop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }

  const node: ApiNode = await startApiNode('bench_bundle', { checkpointIntervalMs: 50 });
  try {
    const world = await buildHttpWorld(node);
    const camera = world.cameras[HANOI]!;
    // Bundle export and verification: a case with 5 images of 100 KB.
    const images = (await Promise.all(Array.from({ length: 5 }, () => noiseJpeg()))).map((b) => new Uint8Array(b));
    const signed = await signedDetection(camera, { images });
    const created = await ingest(node, camera, signed);
    expectStatus(created, 201);
    const caseId = created.json.caseId as string;
    const caller = { actor: { kind: 'officer' as const, id: 'court:bench' }, province: HANOI };
    const exportMs: number[] = [];
    const verifyMs: number[] = [];
    const zipMs: number[] = [];
    const rounds = scaled(undefined, 10, 3);
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      const bundle = await node.services.bundles.exportCase({
        caseId,
        caller,
        purpose: 'benchmark export',
        sealWaitMs: 10_000,
      });
      exportMs.push(performance.now() - t0);
      const entries = await readBundleZip(bundle.bytes);
      const t1 = performance.now();
      const report = verifyBundle(entries, { trustedKey: node.ledger.verifierKey() });
      verifyMs.push(performance.now() - t1);
      if (!report.valid) throw new Error('benchmark bundle does not verify');
      const t2 = performance.now();
      await writeBundleZip(entries);
      zipMs.push(performance.now() - t2);
    }
    const zip = median(zipMs);
    console.log(
      `bundle of a case with 5 × 100 KB images (load ${loadAverage()}, median of ${rounds}; each export waits for its own custody record to be sealed):`,
    );
    console.log(`  baseline, ZIP packaging only: ${zip.toFixed(1)} ms`);
    console.log(
      `  export:  ${median(exportMs).toFixed(1)} ms (${(median(exportMs) / zip).toFixed(1)}× ZIP)  [target < 200 ms]`,
    );
    console.log(
      `  verify:  ${median(verifyMs).toFixed(1)} ms (${(median(verifyMs) / zip).toFixed(1)}× ZIP)  [target < 200 ms]`,
    );
    figure({ bench: 'ingest', figure: 'bundle-export', value: median(exportMs), unit: 'ms', baseline: zip, target: '< 200' });
    figure({ bench: 'ingest', figure: 'bundle-verify', value: median(verifyMs), unit: 'ms', baseline: zip, target: '< 200' });
  } finally {
    await node.close();
  }
}
