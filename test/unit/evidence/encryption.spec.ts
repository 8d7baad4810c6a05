/**
 * Evidence encrypted at rest (docs/data-protection.md): real filesystem, a fresh temp directory per test.
 */
import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  EvidenceCorruptedError,
  EvidenceKeyUnavailableError,
  FileKeyEncryptionKeys,
  FileSystemEvidenceStore,
  openConfiguredEvidenceStore,
  type EvidenceStoreConfig,
} from '../../../src/adapters/evidence/index.ts';
import { HEADER_BYTES, MAGIC, SEGMENT_BYTES } from '../../../src/adapters/evidence/envelope.ts';
import { encryptStore, rewrapStore } from '../../../src/cli/commands/evidence.ts';
import { loadConfig } from '../../../src/config.ts';
import { ValidationError } from '../../../src/domain/shared/errors.ts';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const sha = (bytes: Uint8Array): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const blobPath = (root: string, digest: string): string => join(root, 'sha256', digest.slice(7, 9), digest.slice(7));

async function drain(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('evidence encryption at rest (FileSystemEvidenceStore + FileKeyEncryptionKeys)', () => {
  let dir: string;
  let config: EvidenceStoreConfig;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-evidence-enc-'));
    config = { evidenceDir: join(dir, 'evidence'), maxEvidenceBytes: 8 * 1024 * 1024, evidenceEncryption: true, evidenceKekFile: join(dir, 'keys', 'evidence-kek.key') };
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('round trip', () => {
    for (const size of [1, 100, SEGMENT_BYTES - 1, SEGMENT_BYTES, SEGMENT_BYTES + 1, 3 * SEGMENT_BYTES + 17]) {
      it(`stores ${size} bytes encrypted under the plaintext digest and reads them back verified`, async () => {
        const store = await openConfiguredEvidenceStore(config);
        const plain = randomBytes(size);
        // Streamed in uneven chunks, so segment boundaries fall inside chunks.
        const chunks = [];
        for (let i = 0; i < size; i += 7919) chunks.push(plain.subarray(i, i + 7919));
        const put = await store.put(Readable.from(chunks));
        expect(put).to.deep.equal({ digest: sha(plain), size, created: true });

        const file = await readFile(blobPath(config.evidenceDir, put.digest));
        expect(file.subarray(0, MAGIC.byteLength).equals(MAGIC)).to.equal(true);
        // The plaintext is not in the file (checked from 16 bytes on: a shorter run of random bytes may occur in
        // any ciphertext by chance).
        if (size >= 16) expect(file.includes(plain.subarray(0, Math.min(size, 64)))).to.equal(false);
        expect(await store.stat(put.digest)).to.deep.equal({ digest: put.digest, size });
        expect(Buffer.from(await store.getBytes(put.digest, { expectedSize: size })).equals(plain)).to.equal(true);
        expect((await drain(await store.get(put.digest))).equals(plain)).to.equal(true);
        expect(await store.verify(put.digest)).to.deep.equal({ ok: true, size });
        const listed = [];
        for await (const blob of store.list()) listed.push(blob);
        expect(listed).to.deep.equal([{ digest: put.digest, size }]);
      });
    }

    it('creates the key file 0600 outside the evidence directory and a second put of the same bytes is a no-op', async () => {
      const store = await openConfiguredEvidenceStore(config);
      expect((await stat(config.evidenceKekFile)).mode & 0o777).to.equal(0o600);
      const plain = randomBytes(1000);
      const first = await store.put(plain);
      const second = await store.put(plain);
      expect(second).to.deep.equal({ ...first, created: false });
    });

    it('reads plaintext blobs stored before encryption was turned on', async () => {
      const plainStore = await FileSystemEvidenceStore.open(config.evidenceDir);
      const legacy = Buffer.from('legacy plaintext evidence');
      const { digest } = await plainStore.put(legacy);
      const store = await openConfiguredEvidenceStore(config);
      expect(Buffer.from(await store.getBytes(digest)).equals(legacy)).to.equal(true);
      expect(await store.isEncrypted(digest)).to.equal(false);
    });

    it('the check hook sees the plaintext of a streamed upload', async () => {
      const store = await openConfiguredEvidenceStore(config);
      const plain = randomBytes(2 * SEGMENT_BYTES + 5);
      let seen: Uint8Array | undefined;
      await store.put(Readable.from([plain]), { check: async (staged) => void (seen = await staged.bytes()) });
      expect(Buffer.from(seen!).equals(plain)).to.equal(true);
    });
  });

  describe('key rotation', () => {
    it('re-wraps every data key under the new KEK: header changed, ciphertext bytes unchanged, readable without the old key', async () => {
      const store = await openConfiguredEvidenceStore(config);
      const plain = randomBytes(3 * SEGMENT_BYTES);
      const { digest } = await store.put(plain);
      const before = await readFile(blobPath(config.evidenceDir, digest));
      const oldKeyLine = (await readFile(config.evidenceKekFile, 'utf8')).split('\n').find((l) => l && !l.startsWith('#'))!;

      const newId = FileKeyEncryptionKeys.addCurrentKey(config.evidenceKekFile);
      const rotated = await openConfiguredEvidenceStore(config);
      expect(await rewrapStore(rotated)).to.deep.equal({ rewrapped: 1, current: 0, plain: 0 });
      const after = await readFile(blobPath(config.evidenceDir, digest));
      expect(after.subarray(HEADER_BYTES).equals(before.subarray(HEADER_BYTES))).to.equal(true);
      expect(after.subarray(0, HEADER_BYTES).equals(before.subarray(0, HEADER_BYTES))).to.equal(false);
      expect(after.includes(Buffer.from(newId, 'latin1'))).to.equal(true);
      // Rerun (resume) has nothing left to do.
      expect(await rewrapStore(rotated)).to.deep.equal({ rewrapped: 0, current: 1, plain: 0 });

      // Retire the old key: the blob and the store's key check open with the new key alone.
      const keyFile = await readFile(config.evidenceKekFile, 'utf8');
      await writeFile(config.evidenceKekFile, keyFile.replace(`${oldKeyLine}\n`, ''), { mode: 0o600 });
      const retired = await openConfiguredEvidenceStore(config);
      expect(Buffer.from(await retired.getBytes(digest)).equals(plain)).to.equal(true);
    });
  });

  describe('missing or wrong key-encryption key at start-up', () => {
    let digest: string;
    beforeEach(async () => {
      const store = await openConfiguredEvidenceStore(config);
      digest = (await store.put(Buffer.from('evidence'))).digest;
    });

    it('a missing KEK file is refused (and not silently re-created)', async () => {
      await rm(config.evidenceKekFile);
      const error = await rejection(openConfiguredEvidenceStore(config));
      expect(error).to.be.instanceOf(EvidenceKeyUnavailableError).with.property('reason', 'missing');
      expect(await stat(config.evidenceKekFile).catch(() => undefined)).to.equal(undefined);
    });

    it('a different KEK is refused', async () => {
      await rm(config.evidenceKekFile);
      FileKeyEncryptionKeys.create(config.evidenceKekFile);
      expect(await rejection(openConfiguredEvidenceStore(config))).to.be.instanceOf(EvidenceKeyUnavailableError).with.property('reason', 'wrong');
    });

    it('an encrypted store opened without encryption is refused', async () => {
      expect(await rejection(openConfiguredEvidenceStore({ ...config, evidenceEncryption: false }))).to.be.instanceOf(EvidenceKeyUnavailableError).with.property('reason', 'not-configured');
      expect(await rejection(FileSystemEvidenceStore.open(config.evidenceDir, { readOnly: true }))).to.be.instanceOf(EvidenceKeyUnavailableError);
      expect(digest).to.match(/^sha256:/);
    });

    it('a KEK file inside the evidence directory is a configuration error', () => {
      expect(() => loadConfig({ DATA_DIR: dir, EVIDENCE_KEK_FILE: join(dir, 'evidence', 'kek.key') })).to.throw(ValidationError);
      expect(loadConfig({ DATA_DIR: dir }).evidenceKekFile).to.equal(join(dir, 'keys', 'evidence-kek.key'));
    });
  });

  describe('tampered ciphertext', () => {
    for (const [what, offset] of [
      ['first segment', HEADER_BYTES + 10],
      ['last segment tag', -1],
      ['wrapped data key', 24 + 80],
    ] as const) {
      it(`a flipped byte in the ${what} is refused by every read (GCM)`, async () => {
        const store = await openConfiguredEvidenceStore(config);
        const plain = randomBytes(2 * SEGMENT_BYTES + 100);
        const { digest } = await store.put(plain);
        const path = blobPath(config.evidenceDir, digest);
        const file = await readFile(path);
        const at = offset < 0 ? file.byteLength + offset : offset;
        file[at] = file[at]! ^ 0x01;
        await writeFile(path, file);

        expect(await rejection(store.getBytes(digest))).to.be.instanceOf(EvidenceCorruptedError);
        expect(await rejection(store.get(digest).then(drain))).to.be.instanceOf(EvidenceCorruptedError);
        expect(await store.verify(digest)).to.include({ ok: false, reason: 'corrupted' });
      });
    }

    it('a truncated encrypted file is refused', async () => {
      const store = await openConfiguredEvidenceStore(config);
      const { digest } = await store.put(randomBytes(SEGMENT_BYTES * 2));
      const path = blobPath(config.evidenceDir, digest);
      const file = await readFile(path);
      await writeFile(path, file.subarray(0, file.byteLength - SEGMENT_BYTES));
      expect(await store.verify(digest)).to.include({ ok: false, reason: 'corrupted' });
    });
  });

  describe('migration of a plaintext store (tec evidence encrypt)', () => {
    it('interrupted midway, rerun, then verified: every blob encrypted and intact', async () => {
      const plainStore = await FileSystemEvidenceStore.open(config.evidenceDir);
      const blobs = new Map<string, Buffer>();
      for (let i = 0; i < 8; i++) {
        const bytes = randomBytes(1000 + i * 20000);
        blobs.set((await plainStore.put(bytes)).digest, bytes);
      }
      const store = await openConfiguredEvidenceStore(config);
      let seen = 0;
      const interrupted = await rejection(
        encryptStore(store, {
          onBlob: () => {
            if (++seen === 3) throw new Error('interrupted');
          },
        }),
      );
      expect(interrupted).to.be.instanceOf(Error);
      const flags = await Promise.all([...blobs.keys()].map((d) => store.isEncrypted(d)));
      expect(flags.filter(Boolean)).to.have.length(3);

      const rerun = await encryptStore(store, { verify: true });
      expect(rerun).to.deep.include({ blobs: 8, encrypted: 5, alreadyEncrypted: 3, plaintext: 0 });
      expect(rerun.damaged).to.deep.equal([]);
      expect(rerun.verifyFailures).to.deep.equal([]);
      for (const [digest, bytes] of blobs) {
        expect(await store.isEncrypted(digest)).to.equal(true);
        expect(Buffer.from(await store.getBytes(digest)).equals(bytes)).to.equal(true);
      }
    });

    it('a damaged plaintext blob is reported and left as it is, never encrypted', async () => {
      const plainStore = await FileSystemEvidenceStore.open(config.evidenceDir);
      const { digest } = await plainStore.put(Buffer.from('original bytes'));
      await writeFile(blobPath(config.evidenceDir, digest), 'altered bytes!');
      const store = await openConfiguredEvidenceStore(config);
      const report = await encryptStore(store, { verify: true });
      expect(report.damaged).to.deep.equal([digest]);
      expect(report.verifyFailures).to.deep.equal([digest]);
      expect(await store.isEncrypted(digest)).to.equal(false);
    });
  });
});
