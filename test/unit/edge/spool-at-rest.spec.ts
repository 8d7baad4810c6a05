/**
 * The edge spool at rest (src/adapters/edge/spool.ts; docs/edge.md, "Encryption at rest" and "Clean-up"):
 * entries and blobs are encrypted under the spool's key file, a tampered or moved entry is quarantined and
 * counted, a tampered blob is refused when read, a missing key stops the start with a clear error; blobs no
 * detection names are removed after the configured age, never one a pending or refused entry names.
 */
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Forwarder } from '../../../src/adapters/edge/forwarder.ts';
import { Spool, spoolKeys, type SpoolEntry } from '../../../src/adapters/edge/spool.ts';
import { loadEdgeConfig } from '../../../src/edge/index.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';
import { waitFor } from '../../support/env.ts';
import { FileKeyEncryptionKeys } from '../../../src/adapters/evidence/kek-file.ts';
import { EvidenceCorruptedError, EvidenceKeyUnavailableError } from '../../../src/ports/evidence-errors.ts';
import { evidenceDigest } from '../../../src/domain/integrity/hash.ts';
import { buildDetectionPayload, signDetection } from '../../../src/domain/signoff/index.ts';
import { buildEdgeReceipt, signEdgeReceipt } from '../../../src/domain/signoff/edge-receipt.ts';
import { generateKeyPair } from '../../../src/domain/signoff/keys.ts';

const camera = generateKeyPair();
const edge = generateKeyPair();
const PLATE = '30A-999.88';

