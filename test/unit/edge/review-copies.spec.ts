/**
 * Originals later off the acceptance path (docs/edge.md, "Bandwidth"): an accepted entry carries no review
 * copies; the background derivation (review-copies.ts) stores them and writes the entry's review record
 * before its first relay, and that record, not a second derivation, is what every later relay sends: across
 * a reopen, a crash before the record (derived again, byte-identical), a tampered record, a refusal.
 */
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import sharp from 'sharp';
import { deriveForReview } from '../../../src/adapters/edge/derive.ts';
import { ReviewCopies } from '../../../src/adapters/edge/review-copies.ts';
import { Spool, spoolKeys, type SpoolEntry } from '../../../src/adapters/edge/spool.ts';
import { hasMagic } from '../../../src/adapters/evidence/envelope.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { buildDetectionPayload, signDetection } from '../../../src/domain/signoff/index.ts';
import { buildEdgeReceipt, signEdgeReceipt } from '../../../src/domain/signoff/edge-receipt.ts';
import { verifyEdgeWithheld, withheldMismatch } from '../../../src/domain/signoff/edge-withheld.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';
import type { KeyEncryptionKeys } from '../../../src/ports/key-encryption.ts';

const camera = generateKeyPair();
const edgeKey = generateKeyPair();
const edge = { edgeId: 'edge-01-unit', secretKey: edgeKey.secretKey };
const RECEIVED = '2026-12-06T10:00:01.000Z';
const logger = pino({ level: 'silent' });

/** A photo-like scene (noise over a gradient): its 640-px copy and crop are smaller than it. */
async function scene(width: number, height: number, seed: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 3);
  let state = seed;
  for (let i = 0; i < pixels.length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    pixels[i] = (((i / 3) % width) * 200) / width + (state % 40);
  }
  return new Uint8Array(await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer());
}

async function flat(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: '#9ab' } }).jpeg({ quality: 90 }).toBuffer());
}

/** What the acceptance path now writes: the detection and its receipt, nothing derived. */
async function accept(spool: Spool, images: Uint8Array[], id = 'det-1'): Promise<SpoolEntry> {
  const detection = buildDetectionPayload({
    detectionId: id,
    cameraId: 'cam-01-unit',
    observedAt: '2026-12-06T10:00:00.000Z',
    location: { latMicro: 21028500, lonMicro: 105854200, description: 'Hà Nội', roadType: 'urban' },
    violationCode: 'x',
    vehicleClass: 'car',
    evidence: images.map((b, i) => ({ digest: evidenceDigest(b), mediaType: 'image/jpeg', size: b.length, role: i === 0 ? 'overview' : 'plate' })),
  });
  const body = signDetection(detection, camera.secretKey);
  spool.pin(detection.evidence);
  for (const image of images) await spool.blobs.put(image);
  return spool.appendNext(detection.cameraId, (sequence) => ({
    sequence,
    receivedAt: RECEIVED,
    body,
    receipt: signEdgeReceipt(
      buildEdgeReceipt({ edgeId: edge.edgeId, detection, cameraSignature: body.signature, receivedAt: RECEIVED, sequence }),
      edge.secretKey,
    ),
  }));
}

