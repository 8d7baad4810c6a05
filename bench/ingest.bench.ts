/**
 * Ingest and bundle benchmarks (docs/api.md):
 * 1. Signed detections with one 100 KB image each, multipart over HTTP (autocannon, keep-alive) into a real API
 *    node on the PostgreSQL event store with the ledger sequencer running: detections/s at full load, then
 *    p50/p99 latency at a fixed offered load of 300/s. Baseline in the same run: a bare express endpoint that
 *    only receives the same bodies. Targets: ≥ 500 detections/s; p99 < 100 ms at 300/s.
 * 2. Export (`GET /v1/cases/{id}/bundle` path, from the exporter) and `verifyBundle` of a case with 5 images
 *    of 100 KB: ms each (median of 10). Baseline: packaging the same entries into a ZIP. Target < 200 ms each.
 * BENCH_INGEST_COUNT (default 1500, 200 with --quick) sets the full-load request count; BENCH_INGEST_SECONDS
 * (default 8, 2 with --quick) the fixed-load duration.
 *
 * Every image is a real JPEG (the route checks that evidence decodes as its declared media type): one noise
 * image of about 100 KB, made unique per request by a COM segment after SOI, so digests differ.
 */
import autocannon from 'autocannon';
import express from 'express';
import { spawn } from 'node:child_process';
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
import { startApiNode, type ApiNode } from '../test/integration/http/support/api-node.ts';
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

interface ServerInfo {
  url: string;
  bareUrl: string;
  token: string;
  cameraId: string;
  keyId: string;
  seedHex: string;
}

/**
 * The servers run in a child process, so the load generator (autocannon) never shares an event loop with
 * the API it measures. The child prints one JSON line with what the parent needs, and stops when stdin closes.
 */
async function serveForBenchmark(): Promise<void> {
  const node = await startApiNode('bench_ingest', { checkpointIntervalMs: 250 });
  const bare = await bareServer();
  const world = await buildHttpWorld(node);
  const camera = world.cameras[HANOI]!;
  const info: ServerInfo = {
    url: node.url,
    bareUrl: bare.url,
    token: await node.token('device', HANOI, camera.cameraId),
    cameraId: camera.cameraId,
    keyId: camera.key.keyId,
    seedHex: Buffer.from(camera.key.secretKey.subarray(0, 32)).toString('hex'),
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await bare.close();
  await node.close();
  process.exit(0);
}

async function startServers(): Promise<{ info: ServerInfo; stop(): Promise<void> }> {
  // BENCH_CPU_PROFILE_DIR=<dir> writes a V8 CPU profile of the server process there (for finding hot spots).
  const profile = process.env.BENCH_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, TEC_INGEST_BENCH_SERVER: '1' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const info = await new Promise<ServerInfo>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`benchmark server exited with ${code}`)));
    lines.once('line', (line) => resolve(JSON.parse(line) as ServerInfo));
  });
  return {
    info,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

if (process.env.TEC_INGEST_BENCH_SERVER === '1') await serveForBenchmark();

export async function run(): Promise<void> {
  const count = scaled(process.env.BENCH_INGEST_COUNT, 1500, 200);
  const seconds = scaled(process.env.BENCH_INGEST_SECONDS, 8, 2);
  baseJpeg = await noiseJpeg();
  const servers = await startServers();
  try {
    const { info } = servers;
    const camera = { cameraId: info.cameraId, keyId: info.keyId };
    const seed = new Uint8Array(Buffer.from(info.seedHex, 'hex'));
    const token = info.token;

    // Warm-up (JIT, pools, first blobs).
    await load({
      url: info.url,
      token,
      bodies: detectionBodies(camera, seed, 100),
      connections: 8,
      amount: 100,
    });

    const fullBodies = detectionBodies(camera, seed, count);
    const bareFull = await load({
      url: info.bareUrl,
      token,
      bodies: fullBodies,
      connections: 32,
      amount: count,
    });
    const full = await load({ url: info.url, token, bodies: fullBodies, connections: 32, amount: count });
    console.log(`full load, ${count} detections × ${(baseJpeg.length / 1024).toFixed(0)} KB JPEG, 32 connections (load ${loadAverage()}):`);
    console.log(`  bare express receive: ${bareFull.rps.toFixed(0)} req/s`);
    console.log(
      `  tec ingest:           ${full.rps.toFixed(0)} detections/s (${(full.rps / bareFull.rps).toFixed(2)}× bare), p50 ${full.p50} ms, p99 ${full.p99} ms, non-2xx ${full.non2xx}, errors ${full.errors}  [target ≥ 500/s]`,
    );
    if (full.non2xx > 0 || full.errors > 0) throw new Error(`ingest refused ${full.non2xx} requests (${full.errors} errors): the figure would measure refusals`);
    figure({ bench: 'ingest', figure: 'throughput', value: full.rps, unit: 'detections/s', baseline: bareFull.rps, target: '>= 500' });
    figure({ bench: 'ingest', figure: 'full-load-p99', value: full.p99, unit: 'ms', baseline: bareFull.p99 });

    const fixedBodies = detectionBodies(camera, seed, 300 * seconds + 300);
    const bareFixed = await load({
      url: info.bareUrl,
      token,
      bodies: fixedBodies,
      connections: 32,
      rate: 300,
      seconds,
    });
    const fixed = await load({
      url: info.url,
      token,
      bodies: fixedBodies,
      connections: 32,
      rate: 300,
      seconds,
    });
    console.log(`fixed offered load 300/s for ${seconds} s (load ${loadAverage()}):`);
    console.log(
      `  bare express receive: p50 ${bareFixed.p50} ms, p99 ${bareFixed.p99} ms (${bareFixed.rps.toFixed(0)} req/s)`,
    );
    console.log(
      `  tec ingest:           p50 ${fixed.p50} ms, p99 ${fixed.p99} ms (${fixed.rps.toFixed(0)} detections/s, p99 ${(fixed.p99 / Math.max(bareFixed.p99, 1)).toFixed(1)}× bare), non-2xx ${fixed.non2xx}, errors ${fixed.errors}  [target p99 < 100 ms]`,
    );
    if (fixed.non2xx > 0 || fixed.errors > 0) throw new Error(`ingest refused ${fixed.non2xx} requests (${fixed.errors} errors) at fixed load`);
    figure({ bench: 'ingest', figure: 'p99-at-300/s', value: fixed.p99, unit: 'ms', baseline: bareFixed.p99, target: '< 100' });
    figure({ bench: 'ingest', figure: 'p50-at-300/s', value: fixed.p50, unit: 'ms', baseline: bareFixed.p50 });
  } finally {
    await servers.stop();
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
