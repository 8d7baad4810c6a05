/**
 * Edge node benchmark (docs/edge.md): in one run,
 * 1. the node's own ingest: signed detections with one ~24 KB JPEG each from 8 cameras, multipart over HTTP (autocannon,
 *    16 connections) straight into an API node on the PostgreSQL event store with the sequencer running;
 * 2. the edge's acceptance of the same kind of detections while its link to the node is cut (a TCP proxy in
 *    this process): detections/s answered 202 (durable in the spool), against (1);
 * 3. catch-up: the link is restored and the time until the spool is empty gives detections/s forwarded,
 *    against (1); and the bytes sent per detection.
 * BENCH_EDGE_OUTAGE (default 10000, 300 with --quick) detections during the outage; BENCH_EDGE_NODE_COUNT
 * (default 1000, 150 with --quick) for the node's own ingest.
 *
 * The node and the edge run in one child process (the load generator never shares their event loop); the
 * edge verifies the cameras' tokens with the node's issuer key, handed over in process.
 */
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { figure, load as loadAverage, scaled } from './report.ts';
import { MAX_TOKEN_TTL_SECONDS, TokenVerifier } from '../src/adapters/auth/tokens.ts';
import { canonicalBytes } from '../src/domain/integrity/canonical.ts';
import { sign } from '../src/domain/integrity/ed25519.ts';
import { evidenceDigest } from '../src/domain/integrity/hash.ts';
import { buildDetectionPayload } from '../src/domain/signoff/builders.ts';
import { loadEdgeConfig, startEdge } from '../src/edge/index.ts';
import { generateKeyPair } from '../src/domain/signoff/keys.ts';
import { startApiNode } from '../test/integration/http/support/api-node.ts';
import { HANOI, LOCATIONS, buildHttpWorld, call, carViolation, expectStatus, photo } from '../test/integration/http/support/world.ts';
import { LinkProxy } from '../test/support/link-proxy.ts';

const BOUNDARY = 'tec-edge-bench-4b1d';

interface BenchCamera {
  token: string;
  cameraId: string;
  keyId: string;
  seedHex: string;
}

interface ServerInfo {
  nodeUrl: string;
  edgeUrl: string;
  cameras: BenchCamera[];
}

/** Cameras of the edge's province: catch-up runs one lane per camera hash, so more than one camera. */
const CAMERAS = 8;

interface Body {
  token: string;
  bytes: Buffer;
}

