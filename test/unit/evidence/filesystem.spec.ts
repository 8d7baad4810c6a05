import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  EmptyEvidenceError,
  EvidenceCorruptedError,
  EvidenceDigestMismatchError,
  EvidenceNotFoundError,
  EvidenceStoreReadOnlyError,
  EvidenceTooLargeError,
  DEFAULT_STALE_TMP_AGE_MS,
  FileSystemEvidenceStore,
  InvalidDigestError,
  InvalidMediaTypeError,
  MAX_UPLOAD_MS,
} from '../../../src/adapters/evidence/index.ts';
import { AppError } from '../../../src/domain/shared/errors.ts';

function digestOf(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** A stream that yields `chunks` chunks of `chunkSize` bytes and records how many were pulled. */
function countingStream(chunks: number, chunkSize: number): { stream: Readable; pulled: () => number } {
  let pulled = 0;
  const stream = new Readable({
    read() {
      if (pulled >= chunks) {
        this.push(null);
        return;
      }
      pulled++;
      this.push(Buffer.alloc(chunkSize, 7));
    },
  });
  return { stream, pulled: () => pulled };
}

async function drain(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

describe('FileSystemEvidenceStore', () => {
  let root: string;
  let store: FileSystemEvidenceStore;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'evidence-'));
    store = await FileSystemEvidenceStore.open(root, { maxBytes: 1024 * 1024 });
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const tmpFiles = async () => readdir(join(root, 'tmp'));

  it('stores bytes under their digest and reads them back, verified', async () => {
    const bytes = randomBytes(70_000);
    const result = await store.put(bytes, { mediaType: 'image/jpeg' });
    expect(result).to.deep.equal({ digest: digestOf(bytes), size: bytes.length, created: true });
    const hex = result.digest.slice(7);
    const onDisk = await readFile(join(root, 'sha256', hex.slice(0, 2), hex));
    expect(onDisk.equals(bytes)).to.equal(true);
    expect(Buffer.from(await store.getBytes(result.digest)).equals(bytes)).to.equal(true);
    expect((await drain(await store.get(result.digest, { expectedSize: bytes.length }))).equals(bytes)).to.equal(true);
    expect(await store.stat(result.digest)).to.deep.equal({ digest: result.digest, size: bytes.length });
    expect(await store.has(result.digest)).to.equal(true);
    expect(await store.verify(result.digest)).to.deep.equal({ ok: true, size: bytes.length });
    expect(await tmpFiles()).to.deep.equal([]);
  });

  it('streams an upload from a Readable', async () => {
    const { stream } = countingStream(10, 1000);
    const result = await store.put(stream);
    expect(result.size).to.equal(10_000);
    expect(result.digest).to.equal(digestOf(Buffer.alloc(10_000, 7)));
  });

  it('treats a second put of the same bytes as a no-op', async () => {
    const bytes = randomBytes(5000);
    const first = await store.put(bytes);
    const hex = first.digest.slice(7);
    const before = await stat(join(root, 'sha256', hex.slice(0, 2), hex));
    const second = await store.put(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]));
    expect(second).to.deep.equal({ ...first, created: false });
    const after = await stat(join(root, 'sha256', hex.slice(0, 2), hex));
    expect(after.ino).to.equal(before.ino);
    expect(await tmpFiles()).to.deep.equal([]);
  });

  it('lets concurrent writers of the same bytes all succeed with exactly one blob', async () => {
    const bytes = randomBytes(200_000);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        store.put(i % 2 === 0 ? bytes : Readable.from([bytes.subarray(0, 99_999), bytes.subarray(99_999)])),
      ),
    );
    expect(new Set(results.map((r) => r.digest))).to.deep.equal(new Set([digestOf(bytes)]));
    expect(results.filter((r) => r.created)).to.have.length(1);
    const listed = [];
    for await (const blob of store.list()) listed.push(blob);
    expect(listed).to.deep.equal([{ digest: digestOf(bytes), size: bytes.length }]);
    expect(await tmpFiles()).to.deep.equal([]);
  });

  const malformed = [
    'sha256:../../etc/passwd',
    `sha256:${'A'.repeat(64)}`,
    `sha256:${'a'.repeat(63)}`,
    `sha256:${'a'.repeat(65)}`,
    `SHA256:${'a'.repeat(64)}`,
    `sha512:${'a'.repeat(64)}`,
    `sha256:${'a'.repeat(62)}/x`,
    ` sha256:${'a'.repeat(64)}`,
    `sha256:${'a'.repeat(64)}\n`,
    'a'.repeat(64),
    '',
  ];
  for (const [i, digest] of malformed.entries()) {
    it(`refuses malformed digest #${i} (${JSON.stringify(digest.length > 20 ? `${digest.slice(0, 8)}…${digest.slice(-8)}` : digest)}) everywhere`, async () => {
      for (const call of [
        () => store.get(digest),
        () => store.getBytes(digest),
        () => store.stat(digest),
        () => store.has(digest),
        () => store.verify(digest),
        () => store.put(Buffer.from('x'), { expectedDigest: digest }),
      ]) {
        const error = await rejection(call());
        expect(error).to.be.instanceOf(InvalidDigestError);
        expect((error as AppError).category).to.equal('validation');
      }
    });
  }

  it('refuses an oversized streamed upload at limit + 1 without reading the rest or leaving a tmp file', async () => {
    const limit = 10_000;
    const { stream, pulled } = countingStream(1000, 1000); // 1 MB offered
    const error = await rejection(store.put(stream, { maxBytes: limit }));
    expect(error).to.be.instanceOf(EvidenceTooLargeError);
    expect((error as AppError).category).to.equal('too_large');
    expect(pulled()).to.be.below(50);
    expect(stream.destroyed).to.equal(true);
    expect(await tmpFiles()).to.deep.equal([]);
    const listed = [];
    for await (const blob of store.list()) listed.push(blob);
    expect(listed).to.deep.equal([]);
  });

  it('accepts exactly the limit and refuses one byte more', async () => {
    expect((await store.put(Buffer.alloc(100, 1), { maxBytes: 100 })).size).to.equal(100);
    expect(await rejection(store.put(Buffer.alloc(101, 1), { maxBytes: 100 }))).to.be.instanceOf(EvidenceTooLargeError);
    expect(await rejection(store.put(Readable.from([Buffer.alloc(101, 2)]), { maxBytes: 100 }))).to.be.instanceOf(
      EvidenceTooLargeError,
    );
    expect(await tmpFiles()).to.deep.equal([]);
  });

  it('applies the store default limit', async () => {
    const small = await FileSystemEvidenceStore.open(root, { maxBytes: 10 });
    expect(await rejection(small.put(Buffer.alloc(11)))).to.be.instanceOf(EvidenceTooLargeError);
  });

  it('refuses empty uploads, from bytes or from a stream', async () => {
    expect(await rejection(store.put(new Uint8Array()))).to.be.instanceOf(EmptyEvidenceError);
    expect(await rejection(store.put(Readable.from([])))).to.be.instanceOf(EmptyEvidenceError);
    expect(await tmpFiles()).to.deep.equal([]);
  });

  it('stores nothing when the bytes do not match the expected digest', async () => {
    const bytes = randomBytes(1000);
    const wrong = digestOf(randomBytes(1000));
    const error = await rejection(store.put(bytes, { expectedDigest: wrong }));
    expect(error).to.be.instanceOf(EvidenceDigestMismatchError);
    expect((error as EvidenceDigestMismatchError).actualDigest).to.equal(digestOf(bytes));
    expect(await store.has(digestOf(bytes))).to.equal(false);
    expect(await store.has(wrong)).to.equal(false);
    expect(await tmpFiles()).to.deep.equal([]);
    expect((await store.put(bytes, { expectedDigest: digestOf(bytes) })).created).to.equal(true);
  });

  it('refuses a malformed media type', async () => {
    expect(await rejection(store.put(Buffer.from('x'), { mediaType: '../etc' }))).to.be.instanceOf(
      InvalidMediaTypeError,
    );
  });

  it('removes the tmp file when the upload stream fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(100));
        this.destroy(new Error('client went away'));
      },
    });
    const error = await rejection(store.put(failing));
    expect((error as Error).message).to.equal('client went away');
    expect(await tmpFiles()).to.deep.equal([]);
  });

  it('reports a missing blob as not found', async () => {
    const digest = digestOf(Buffer.from('never stored'));
    expect(await store.stat(digest)).to.equal(undefined);
    expect(await store.has(digest)).to.equal(false);
    expect(await rejection(store.get(digest))).to.be.instanceOf(EvidenceNotFoundError);
    expect(await rejection(store.getBytes(digest))).to.be.instanceOf(EvidenceNotFoundError);
    expect(await store.verify(digest)).to.include({ ok: false, reason: 'missing' });
  });

  describe('corruption', () => {
    let bytes: Buffer;
    let digest: string;
    let path: string;
    beforeEach(async () => {
      bytes = randomBytes(4096);
      digest = (await store.put(bytes)).digest;
      const hex = digest.slice(7);
      path = join(root, 'sha256', hex.slice(0, 2), hex);
    });

    it('detects a flipped byte (same size) on getBytes, get and verify', async () => {
      const damaged = Buffer.from(bytes);
      damaged[2000] = damaged[2000]! ^ 0x01;
      await writeFile(path, damaged);
      expect(await rejection(store.getBytes(digest))).to.be.instanceOf(EvidenceCorruptedError);
      expect(await rejection(drain(await store.get(digest)))).to.be.instanceOf(EvidenceCorruptedError);
      expect(await store.verify(digest)).to.include({ ok: false, reason: 'corrupted' });
    });

    it('detects a truncated blob against the recorded size before streaming', async () => {
      await writeFile(path, bytes.subarray(0, 4000));
      expect(await rejection(store.get(digest, { expectedSize: 4096 }))).to.be.instanceOf(EvidenceCorruptedError);
      expect(await rejection(store.getBytes(digest))).to.be.instanceOf(EvidenceCorruptedError);
    });

    it('refuses a re-upload over a damaged blob instead of hiding the damage', async () => {
      await writeFile(path, bytes.subarray(0, 10));
      expect(await rejection(store.put(bytes))).to.be.instanceOf(EvidenceCorruptedError);
      expect((await readFile(path)).length).to.equal(10);
    });
  });

  it('lists every blob in digest order, ignoring foreign files', async () => {
    const blobs = await Promise.all([1, 2, 3, 4, 5].map((n) => store.put(randomBytes(n * 10))));
    await writeFile(join(root, 'sha256', 'README'), 'not a blob');
    const listed = [];
    for await (const blob of store.list()) listed.push(blob);
    const expected = blobs.map((b) => ({ digest: b.digest, size: b.size })).sort((a, b) => (a.digest < b.digest ? -1 : 1));
    expect(listed).to.deep.equal(expected);
  });

  it('removes stale tmp files on open and keeps fresh ones', async () => {
    const stale = join(root, 'tmp', 'stale.part');
    const fresh = join(root, 'tmp', 'fresh.part');
    await writeFile(stale, 'x');
    await writeFile(fresh, 'y');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await FileSystemEvidenceStore.open(root);
    expect(await tmpFiles()).to.deep.equal(['fresh.part']);
  });

  it('removes at start-up a tmp file left by a previous run once no live upload can own it (older than MAX_UPLOAD_MS)', async () => {
    const leftover = join(root, 'tmp', 'previous-run.part');
    const live = join(root, 'tmp', 'live.part');
    await writeFile(leftover, randomBytes(1024));
    await writeFile(live, 'y');
    // Last written longer ago than any request may last, but well within the hour the old sweep waited.
    const beyondAnyRequest = new Date(Date.now() - DEFAULT_STALE_TMP_AGE_MS - 60 * 1000);
    await utimes(leftover, beyondAnyRequest, beyondAnyRequest);
    const within = new Date(Date.now() - MAX_UPLOAD_MS / 2);
    await utimes(live, within, within);
    await FileSystemEvidenceStore.open(root);
    expect(await tmpFiles()).to.deep.equal(['live.part']);
  });

  it('opens read-only without creating, cleaning or writing anything', async () => {
    const bytes = randomBytes(300);
    const { digest } = await store.put(bytes);
    const stale = join(root, 'tmp', 'stale.part');
    await writeFile(stale, 'x');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(stale, old, old);
    const reader = await FileSystemEvidenceStore.open(root, { readOnly: true });
    expect(Buffer.from(await reader.getBytes(digest)).equals(bytes)).to.equal(true);
    expect(await tmpFiles()).to.deep.equal(['stale.part']);
    expect(await rejection(reader.put(randomBytes(10)))).to.be.instanceOf(EvidenceStoreReadOnlyError);

    const empty = await mkdtemp(join(tmpdir(), 'evidence-ro-'));
    try {
      const emptyReader = await FileSystemEvidenceStore.open(empty, { readOnly: true });
      const listed = [];
      for await (const blob of emptyReader.list()) listed.push(blob);
      expect(listed).to.deep.equal([]);
      expect(await readdir(empty)).to.deep.equal([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    expect(await rejection(FileSystemEvidenceStore.open(join(root, 'missing'), { readOnly: true }))).to.have.property(
      'code',
      'ENOENT',
    );
  });
});
