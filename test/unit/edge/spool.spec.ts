/**
 * The edge node's spool (src/adapters/edge/spool.ts) and its signed receipt (src/domain/signoff/edge-receipt.ts):
 * entries survive a reopen in sequence order, sequence numbers never repeat, the quota refuses with a 503
 * problem before anything is written, a blob shared by two entries outlives the first one's forwarding, a
 * refused entry is kept with the node's answer, and a receipt verifies only for its own detection.
 */
import { expect } from 'chai';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool, SpoolFullError, type SpoolEntry } from '../../../src/adapters/edge/spool.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { buildDetectionPayload, signDetection } from '../../../src/domain/signoff/index.ts';
import { buildEdgeReceipt, signEdgeReceipt, verifyEdgeReceipt } from '../../../src/domain/signoff/edge-receipt.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';
import { statusFor } from '../../../src/adapters/http/problem.ts';

const camera = generateKeyPair();
const edge = generateKeyPair();

function detectionWith(blobs: Uint8Array[], id: string) {
  const detection = buildDetectionPayload({
    detectionId: id,
    cameraId: 'cam-01-unit',
    observedAt: '2026-12-06T10:00:00.000Z',
    location: { latMicro: 21028500, lonMicro: 105854200, description: 'Hà Nội', roadType: 'urban' },
    violationCode: 'x',
    vehicleClass: 'car',
    evidence: blobs.map((b) => ({ digest: evidenceDigest(b), mediaType: 'image/jpeg', size: b.length, role: 'overview' })),
  });
  return signDetection(detection, camera.secretKey);
}

function entryFor(spool: Spool, blobs: Uint8Array[], id: string): Promise<SpoolEntry> {
  const signed = detectionWith(blobs, id);
  spool.pin(signed.detection.evidence);
  return spool.appendNext(signed.detection.cameraId, (sequence) => ({
    sequence,
    receivedAt: '2026-12-06T10:00:01.000Z',
    body: signed,
    receipt: signEdgeReceipt(
      buildEdgeReceipt({ edgeId: 'edge-01-unit', detection: signed.detection, cameraSignature: signed.signature, receivedAt: '2026-12-06T10:00:01.000Z', sequence }),
      edge.secretKey,
    ),
  }));
}

describe('edge spool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps entries across a reopen, in order, and never reuses a sequence number', async () => {
    const a = new Uint8Array([1, 2, 3]);
    let spool = await Spool.open(dir, { quotaBytes: 1_000_000 });
    await spool.blobs.put(a);
    await entryFor(spool, [a], 'det-1');
    await entryFor(spool, [a], 'det-2');
    await entryFor(spool, [a], 'det-3');
    await spool.forwarded(2);
    spool = await Spool.open(dir, { quotaBytes: 1_000_000 });
    expect(spool.entries().map((e) => e.body.detection.detectionId)).to.deep.equal(['det-1', 'det-2']);
    expect(spool.stats().nextSequence).to.equal(3);
  });

  it('refuses past the quota with a 503 problem carrying Retry-After, before writing', async () => {
    const spool = await Spool.open(dir, { quotaBytes: 100 });
    expect(() => spool.requireRoom(101)).to.throw(SpoolFullError);
    try {
      spool.requireRoom(101);
    } catch (error) {
      expect(statusFor((error as SpoolFullError).category)).to.equal(503);
      expect((error as SpoolFullError).retryAfterSeconds).to.be.greaterThan(0);
    }
    expect(spool.alarmed()).to.equal(false);
  });

  it('keeps a blob another pending entry names when the first is forwarded, and removes it after the last', async () => {
    const shared = new Uint8Array([9, 9, 9, 9]);
    const spool = await Spool.open(dir, { quotaBytes: 1_000_000 });
    await spool.blobs.put(shared);
    const first = await entryFor(spool, [shared], 'det-a');
    const second = await entryFor(spool, [shared], 'det-b');
    await spool.forwarded(first.sequence);
    expect(await spool.blobs.has(evidenceDigest(shared))).to.equal(true);
    await spool.forwarded(second.sequence);
    expect(await spool.blobs.has(evidenceDigest(shared))).to.equal(false);
    expect(spool.stats().depth).to.equal(0);
  });

  it('moves a refused entry to refused/ with the node\'s problem, keeping its blobs', async () => {
    const blob = new Uint8Array([7, 7]);
    const spool = await Spool.open(dir, { quotaBytes: 1_000_000 });
    await spool.blobs.put(blob);
    const entry = await entryFor(spool, [blob], 'det-r');
    await spool.refused(entry.sequence, { type: 'x/detection-signature-invalid' });
    expect(await readdir(join(dir, 'refused'))).to.have.length(2);
    expect(await spool.blobs.has(evidenceDigest(blob))).to.equal(true);
    expect((await Spool.open(dir, { quotaBytes: 1_000_000 })).stats().refused).to.equal(1);
  });

  it('signs a receipt that verifies for its detection only', async () => {
    const blob = new Uint8Array([5]);
    const spool = await Spool.open(dir, { quotaBytes: 1_000_000 });
    await spool.blobs.put(blob);
    const entry = await entryFor(spool, [blob], 'det-s');
    expect(verifyEdgeReceipt(entry.receipt, entry.body.detection, entry.body.signature, edge.publicKey)).to.equal(true);
    const other = detectionWith([blob], 'det-other');
    expect(verifyEdgeReceipt(entry.receipt, other.detection, other.signature, edge.publicKey)).to.equal(false);
    expect(verifyEdgeReceipt(entry.receipt, entry.body.detection, entry.body.signature, camera.publicKey)).to.equal(false);
  });
});
