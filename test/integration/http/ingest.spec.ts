/**
 * Ingest over HTTP: signed detections with evidence (multipart, or blobs uploaded before), replays, forgeries,
 * and the promise that a refused request leaves no blob or record behind that a later request could be
 * confused by.
 */
import { expect } from 'chai';
import { caseIdForDetection } from '../../../src/domain/ids.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { streams } from '../../../src/domain/record.ts';
import { signDetection } from '../../../src/domain/signoff/signing.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';
import { startApiNode, type ApiNode } from './support/api-node.ts';
import {
  HANOI,
  SAIGON,
  buildHttpWorld,
  call,
  expectStatus,
  ingest,
  jpeg,
  multipartBody,
  signedDetection,
  type HttpWorld,
} from './support/world.ts';

async function caseExists(node: ApiNode, caseId: string): Promise<boolean> {
  try {
    return (await node.store.readStream(streams.case(caseId))).length > 0;
  } catch {
    return false;
  }
}

describe('HTTP ingest', function () {
  let node: ApiNode;
  let world: HttpWorld;

  before(async function () {
    node = await startApiNode('http_ingest');
    world = await buildHttpWorld(node);
  });
  after(async () => node?.close());

  it('multipart: stores the evidence hashed on the way and creates the case (201), a replay answers 200 with the same case', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const first = await ingest(node, camera, signed);
    expectStatus(first, 201);
    expect(first.json.caseId).to.equal(caseIdForDetection(signed.detection.detectionId));
    expect(first.headers.get('location')).to.equal(`/v1/cases/${first.json.caseId}`);
    for (const bytes of signed.images) expect(await node.evidence.has(evidenceDigest(bytes))).to.equal(true);
    const replay = await ingest(node, camera, signed);
    expectStatus(replay, 200);
    expect(replay.json).to.deep.include({ caseId: first.json.caseId, created: false });
    const records = await node.store.readStream(streams.case(first.json.caseId));
    expect(records.map((r) => r.record.type)).to.deep.equal(['ViolationDetected']);
  });

  it('accepts detection/v2 (plate colour) and detection/v1 alike; a v2 member under the v1 purpose is 400 and stores nothing', async () => {
    const camera = world.cameras[HANOI]!;
    const v2 = await signedDetection(camera, { plateColour: 'yellow' });
    const created = await ingest(node, camera, v2);
    expectStatus(created, 201);
    const [detected] = await node.store.readStream(streams.case(created.json.caseId));
    expect(detected!.record.data.detection).to.deep.include({ purpose: 'detection/v2', plateColour: 'yellow' });

    const v1 = await signedDetection(camera);
    const mislabelled = { ...v1.detection, plateColour: 'white' } as unknown as typeof v1.detection;
    const signed = { ...signDetection(mislabelled, camera.key.secretKey), images: v1.images };
    const refused = await ingest(node, camera, signed);
    expectStatus(refused, 400);
    expect(await caseExists(node, caseIdForDetection(v1.detection.detectionId))).to.equal(false);
  });

  it('blobs first (PUT /v1/evidence), then the signed detection as JSON', async () => {
    const camera = world.cameras[SAIGON]!;
    const signed = await signedDetection(camera);
    for (const bytes of signed.images) {
      const put = await call(node, 'PUT', '/v1/evidence', {
        token: camera.token,
        raw: bytes,
        headers: { 'content-type': 'image/jpeg', 'x-evidence-digest': evidenceDigest(bytes) },
      });
      expectStatus(put, 201);
      expect(put.json).to.deep.equal({ digest: evidenceDigest(bytes), size: bytes.length, created: true });
    }
    const again = await call(node, 'PUT', '/v1/evidence', {
      token: camera.token,
      raw: signed.images[0]!,
      headers: { 'content-type': 'image/jpeg' },
    });
    expectStatus(again, 200);
    const posted = await call(node, 'POST', '/v1/detections', {
      token: camera.token,
      body: { detection: signed.detection, signature: signed.signature, keyId: signed.keyId },
    });
    expectStatus(posted, 201);
    const replay = await call(node, 'POST', '/v1/detections', {
      token: camera.token,
      body: { detection: signed.detection, signature: signed.signature, keyId: signed.keyId },
    });
    expectStatus(replay, 200);
  });

  it('a forged detection (signed by another key) is refused with 401 and stores no blob and no record', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const forged = {
      ...signDetection(signed.detection, generateKeyPair().secretKey),
      images: signed.images,
      keyId: signed.keyId,
    };
    const reply = await ingest(node, camera, forged);
    expectStatus(reply, 401);
    expect(reply.json.type).to.match(/detection-signature-invalid$/);
    for (const bytes of signed.images) expect(await node.evidence.has(evidenceDigest(bytes))).to.equal(false);
    expect(await caseExists(node, caseIdForDetection(signed.detection.detectionId))).to.equal(false);
    // The genuine detection still goes through afterwards: nothing left behind confuses it.
    expectStatus(await ingest(node, camera, signed), 201);
  });

  it('a replay with changes is refused: altered content without a new signature is 401, a re-signed different detection under the same id is 409', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    expectStatus(await ingest(node, camera, signed), 201);
    const altered = {
      ...signed,
      detection: {
        ...signed.detection,
        violationCode: signed.detection.violationCode,
        location: { ...signed.detection.location, description: 'elsewhere' },
      },
    };
    expectStatus(await ingest(node, camera, altered), 401);
    const other = await signedDetection(camera, {
      detectionId: signed.detection.detectionId,
      plate: '30A-999.99',
    });
    const conflict = await ingest(node, camera, other);
    expectStatus(conflict, 409);
    for (const bytes of other.images)
      expect(await node.evidence.has(evidenceDigest(bytes))).to.equal(
        true,
        'authentic bytes may stay: content-addressed',
      );
    const records = await node.store.readStream(
      streams.case(caseIdForDetection(signed.detection.detectionId)),
    );
    expect(records).to.have.length(1);
    expect(
      (records[0]!.record.data as { detection: { plateRead: { text: string } } }).detection.plateRead.text,
    ).to.equal('30A-123.45');
  });

  it('a device may only submit its own camera’s detections (403), and other roles may not ingest at all (403)', async () => {
    const signed = await signedDetection(world.cameras[HANOI]!);
    expectStatus(await ingest(node, world.cameras[SAIGON]!, signed), 403);
    const officer = world.officers[HANOI]!;
    const reply = await call(node, 'POST', '/v1/detections/upload', {
      token: officer.token,
      raw: multipartBody(signed, signed.images),
    });
    expectStatus(reply, 403);
    expectStatus(
      await call(node, 'POST', '/v1/detections/upload', { raw: multipartBody(signed, signed.images) }),
      401,
    );
  });

  it('evidence that does not match the signed digest is not stored, and a detection naming unknown blobs is 400', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const swapped = await jpeg(64, 64);
    const reply = await call(node, 'POST', '/v1/detections/upload', {
      token: camera.token,
      raw: multipartBody(
        signed,
        [swapped, signed.images[1]!],
        signed.detection.evidence.map((e) => e.digest),
      ),
    });
    expectStatus(reply, 400);
    expect(reply.json.type).to.match(/evidence-digest-mismatch$/);
    expect(await node.evidence.has(evidenceDigest(swapped))).to.equal(false);
    const missing = await call(node, 'POST', '/v1/detections', {
      token: camera.token,
      body: { detection: signed.detection, signature: signed.signature, keyId: signed.keyId },
    });
    expectStatus(missing, 400);
    expect(missing.json.type).to.match(/evidence-missing$/);
    expect(await caseExists(node, caseIdForDetection(signed.detection.detectionId))).to.equal(false);
  });

  it('uploads above the size limit are refused with 413 and nothing is stored', async () => {
    const camera = world.cameras[HANOI]!;
    const big = new Uint8Array(4 * 1024 * 1024 + 10).fill(7);
    const reply = await call(node, 'PUT', '/v1/evidence', {
      token: camera.token,
      raw: big,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expectStatus(reply, 413);
    expect(await node.evidence.has(evidenceDigest(big))).to.equal(false);
  });

  it('hostile multipart bodies get typed 400s: files before the detection, unknown part names, no detection', async () => {
    const camera = world.cameras[HANOI]!;
    const signed = await signedDetection(camera);
    const filesFirst = new FormData();
    filesFirst.append(evidenceDigest(signed.images[0]!), new Blob([new Uint8Array(signed.images[0]!)]), 'a.jpg');
    filesFirst.append(
      'detection',
      JSON.stringify({ detection: signed.detection, signature: signed.signature, keyId: signed.keyId }),
    );
    const r1 = await call(node, 'POST', '/v1/detections/upload', { token: camera.token, raw: filesFirst });
    expectStatus(r1, 400);
    const unknown = await call(node, 'POST', '/v1/detections/upload', {
      token: camera.token,
      raw: multipartBody(signed, signed.images, ['../../etc/passwd', 'x']),
    });
    expectStatus(unknown, 400);
    const empty = new FormData();
    empty.append('other', 'x');
    expectStatus(await call(node, 'POST', '/v1/detections/upload', { token: camera.token, raw: empty }), 400);
    expectStatus(
      await call(node, 'POST', '/v1/detections/upload', {
        token: camera.token,
        raw: 'not multipart',
        headers: { 'content-type': 'text/plain' },
      }),
      400,
    );
    for (const bytes of signed.images) expect(await node.evidence.has(evidenceDigest(bytes))).to.equal(false);
  });
});