function bodies(cameras: BenchCamera[], base: Buffer, count: number): Body[] {
  const entry = carViolation();
  const out: Body[] = [];
  for (let i = 0; i < count; i++) {
    const camera = cameras[i % cameras.length]!;
    const seed = new Uint8Array(Buffer.from(camera.seedHex, 'hex'));
    // SOI, a COM segment of 16 unique bytes, then the rest: a unique, decodable JPEG per detection.
    const comment = Buffer.alloc(20);
    comment.writeUInt16BE(0xfffe, 0);
    comment.writeUInt16BE(18, 2);
    randomBytes(16).copy(comment, 4);
    const image = Buffer.concat([base.subarray(0, 2), comment, base.subarray(2)]);
    const digest = evidenceDigest(image);
    const detection = buildDetectionPayload({
      detectionId: `edge-bench-${randomBytes(8).toString('hex')}`,
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
    out.push({
      token: camera.token,
      bytes: Buffer.concat([
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="detection"\r\n\r\n${json}\r\n`),
        Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${digest}"; filename="o.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
        image,
        Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
      ]),
    });
  }
  return out;
}

async function post(url: string, list: Body[], connections: number): Promise<{ rps: number; p99: number; non2xx: number; errors: number }> {
  let next = 0;
  const result = await autocannon({
    url,
    connections,
    pipelining: 1,
    amount: list.length,
    requests: [
      {
        method: 'POST',
        path: '/v1/detections/upload',
        setupRequest: (req) => {
          const body = list[next++ % list.length]!;
          return {
            ...req,
            headers: { authorization: `Bearer ${body.token}`, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
            body: body.bytes,
          };
        },
      },
    ],
  });
  return { rps: result.requests.total / result.duration, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function serveForBenchmark(): Promise<void> {
  const upstream = process.env.TEC_EDGE_BENCH_UPSTREAM!;
  const node = await startApiNode('bench_edge', { checkpointIntervalMs: 250 });
  const world = await buildHttpWorld(node);
  const camera = world.cameras[HANOI]!;
  const dir = await mkdtemp(join(tmpdir(), 'tec-edge-bench-'));
  const edgeId = `edge-01-${world.suffix}`;
  // The full run (10,000 detections during the outage) outlasts the default 15-minute token on a loaded
  // machine; the longest lifetime a node accepts is an hour, which covers warm-up, the node's run and the outage.
  const deviceToken = (cameraId: string) =>
    node.issuer.mint({ subject: cameraId, role: 'device', province: HANOI, ttlSeconds: MAX_TOKEN_TTL_SECONDS });
  const edge = await startEdge(
    loadEdgeConfig({ DATA_DIR: dir, PROVINCES: HANOI, UPSTREAM_URL: upstream, EDGE_ID: edgeId, PORT: '0', LOG_LEVEL: 'warn' }),
    { verifier: new TokenVerifier({ issuer: node.issuer.issuer, audience: node.issuer.audience, keys: [node.issuer.publicKey] }) },
  );
  expectStatus(
    await call(node, 'POST', '/v1/admin/cameras', {
      token: world.adminToken,
      body: { cameraId: edgeId, province: HANOI, location: LOCATIONS[HANOI], publicKey: edge.publicKey },
    }),
    201,
    'register the edge',
  );
  const cameras: BenchCamera[] = [
    {
      token: await deviceToken(camera.cameraId),
      cameraId: camera.cameraId,
      keyId: camera.key.keyId,
      seedHex: Buffer.from(camera.key.secretKey.subarray(0, 32)).toString('hex'),
    },
  ];
  for (let i = 1; i < CAMERAS; i++) {
    const key = generateKeyPair();
    const cameraId = `cam-01-${world.suffix}-${i}`;
    expectStatus(
      await call(node, 'POST', '/v1/admin/cameras', {
        token: world.adminToken,
        body: { cameraId, province: HANOI, location: LOCATIONS[HANOI], publicKey: key.publicKey },
      }),
      201,
      'register a camera',
    );
    expectStatus(
      await call(node, 'POST', `/v1/admin/cameras/${cameraId}/calibrations`, {
        token: world.adminToken,
        body: {
          certificateId: `VMI-01-${world.suffix}-${i}`,
          issuer: 'Viện Đo lường Việt Nam',
          validFrom: new Date(Date.now() - 30 * 86_400_000).toISOString(),
          validTo: new Date(Date.now() + 300 * 86_400_000).toISOString(),
        },
      }),
      200,
      'calibrate a camera',
    );
    cameras.push({
      token: await deviceToken(cameraId),
      cameraId,
      keyId: key.keyId,
      seedHex: Buffer.from(key.secretKey.subarray(0, 32)).toString('hex'),
    });
  }
  const info: ServerInfo = { nodeUrl: node.url, edgeUrl: edge.url, cameras };
  process.stdout.write(`${JSON.stringify(info)}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await edge.stop();
  await node.close();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}

if (process.env.TEC_EDGE_BENCH_SERVER === '1') await serveForBenchmark();

interface Status {
  queueDepth: number;
  forwardedTotal: number;
  forwardedBytes: number;
  refused: number;
  spoolEncrypted?: boolean;
  originals?: 'later' | 'now';
  originalsPending?: number;
  reviewCopiesPending?: number;
  originalsSent?: number;
  originalsBytesSent?: number;
  bytesSaved?: number;
}

async function status(edgeUrl: string): Promise<Status> {
  return (await (await fetch(`${edgeUrl}/v1/edge/status`)).json()) as Status;
}

async function drained(edgeUrl: string, timeoutMs: number, originalsToo = false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await status(edgeUrl);
    if (s.queueDepth === 0 && (!originalsToo || (s.originalsPending ?? 0) === 0)) return;
    if (Date.now() > deadline) throw new Error('the edge spool did not drain in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function run(): Promise<void> {
  const outage = scaled(process.env.BENCH_EDGE_OUTAGE, 10_000, 300);
  const nodeCount = scaled(process.env.BENCH_EDGE_NODE_COUNT, 1000, 150);
  const proxy = new LinkProxy(1);
  await proxy.listen();
  proxy.cut();
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, TEC_EDGE_BENCH_SERVER: '1', TEC_EDGE_BENCH_UPSTREAM: `http://127.0.0.1:${proxy.port}` },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  try {
    const info = await new Promise<ServerInfo>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`benchmark server exited with ${code}`)));
      lines.once('line', (line) => resolve(JSON.parse(line) as ServerInfo));
    });
    proxy.targetPort = Number(new URL(info.nodeUrl).port);
    const cameras = info.cameras;
    // A photo-like 1600×1200 overview of about 24 KB (a camera's scene compresses; noise would not, and the
    // edge sends an original as it is when its review copies are not smaller).
    const base = Buffer.from(await photo(1600, 1200));

    // Warm-up of both (JIT, pools; the edge syncs the camera's keys through the link).
    await post(info.nodeUrl, bodies(cameras, base, 50), 8);
    proxy.restore();
    await post(info.edgeUrl, bodies(cameras, base, 50), 8);
    await drained(info.edgeUrl, 120_000, true);

    const direct = await post(info.nodeUrl, bodies(cameras, base, nodeCount), 16);
    const loadAtNode = loadAverage();
    if (direct.non2xx > 0 || direct.errors > 0) throw new Error(`the node refused ${direct.non2xx} (${direct.errors} errors)`);

    proxy.cut();
    const before = await status(info.edgeUrl);
    const outageBodies = bodies(cameras, base, outage);
    const accepted = await post(info.edgeUrl, outageBodies, 16);
    if (accepted.non2xx > 0 || accepted.errors > 0) throw new Error(`the edge refused ${accepted.non2xx} (${accepted.errors} errors)`);
    const loadAtAccept = loadAverage();
    const spooled = await status(info.edgeUrl);
    if (spooled.queueDepth !== outage) throw new Error(`spool holds ${spooled.queueDepth}, expected ${outage}`);

    const t0 = performance.now();
    proxy.restore();
    await drained(info.edgeUrl, 3_600_000);
    const catchUpSeconds = (performance.now() - t0) / 1000;
    const loadAtCatchUp = loadAverage();
    const after = await status(info.edgeUrl);
    // Then the withheld originals, in the background lane once the detection lanes are idle.
    await drained(info.edgeUrl, 3_600_000, true);
    const originalsSeconds = (performance.now() - t0) / 1000 - catchUpSeconds;
    const end = await status(info.edgeUrl);
    if (after.refused > 0) throw new Error(`the node refused ${after.refused} forwarded detections`);
    const catchUp = outage / catchUpSeconds;
    const bytesPerDetection = (after.forwardedBytes - before.forwardedBytes) / Math.max(1, after.forwardedTotal - before.forwardedTotal);
    const requestBytes = outageBodies.reduce((n, b) => n + b.bytes.length, 0) / outage;

    const encrypted = after.spoolEncrypted === true ? 'spool encrypted at rest' : 'spool in plaintext';
    console.log(`${(base.length / 1024).toFixed(0)} KB JPEG per detection, ${CAMERAS} cameras, 16 connections, 4 forwarding lanes, ${encrypted} (load ${loadAverage()}):`);
    console.log(`  node's own ingest:           ${direct.rps.toFixed(0)} detections/s (${nodeCount}), p99 ${direct.p99} ms (load ${loadAtNode} when it ended)`);
    console.log(
      `  edge accepts, link cut:      ${accepted.rps.toFixed(0)} detections/s (${outage}), p99 ${accepted.p99} ms (${(accepted.rps / direct.rps).toFixed(2)}× the node; load ${loadAtAccept} when it ended)`,
    );
    console.log(
      `  catch-up after the outage:   ${catchUp.toFixed(0)} detections/s (${outage} in ${catchUpSeconds.toFixed(1)} s, ${(catchUp / direct.rps).toFixed(2)}× the node's own ingest; load ${loadAtCatchUp} when it ended)`,
    );
    if (after.originals === 'later')
      console.log(
        `  review copies (background):  ${outage - (spooled.reviewCopiesPending ?? 0)} of ${outage} derived by the time the link was restored, the rest during the catch-up`,
      );
    const originalsPerDetection = ((end.originalsBytesSent ?? 0) - (before.originalsBytesSent ?? 0)) / outage;
    const savedPerDetection = ((end.bytesSaved ?? 0) - (before.bytesSaved ?? 0)) / outage;
    console.log(
      `  bytes sent per detection before review: ${bytesPerDetection.toFixed(0)} (EDGE_ORIGINALS=${after.originals ?? 'now'}; everything at once = the camera's request, ${requestBytes.toFixed(0)}: ${(bytesPerDetection / requestBytes).toFixed(2)}×; saved ${savedPerDetection.toFixed(0)})`,
    );
    console.log(
      `  originals afterwards:        ${originalsPerDetection.toFixed(0)} bytes per detection, all ${outage} delivered ${originalsSeconds.toFixed(1)} s after the review copies`,
    );
    figure({ bench: 'edge', figure: 'edge-accept', value: accepted.rps, unit: 'detections/s', baseline: direct.rps });
    figure({ bench: 'edge', figure: 'catch-up', value: catchUp, unit: 'detections/s', baseline: direct.rps });
    figure({ bench: 'edge', figure: 'bytes-per-detection', value: bytesPerDetection, unit: 'bytes', baseline: requestBytes });
  } finally {
    await proxy.close();
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.stdin.end();
    });
  }
}