function entryFor(spool: Spool, blobs: Uint8Array[], id: string): Promise<SpoolEntry> {
  const signed = signDetection(
    buildDetectionPayload({
      detectionId: id,
      cameraId: 'cam-01-unit',
      observedAt: '2026-12-06T10:00:00.000Z',
      location: { latMicro: 21028500, lonMicro: 105854200, description: 'Hà Nội', roadType: 'urban' },
      violationCode: 'x',
      vehicleClass: 'car',
      plateRead: { text: PLATE, confidenceBp: 9000 },
      evidence: blobs.map((b) => ({ digest: evidenceDigest(b), mediaType: 'image/jpeg', size: b.length, role: 'overview' })),
    }),
    camera.secretKey,
  );
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

const blobPath = (dir: string, bytes: Uint8Array) => {
  const hex = evidenceDigest(bytes).slice('sha256:'.length);
  return join(dir, 'blobs', 'sha256', hex.slice(0, 2), hex);
};

describe('edge spool at rest', () => {
  let root: string;
  let dir: string;
  let kekFile: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tec-spool-rest-'));
    dir = join(root, 'spool');
    kekFile = join(root, 'keys', 'spool-kek.key');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('encryption', () => {
    it('stores entries and blobs encrypted and reads them back after a reopen', async () => {
      const keys = await spoolKeys(dir, kekFile);
      const image = Buffer.from(`a recognisable overview image ${PLATE}`);
      let spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: keys });
      await spool.blobs.put(image);
      await entryFor(spool, [image], 'det-secret-1');
      const [entryFile] = (await readdir(join(dir, 'entries'))).filter((f) => f.endsWith('.json'));
      const onDisk = await readFile(join(dir, 'entries', entryFile!));
      expect(onDisk.includes(PLATE)).to.equal(false);
      expect(onDisk.includes('det-secret-1')).to.equal(false);
      expect((await readFile(blobPath(dir, image))).includes(PLATE)).to.equal(false);

      spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: await spoolKeys(dir, kekFile) });
      const [entry] = spool.entries();
      expect(entry?.body.detection.detectionId).to.equal('det-secret-1');
      expect(entry?.body.detection.plateRead?.text).to.equal(PLATE);
      expect(Buffer.from(await spool.blobs.getBytes(evidenceDigest(image))).equals(image)).to.equal(true);
    });

    it('quarantines a tampered entry at start, counts it as refused, and keeps the others', async () => {
      const keys = await spoolKeys(dir, kekFile);
      const image = Buffer.from('overview');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: keys });
      await spool.blobs.put(image);
      const first = await entryFor(spool, [image], 'det-1');
      await entryFor(spool, [image], 'det-2');
      const path = join(dir, 'entries', `${String(first.sequence).padStart(16, '0')}.json`);
      const bytes = await readFile(path);
      bytes[bytes.length - 20] = bytes[bytes.length - 20]! ^ 0xff;
      await writeFile(path, bytes);

      const reopened = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: keys });
      expect(reopened.entries().map((e) => e.body.detection.detectionId)).to.deep.equal(['det-2']);
      expect(reopened.quarantined).to.deep.equal([`${String(first.sequence).padStart(16, '0')}.json`]);
      expect(reopened.stats().refused).to.equal(1);
      expect(await readdir(join(dir, 'quarantine'))).to.have.length(1);
      // The sequence number of the quarantined entry is never reused.
      expect(reopened.stats().nextSequence).to.equal(2);
    });

    it('quarantines an entry file moved to another sequence number (its wrap names the file)', async () => {
      const keys = await spoolKeys(dir, kekFile);
      const image = Buffer.from('overview');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: keys });
      await spool.blobs.put(image);
      await entryFor(spool, [image], 'det-1');
      await rename(join(dir, 'entries', `${'0'.repeat(16)}.json`), join(dir, 'entries', `${'0'.repeat(15)}7.json`));
      const reopened = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: keys });
      expect(reopened.entries()).to.have.length(0);
      expect(reopened.quarantined).to.have.length(1);
    });

    it('refuses a tampered blob when it is read (EvidenceCorruptedError), never handing it on', async () => {
      const keys = await spoolKeys(dir, kekFile);
      const image = Buffer.alloc(5000, 7);
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: keys });
      await spool.blobs.put(image);
      const path = blobPath(dir, image);
      const bytes = await readFile(path);
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
      await writeFile(path, bytes);
      let error: unknown;
      try {
        await spool.blobs.getBytes(evidenceDigest(image));
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(EvidenceCorruptedError);
    });

    it('never forwards a tampered blob: its entry goes to refused/ as unreadable, for the operator', async () => {
      const keys = await spoolKeys(dir, kekFile);
      const image = Buffer.alloc(5000, 9);
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: keys });
      await spool.blobs.put(image);
      const path = blobPath(dir, image);
      const bytes = await readFile(path);
      bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0x01;
      await writeFile(path, bytes);
      await entryFor(spool, [image], 'det-tampered-blob');
      // The upstream is unreachable: the refusal happens before anything would be sent.
      const forwarder = new Forwarder(spool, { upstream: 'http://127.0.0.1:9', logger: pino({ level: 'silent' }), minBackoffMs: 10 });
      forwarder.start();
      try {
        await waitFor(() => spool.stats().refused === 1, { timeoutMs: 20_000, what: 'the entry refused' });
      } finally {
        await forwarder.stop();
      }
      expect(spool.stats().depth).to.equal(0);
      expect(forwarder.forwardedTotal).to.equal(0);
      const problem = JSON.parse(await readFile(join(dir, 'refused', `${'0'.repeat(16)}.json.problem`), 'utf8')) as { type: string };
      expect(problem.type).to.equal('edge-spool-unreadable');
    });

    it('is on by default in the edge configuration, and the key file lives outside the spool directory', () => {
      const base = { PROVINCES: '01', UPSTREAM_URL: 'http://node.example', DATA_DIR: '/var/lib/tec-edge' };
      const config = loadEdgeConfig(base);
      expect(config.spoolEncryption).to.equal(true);
      expect(config.spoolKekFile).to.equal(join('/var/lib/tec-edge', 'keys', 'spool-kek.key'));
      expect(loadEdgeConfig({ ...base, EDGE_SPOOL_ENCRYPTION: 'off' }).spoolEncryption).to.equal(false);
      expect(() => loadEdgeConfig({ ...base, EDGE_SPOOL_ENCRYPTION: 'maybe' })).to.throw(ValidationError);
      expect(loadEdgeConfig({ ...base, EDGE_ORPHAN_MAX_AGE_SECONDS: '60' }).orphanMaxAgeMs).to.equal(60_000);
    });

    it('refuses to start when the key file of an encrypted spool is missing, instead of creating a new key', async () => {
      const image = Buffer.from('overview');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: await spoolKeys(dir, kekFile) });
      await spool.blobs.put(image);
      await entryFor(spool, [image], 'det-1');
      await rm(kekFile);
      let error: unknown;
      try {
        await spoolKeys(dir, kekFile);
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(EvidenceKeyUnavailableError);
      expect((error as EvidenceKeyUnavailableError).reason).to.equal('missing');
      // Opened without keys (encryption turned off by mistake), it refuses as well.
      let withoutKeys: unknown;
      try {
        await Spool.open(dir, { quotaBytes: 1_000_000 });
      } catch (caught) {
        withoutKeys = caught;
      }
      expect(withoutKeys).to.be.instanceOf(EvidenceKeyUnavailableError);
    });

    it('refuses a different key file (wrong key) rather than quarantining everything', async () => {
      const image = Buffer.from('overview');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: await spoolKeys(dir, kekFile) });
      await spool.blobs.put(image);
      await entryFor(spool, [image], 'det-1');
      const other = FileKeyEncryptionKeys.create(join(root, 'other', 'kek.key'));
      let error: unknown;
      try {
        await Spool.open(dir, { quotaBytes: 1_000_000, encryption: other });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(EvidenceKeyUnavailableError);
      expect(await readdir(join(dir, 'quarantine'))).to.have.length(0);
    });

    it('still reads plaintext entries written before encryption was turned on', async () => {
      const image = Buffer.from('overview');
      const plain = await Spool.open(dir, { quotaBytes: 1_000_000 });
      await plain.blobs.put(image);
      await entryFor(plain, [image], 'det-plain');
      const encrypted = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: await spoolKeys(dir, kekFile) });
      expect(encrypted.entries().map((e) => e.body.detection.detectionId)).to.deep.equal(['det-plain']);
      expect(Buffer.from(await encrypted.blobs.getBytes(evidenceDigest(image))).equals(image)).to.equal(true);
    });
  });

  describe('clean-up of evidence whose detection never came', () => {
    const HOUR = 3_600_000;

    it('removes an unnamed blob only once it is older than the age, and returns the quota', async () => {
      let clock = Date.parse('2026-12-06T10:00:00Z');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, now: () => clock });
      const empty = spool.usedBytes();
      const stray = Buffer.from('uploaded, detection never sent');
      const stored = await spool.blobs.put(stray);
      spool.blobStored(stored.digest, stored.size);
      expect(spool.usedBytes()).to.equal(empty + stray.length);
      clock += HOUR - 1;
      expect(await spool.collectOrphans(HOUR)).to.equal(0);
      expect(await spool.blobs.has(stored.digest)).to.equal(true);
      clock += 1;
      expect(await spool.collectOrphans(HOUR)).to.equal(1);
      expect(await spool.blobs.has(stored.digest)).to.equal(false);
      expect(spool.usedBytes()).to.equal(empty);
      expect(spool.stats().orphanBlobs).to.equal(0);
    });

    it('never removes a blob a pending entry names, however old', async () => {
      let clock = Date.parse('2026-12-06T10:00:00Z');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, now: () => clock });
      const image = Buffer.from('named by a spooled detection');
      const stored = await spool.blobs.put(image);
      spool.blobStored(stored.digest, stored.size);
      await entryFor(spool, [image], 'det-named');
      clock += 100 * HOUR;
      expect(await spool.collectOrphans(HOUR)).to.equal(0);
      expect(await spool.blobs.has(stored.digest)).to.equal(true);
      // After a restart too (the age of a blob on disk runs from its file's modification time).
      const reopened = await Spool.open(dir, { quotaBytes: 1_000_000, now: () => clock });
      expect(await reopened.collectOrphans(HOUR)).to.equal(0);
      expect(await reopened.blobs.has(stored.digest)).to.equal(true);
    });

    it('never removes a blob a refused entry keeps for the operator, also after a restart', async () => {
      let clock = Date.parse('2026-12-06T10:00:00Z');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, now: () => clock, encryption: await spoolKeys(dir, kekFile) });
      const image = Buffer.from('refused by the node');
      await spool.blobs.put(image);
      const entry = await entryFor(spool, [image], 'det-refused');
      await spool.refused(entry.sequence, { type: 'x/detection-signature-invalid' });
      clock += 100 * HOUR;
      expect(await spool.collectOrphans(HOUR)).to.equal(0);
      const reopened = await Spool.open(dir, { quotaBytes: 1_000_000, now: () => clock, encryption: await spoolKeys(dir, kekFile) });
      expect(await reopened.collectOrphans(HOUR)).to.equal(0);
      expect(await reopened.blobs.has(evidenceDigest(image))).to.equal(true);
      expect(reopened.stats().refused).to.equal(1);
    });

    it('ages a blob found at start from its file time, so a restart does not keep it forever', async () => {
      const image = Buffer.from('left over from before the restart');
      const first = await Spool.open(dir, { quotaBytes: 1_000_000 });
      await first.blobs.put(image);
      const twoHoursAgo = new Date(Date.now() - 2 * HOUR);
      await utimes(blobPath(dir, image), twoHoursAgo, twoHoursAgo);
      const reopened = await Spool.open(dir, { quotaBytes: 1_000_000 });
      expect(reopened.stats().orphanBlobs).to.equal(1);
      expect(await reopened.collectOrphans(HOUR)).to.equal(1);
      expect(await reopened.blobs.has(evidenceDigest(image))).to.equal(false);
    });

    it('lets a request that names a blob while it is being removed store it again, and keeps it', async () => {
      let clock = Date.parse('2026-12-06T10:00:00Z');
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, now: () => clock, encryption: await spoolKeys(dir, kekFile) });
      const image = Buffer.from('uploaded again by the camera just as the clean-up runs');
      const stored = await spool.blobs.put(image);
      spool.blobStored(stored.digest, stored.size);
      clock += 2 * HOUR;
      const collecting = spool.collectOrphans(HOUR);
      // The upload route's order: pin, wait for any removal in flight, then store.
      const items = [{ digest: stored.digest, size: stored.size }];
      spool.pin(items);
      await spool.settled(items);
      await spool.blobs.put(image);
      await collecting;
      await entryFor(spool, [image], 'det-raced');
      spool.unpin(items);
      expect(await spool.blobs.has(stored.digest)).to.equal(true);
      expect(await spool.collectOrphans(0)).to.equal(0);
      expect(await spool.blobs.has(stored.digest)).to.equal(true);
    });

    it('does not count against the quota a blob a failed request pinned but never stored', async () => {
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000 });
      const empty = spool.usedBytes();
      const never = Buffer.from('declared by a detection, upload broken off');
      const items = [{ digest: evidenceDigest(never), size: never.length }];
      spool.pin(items);
      expect(spool.usedBytes()).to.equal(empty + never.length);
      spool.unpin(items);
      await waitFor(() => spool.stats().orphanBlobs === 0, { timeoutMs: 10_000, what: 'the phantom orphan dropped' });
      expect(spool.usedBytes()).to.equal(empty);
    });

    it('accounts a blob uploaded before its detection once: the quota returns to empty after forwarding', async () => {
      const spool = await Spool.open(dir, { quotaBytes: 1_000_000, encryption: await spoolKeys(dir, kekFile) });
      const empty = spool.usedBytes();
      const image = Buffer.alloc(3000, 3);
      const stored = await spool.blobs.put(image);
      spool.blobStored(stored.digest, stored.size);
      const entry = await entryFor(spool, [image], 'det-put-first');
      expect(spool.usedBytes()).to.be.greaterThan(empty + image.length);
      await spool.forwarded(entry.sequence);
      expect(spool.usedBytes()).to.equal(empty);
    });
  });
});
