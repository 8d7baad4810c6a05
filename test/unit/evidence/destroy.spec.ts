/**
 * Crypto-shredding (`EvidenceStore.destroy`, docs/data-protection.md "Retention"): real filesystem.
 */
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { link, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileKeyEncryptionKeys, FileSystemEvidenceStore } from '../../../src/adapters/evidence/index.ts';
import { HEADER_BYTES, parseHeader } from '../../../src/adapters/evidence/envelope.ts';
import { EvidenceNotFoundError, EvidenceStoreReadOnlyError } from '../../../src/ports/evidence-errors.ts';

const blobPath = (root: string, digest: string): string => join(root, 'sha256', digest.slice(7, 9), digest.slice(7));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('evidence destroy (crypto-shredding)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tec-evidence-destroy-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('overwrites both wrapped data key slots before deleting an encrypted blob', async () => {
    const root = join(dir, 'evidence');
    const store = await FileSystemEvidenceStore.open(root, { encryption: FileKeyEncryptionKeys.create(join(dir, 'kek.key')) });
    const { digest } = await store.put(randomBytes(200_000));
    // A second name for the same inode stands for what stays on the medium after the unlink.
    const remnant = join(dir, 'remnant');
    await link(blobPath(root, digest), remnant);
    expect(parseHeader(digest, await readFile(remnant)).slots).to.have.length(1);

    expect(await store.destroy(digest)).to.equal('shredded');

    expect(await store.has(digest)).to.equal(false);
    expect(await rejection(store.getBytes(digest))).to.be.instanceOf(EvidenceNotFoundError);
    const left = await readFile(remnant);
    expect(parseHeader(digest, left).slots).to.deep.equal([]);
    expect(left.subarray(24, HEADER_BYTES).every((b) => b === 0)).to.equal(true);
    // Destroying again is a no-op.
    expect(await store.destroy(digest)).to.equal('absent');
  });

  it('zeroes a plaintext blob before deleting it', async () => {
    const root = join(dir, 'evidence');
    const store = await FileSystemEvidenceStore.open(root);
    const body = randomBytes(150_000);
    const { digest } = await store.put(body);
    const remnant = join(dir, 'remnant');
    await link(blobPath(root, digest), remnant);
    expect(await store.destroy(digest)).to.equal('overwritten');
    expect(await store.has(digest)).to.equal(false);
    const left = await readFile(remnant);
    expect(left.byteLength).to.equal(body.byteLength);
    expect(left.every((b) => b === 0)).to.equal(true);
  });

  it('a read-only store refuses to destroy', async () => {
    const root = join(dir, 'evidence');
    const writable = await FileSystemEvidenceStore.open(root);
    const { digest } = await writable.put(randomBytes(64));
    const readOnly = await FileSystemEvidenceStore.open(root, { readOnly: true });
    expect(await rejection(readOnly.destroy(digest))).to.be.instanceOf(EvidenceStoreReadOnlyError);
    expect(await writable.has(digest)).to.equal(true);
  });
});
