/**
 * Originals later at the edge (docs/edge.md): the review copies sharp makes on acceptance (a lower-third plate
 * crop and a 640-px reduced overview, deterministic), the `edge-withheld/v1` statement's binding to its
 * detection, and the spool keeping a withheld original (encrypted, across a reopen) from the relay's 2xx
 * until the node's 2xx for the original itself.
 */
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { deriveForReview, overviewOriginals } from '../../../src/adapters/edge/derive.ts';
import { Spool, spoolKeys, type SpoolEntry } from '../../../src/adapters/edge/spool.ts';
import { hasMagic } from '../../../src/adapters/evidence/envelope.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { buildDetectionPayload, signDetection } from '../../../src/domain/signoff/index.ts';
import { buildEdgeReceipt, detectionHash, signEdgeReceipt } from '../../../src/domain/signoff/edge-receipt.ts';
import {
  EDGE_WITHHELD_PURPOSE,
  signEdgeWithheld,
  verifyEdgeWithheld,
  withheldMismatch,
  type EdgeWithheld,
} from '../../../src/domain/signoff/edge-withheld.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';

const camera = generateKeyPair();
const edge = generateKeyPair();
const RECEIVED = '2026-12-06T10:00:01.000Z';

async function photo(width: number, height: number): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#9ab"/><rect x="10" y="${height - 40}" width="60" height="20" fill="#fff"/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer());
}

function signed(images: Uint8Array[], roles: string[], id = 'det-1') {
  const detection = buildDetectionPayload({
    detectionId: id,
    cameraId: 'cam-01-unit',
    observedAt: '2026-12-06T10:00:00.000Z',
    location: { latMicro: 21028500, lonMicro: 105854200, description: 'Hà Nội', roadType: 'urban' },
    violationCode: 'x',
    vehicleClass: 'car',
    evidence: images.map((b, i) => ({ digest: evidenceDigest(b), mediaType: 'image/jpeg', size: b.length, role: roles[i]! })),
  });
  return signDetection(detection, camera.secretKey);
}