describe('edge review copies off the acceptance path', function () {
  this.timeout(60_000);
  let dir: string;
  let spoolDir: string;
  let keys: KeyEncryptionKeys;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-review-copies-'));
    spoolDir = join(dir, 'spool');
    keys = await spoolKeys(spoolDir, join(dir, 'kek.key'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));
  const open = () => Spool.open(spoolDir, { quotaBytes: 100_000_000, encryption: keys });

  it('records the copies (encrypted, signed, bound to the receipt) before the relay; a reopen relays the same ones', async () => {
    let spool = await open();
    const overview = await scene(1600, 1200, 7);
    const plate = await flat(200, 100);
    const entry = await accept(spool, [overview, plate]);
    expect(entry.withheld, 'nothing derived on acceptance').to.equal(undefined);
    expect(spool.reviewSettled(entry)).to.equal(false);

    const copies = new ReviewCopies(spool, edge, { logger });
    await copies.settle(entry);
    expect(spool.reviewSettled(entry)).to.equal(true);
    const withheld = entry.withheld!;
    expect(withheld.withheld.originals).to.deep.equal([evidenceDigest(overview)]);
    expect(withheld.withheld.derived.map((d) => d.kind)).to.deep.equal(['plate-crop', 'thumbnail']);
    expect(verifyEdgeWithheld(withheld, edgeKey.publicKey)).to.equal(true);
    expect(withheldMismatch(withheld.withheld, entry.body.detection, edge.edgeId, entry.receivedAt)).to.equal(undefined);
    for (const d of withheld.withheld.derived) expect(await spool.blobs.has(d.digest)).to.equal(true);
    const files = await readdir(join(spoolDir, 'review'));
    expect(files).to.deep.equal(['0000000000000000.review.json']);
    expect(hasMagic(await readFile(join(spoolDir, 'review', files[0]!))), 'the record is encrypted').to.equal(true);

    spool = await open();
    const [reopened] = spool.entries();
    expect(reopened!.withheld).to.deep.equal(withheld);
    expect(spool.reviewSettled(reopened!)).to.equal(true);
    expect(spool.stats().orphanBlobs, 'the copies are named by the entry').to.equal(0);
    const again = new ReviewCopies(spool, edge, { logger });
    await again.settle(reopened!);
    expect(again.recorded, 'not derived a second time').to.equal(0);

    await spool.forwarded(reopened!.sequence);
    expect(await readdir(join(spoolDir, 'review'))).to.deep.equal([]);
    for (const d of withheld.withheld.derived) expect(await spool.blobs.has(d.digest)).to.equal(false);
    expect(spool.pendingOriginals().map((o) => o.digest)).to.deep.equal([evidenceDigest(overview)]);
  });

  it('a crash before the record: the copies are made again byte for byte, and the record then names them', async () => {
    let spool = await open();
    const overview = await scene(1600, 1200, 11);
    await accept(spool, [overview]);
    // The crash: copies stored, no record written.
    const first = await deriveForReview(overview, edge.edgeId);
    for (const copy of first) await spool.blobs.put(copy.bytes);

    spool = await open();
    expect(spool.stats().orphanBlobs, 'unnamed until a record names them').to.equal(2);
    const [entry] = spool.entries();
    expect(spool.reviewSettled(entry!)).to.equal(false);
    const copies = new ReviewCopies(spool, edge, { logger });
    await copies.settle(entry!);
    expect(entry!.withheld!.withheld.derived.map((d) => d.digest)).to.deep.equal(first.map((c) => c.item.digest));
    expect(spool.stats().orphanBlobs).to.equal(0);
    expect(await spool.collectOrphans(0)).to.equal(0);
  });

  it('the deriver lane settles every spooled entry in the background, oldest first', async () => {
    const spool = await open();
    const copies = new ReviewCopies(spool, edge, { logger });
    const before = await accept(spool, [await scene(1600, 1200, 1)], 'det-a');
    copies.start();
    const after = await accept(spool, [await scene(1600, 1200, 2)], 'det-b');
    try {
      await waitFor(() => spool.reviewSettled(before) && spool.reviewSettled(after));
      expect(copies.backlog()).to.equal(0);
      expect(before.withheld).to.not.equal(undefined);
      expect(after.withheld).to.not.equal(undefined);
    } finally {
      await copies.stop();
    }
  });

  it('an original its copies would not shrink is recorded as sent with its detection', async () => {
    let spool = await open();
    const entry = await accept(spool, [await flat(320, 240)]);
    await new ReviewCopies(spool, edge, { logger }).settle(entry);
    expect(spool.reviewSettled(entry)).to.equal(true);
    expect(entry.withheld).to.equal(undefined);
    spool = await open();
    expect(spool.reviewSettled(spool.entries()[0]!)).to.equal(true);
    expect(spool.entries()[0]!.withheld).to.equal(undefined);
  });

  it('a tampered record is quarantined and counted, and the entry is derived again', async () => {
    let spool = await open();
    const entry = await accept(spool, [await scene(1600, 1200, 3)]);
    await new ReviewCopies(spool, edge, { logger }).settle(entry);
    const file = join(spoolDir, 'review', '0000000000000000.review.json');
    const bytes = await readFile(file);
    bytes[bytes.length - 5]! ^= 0x01;
    await writeFile(file, bytes);

    spool = await open();
    expect(spool.quarantined).to.deep.equal(['0000000000000000.review.json']);
    expect(spool.stats().refused).to.equal(1);
    const [reopened] = spool.entries();
    expect(spool.reviewSettled(reopened!)).to.equal(false);
    await new ReviewCopies(spool, edge, { logger }).settle(reopened!);
    expect(reopened!.withheld!.withheld.derived).to.deep.equal(entry.withheld!.withheld.derived);
  });

  it('a refused entry keeps its record and its copies for the operator', async () => {
    let spool = await open();
    const entry = await accept(spool, [await scene(1600, 1200, 5)]);
    await new ReviewCopies(spool, edge, { logger }).settle(entry);
    await spool.refused(entry.sequence, { type: 'x' });
    spool = await open();
    expect(await readdir(join(spoolDir, 'review'))).to.deep.equal(['0000000000000000.review.json']);
    expect(await spool.collectOrphans(0)).to.equal(0);
    for (const d of entry.withheld!.withheld.derived) expect(await spool.blobs.has(d.digest)).to.equal(true);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
