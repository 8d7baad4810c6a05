/**
 * The ingest hot path (issue 15): per request the detection signature is verified once, the camera stream is
 * read once (from a cache keyed by its head revision) and the case stream in one round trip; the camera cache
 * is never stale across a key rotation or revocation.
 */
import { expect } from 'chai';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { randomBytes } from 'node:crypto';
import { canonicalBytes } from '../../../src/domain/integrity/canonical.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';
import { streams } from '../../../src/domain/record.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  LOCATIONS,
  buildHttpWorld,
  call,
  expectStatus,
  ingest,
  signedDetection,
  type CameraActor,
  type HttpWorld,
} from './support/world.ts';

const require = createRequire(import.meta.url);
type VerifyFn = (...args: unknown[]) => boolean;

/** Counts node:crypto `verify` calls over exactly `message` while `body` runs. */
async function countVerificationsOf(message: Uint8Array, body: () => Promise<void>): Promise<number> {
  const crypto = require('node:crypto') as { verify: VerifyFn };
  const original = crypto.verify;
  let count = 0;
  crypto.verify = (...args: unknown[]) => {
    const data = args[1];
    if (data instanceof Uint8Array && Buffer.compare(Buffer.from(data), Buffer.from(message)) === 0) count++;
    return original(...args);
  };
  syncBuiltinESMExports();
  try {
    await body();
  } finally {
    crypto.verify = original;
    syncBuiltinESMExports();
  }
  return count;
}

describe('HTTP ingest hot path', function () {
  let node: ApiNode;
  let world: HttpWorld;

  before(async function () {
    node = await startApiNode('http_ingest_hot');
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  it('verifies the detection signature once per request (the decider trusts the route’s proof)', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const verifications = await countVerificationsOf(canonicalBytes(signed.detection), async () => {
      expectStatus(await ingest(node, camera, signed), 201);
    });
    expect(verifications).to.equal(1);
  });

  it('reads the camera stream once and the new case stream in one round trip', async () => {
    const camera = world.cameras[HANOI]!;
    // Warm the camera cache: a later request reads only the camera stream's head.
    expectStatus(await ingest(node, camera, await signedDetection(camera)), 201);
    const signed = await signedDetection(camera);
    const pool = node.store.pool as unknown as { query: (...args: unknown[]) => unknown };
    const original = pool.query;
    const streamReads: string[] = [];
    pool.query = function (this: unknown, ...args: unknown[]) {
      const first = args[0];
      const text = typeof first === 'string' ? first : (first as { text?: string } | undefined)?.text;
      const values = (typeof first === 'string' ? args[1] : (first as { values?: unknown[] })?.values) as
        | unknown[]
        | undefined;
      if (text !== undefined && /WHERE stream = \$1/.test(text)) streamReads.push(String(values?.[0]));
      return original.apply(this, args);
    };
    try {
      expectStatus(await ingest(node, camera, signed), 201);
    } finally {
      pool.query = original;
    }
    const caseStream = streams.case(`${signed.detection.detectionId}`);
    expect(streamReads.filter((s) => s === streams.camera(camera.cameraId))).to.have.length(1);
    expect(streamReads.filter((s) => s !== streams.camera(camera.cameraId))).to.have.length(1);
    expect(streamReads.some((s) => s.startsWith('case-'))).to.equal(true, `case stream read: ${caseStream}`);
  });

  it('answers the camera path without browser security headers, with the JSON answer written directly', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const reply = await ingest(node, camera, signed);
    expectStatus(reply, 201);
    expect(reply.headers.get('content-security-policy')).to.equal(null);
    expect(reply.headers.get('content-type')).to.match(/^application\/json/);
    expect(reply.headers.get('location')).to.equal(`/v1/cases/${String(reply.json.caseId)}`);
    expect(reply.headers.get('x-request-id')).to.be.a('string');
    expect(Object.keys(reply.json).sort()).to.deep.equal(['caseId', 'created', 'revision']);
    expect(reply.json.created).to.equal(true);
    expect(reply.json.revision).to.match(/^\d+$/);
    // Browser-facing routes keep them.
    const health = await call(node, 'GET', '/healthz');
    expect(health.headers.get('content-security-policy')).to.be.a('string');
    const again = await ingest(node, camera, signed);
    expectStatus(again, 200);
    expect(again.json.created).to.equal(false);
  });

  describe('camera key state is never stale', function () {
    let camera: CameraActor;

    beforeEach(async function () {
      const key = generateKeyPair();
      const cameraId = `cam-hot-${randomBytes(4).toString('hex')}`;
      expectStatus(
        await call(node, 'POST', '/v1/admin/cameras', {
          token: world.adminToken,
          body: { cameraId, province: HANOI, location: LOCATIONS[HANOI], publicKey: key.publicKey },
        }),
        201,
      );
      camera = { cameraId, province: HANOI, key, token: await node.token('device', HANOI, cameraId) };
      // Cached now.
      expectStatus(await ingest(node, camera, await signedDetection(camera)), 201);
    });

    it('a revoked key is refused on the very next request', async () => {
      expectStatus(
        await call(node, 'POST', `/v1/admin/cameras/${camera.cameraId}/keys/${camera.key.keyId}/revoke`, {
          token: world.adminToken,
          body: { reason: 'key leaked' },
        }),
        200,
      );
      const reply = await ingest(node, camera, await signedDetection(camera));
      expectStatus(reply, 401);
      expect(reply.json.type).to.match(/detection-signature-invalid$/);
    });

    it('after a rotation the old key is refused and the new key accepted on the very next requests', async () => {
      const next = generateKeyPair();
      expectStatus(
        await call(node, 'POST', `/v1/admin/cameras/${camera.cameraId}/keys`, {
          token: world.adminToken,
          body: { publicKey: next.publicKey },
        }),
        200,
      );
      const observedAt = new Date(Date.now() + 1000).toISOString();
      const old = await ingest(node, camera, await signedDetection(camera, { observedAt }));
      expectStatus(old, 401);
      expect(old.json.type).to.match(/detection-signature-invalid$/);
      const rotated = { ...camera, key: next };
      expectStatus(await ingest(node, rotated, await signedDetection(rotated, { observedAt })), 201);
    });
  });
});