describe('edge originals later', () => {
  describe('review copies (sharp)', () => {
    it('makes a lower-third plate crop and a reduced overview (longest side 640, q70), the same bytes every time', async () => {
      const original = await photo(1600, 1200);
      const made = await deriveForReview(original, 'edge-01-unit');
      expect(made.map((m) => m.item.operation)).to.deep.equal(['plate-crop', 'reduced-overview']);
      const [crop, reduced] = made;
      const cropMeta = await sharp(crop!.bytes).metadata();
      expect([cropMeta.width, cropMeta.height]).to.deep.equal([1600, 400]);
      expect(crop!.item.parameters).to.include({ plateBox: 'lower-third', edgeId: 'edge-01-unit', y: 800 });
      const reducedMeta = await sharp(reduced!.bytes).metadata();
      expect([reducedMeta.width, reducedMeta.height]).to.deep.equal([640, 480]);
      expect(reduced!.item.parameters).to.include({ quality: 70, longestSide: 640, edgeId: 'edge-01-unit' });
      expect(reduced!.item.kind).to.equal('thumbnail');
      for (const m of made) {
        expect(m.item.sourceDigest).to.equal(evidenceDigest(original));
        expect(m.item.digest).to.equal(evidenceDigest(m.bytes));
      }
      const again = await deriveForReview(original, 'edge-01-unit');
      expect(again.map((m) => m.item.digest)).to.deep.equal(made.map((m) => m.item.digest));
    });

    it('never enlarges a small original', async () => {
      const made = await deriveForReview(await photo(320, 240), 'edge-01-unit');
      const meta = await sharp(made[1]!.bytes).metadata();
      expect([meta.width, meta.height]).to.deep.equal([320, 240]);
    });

    it('withholds the overview images only (the first image when none is marked overview)', async () => {
      const a = await photo(100, 80);
      const b = await photo(90, 70);
      expect(overviewOriginals(signed([a, b], ['overview', 'plate']).detection).map((e) => e.digest)).to.deep.equal([evidenceDigest(a)]);
      expect(overviewOriginals(signed([a, b], ['plate', 'context']).detection).map((e) => e.digest)).to.deep.equal([evidenceDigest(a)]);
    });
  });

  describe('edge-withheld/v1', () => {
    it('binds to its detection, its edge and its receipt time, and verifies only under the edge key', async () => {
      const a = await photo(400, 300);
      const s = signed([a], ['overview']);
      const made = await deriveForReview(a, 'edge-01-unit');
      const statement: EdgeWithheld = {
        purpose: EDGE_WITHHELD_PURPOSE,
        edgeId: 'edge-01-unit',
        detectionId: s.detection.detectionId,
        detectionHash: detectionHash(s.detection),
        originals: [evidenceDigest(a)],
        derived: made.map((m) => m.item),
        receivedAt: RECEIVED,
      };
      expect(withheldMismatch(statement, s.detection, 'edge-01-unit', RECEIVED)).to.equal(undefined);
      expect(withheldMismatch(statement, s.detection, 'edge-01-other', RECEIVED)).to.be.a('string');
      expect(withheldMismatch(statement, s.detection, 'edge-01-unit', '2026-12-06T10:00:02.000Z')).to.be.a('string');
      expect(withheldMismatch(statement, signed([a], ['overview'], 'det-2').detection, 'edge-01-unit', RECEIVED)).to.be.a('string');
      expect(withheldMismatch({ ...statement, originals: [`sha256:${'b'.repeat(64)}`] }, s.detection, 'edge-01-unit', RECEIVED)).to.be.a('string');
      expect(
        withheldMismatch({ ...statement, derived: [{ ...made[0]!.item, digest: evidenceDigest(a) }] }, s.detection, 'edge-01-unit', RECEIVED),
      ).to.be.a('string');
      const sig = signEdgeWithheld(statement, edge.secretKey);
      expect(verifyEdgeWithheld(sig, edge.publicKey)).to.equal(true);
      expect(verifyEdgeWithheld(sig, camera.publicKey)).to.equal(false);
      expect(verifyEdgeWithheld({ ...sig, withheld: { ...statement, originals: [] as unknown as [string] } }, edge.publicKey)).to.equal(false);
    });
  });

  describe('the spool', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tec-spool-originals-'));
    });
    afterEach(async () => rm(dir, { recursive: true, force: true }));

    async function entryWithWithheld(spool: Spool, images: Uint8Array[]): Promise<{ entry: SpoolEntry; derived: Uint8Array[] }> {
      const s = signed(images, ['overview', 'plate']);
      for (const image of images) await spool.blobs.put(image);
      const made = await deriveForReview(images[0]!, 'edge-01-unit');
      const items = made.map((m) => m.item);
      spool.pin([...s.detection.evidence, ...items]);
      for (const m of made) await spool.blobs.put(m.bytes);
      const entry = await spool.appendNext(s.detection.cameraId, (sequence) => ({
        sequence,
        receivedAt: RECEIVED,
        body: s,
        receipt: signEdgeReceipt(
          buildEdgeReceipt({ edgeId: 'edge-01-unit', detection: s.detection, cameraSignature: s.signature, receivedAt: RECEIVED, sequence }),
          edge.secretKey,
        ),
        withheld: signEdgeWithheld(
          {
            purpose: EDGE_WITHHELD_PURPOSE,
            edgeId: 'edge-01-unit',
            detectionId: s.detection.detectionId,
            detectionHash: detectionHash(s.detection),
            originals: [s.detection.evidence[0]!.digest],
            derived: items,
            receivedAt: RECEIVED,
          },
          edge.secretKey,
        ),
      }));
      return { entry, derived: made.map((m) => m.bytes) };
    }

    it('keeps a withheld original, encrypted, across a reopen, from the relay until the original is delivered', async () => {
      const spoolDir = join(dir, 'spool');
      const keys = await spoolKeys(spoolDir, join(dir, 'kek.key'));
      let spool = await Spool.open(spoolDir, { quotaBytes: 50_000_000, encryption: keys });
      const overview = await photo(1200, 900);
      const plate = await photo(200, 100);
      const { entry, derived } = await entryWithWithheld(spool, [overview, plate]);
      const usedBefore = spool.usedBytes();
      await spool.forwarded(entry.sequence);
      // The derived items and the sent original are at the node: gone from the spool; the withheld original stays.
      expect(await spool.blobs.has(evidenceDigest(overview))).to.equal(true);
      expect(await spool.blobs.has(evidenceDigest(plate))).to.equal(false);
      for (const d of derived) expect(await spool.blobs.has(evidenceDigest(d))).to.equal(false);
      expect(spool.stats().depth).to.equal(0);
      expect(spool.stats().originalsPending).to.equal(1);
      expect(spool.usedBytes()).to.be.lessThan(usedBefore).and.greaterThan(overview.length);
      const files = await readdir(join(spoolDir, 'originals'));
      expect(files).to.have.length(1);
      expect(hasMagic(await readFile(join(spoolDir, 'originals', files[0]!))), 'the pending record is encrypted').to.equal(true);

      spool = await Spool.open(spoolDir, { quotaBytes: 50_000_000, encryption: keys });
      const pending = spool.pendingOriginals();
      expect(pending.map((p) => p.digest)).to.deep.equal([evidenceDigest(overview)]);
      expect(pending[0]).to.include({ size: overview.length, mediaType: 'image/jpeg', detectionId: 'det-1', receivedAt: RECEIVED });
      expect(spool.stats().orphanBlobs, 'a pending original is no orphan').to.equal(0);
      expect(await spool.collectOrphans(0)).to.equal(0);
      expect(await spool.blobs.has(evidenceDigest(overview))).to.equal(true);

      await spool.originalDelivered(pending[0]!.file);
      expect(await spool.blobs.has(evidenceDigest(overview))).to.equal(false);
      expect(spool.stats().originalsPending).to.equal(0);
      spool = await Spool.open(spoolDir, { quotaBytes: 50_000_000, encryption: keys });
      expect(spool.pendingOriginals()).to.have.length(0);
      expect(spool.usedBytes()).to.equal(0);
    });

    it('a refused entry keeps its originals and derived items for the operator; nothing waits for the lane', async () => {
      const spool = await Spool.open(join(dir, 'spool'), { quotaBytes: 50_000_000 });
      const overview = await photo(640, 480);
      const { entry, derived } = await entryWithWithheld(spool, [overview, await photo(100, 50)]);
      await spool.refused(entry.sequence, { type: 'x' });
      expect(spool.stats().originalsPending).to.equal(0);
      expect(await spool.blobs.has(evidenceDigest(overview))).to.equal(true);
      for (const d of derived) expect(await spool.blobs.has(evidenceDigest(d))).to.equal(true);
      expect(await spool.collectOrphans(0)).to.equal(0);
    });
  });
});
