import { expect } from 'chai';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EmptyEvidenceError, EvidenceTooLargeError, FileSystemEvidenceStore } from '../../../src/adapters/evidence/index.ts';

/** Splits `bytes` at the given cut points (any order, duplicates allowed). */
function chunked(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
}

describe('FileSystemEvidenceStore properties', () => {
  let root: string;
  let store: FileSystemEvidenceStore;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'evidence-prop-'));
    store = await FileSystemEvidenceStore.open(root);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores any bytes, however chunked, under their SHA-256 iff within the limit, leaving no tmp file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 0, maxLength: 4096 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 4096 }),
        async (bytes, cuts, limit) => {
          const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
          let outcome: unknown;
          try {
            outcome = await store.put(Readable.from(chunked(bytes, cuts)), { maxBytes: limit });
          } catch (error) {
            outcome = error;
          }
          if (bytes.length === 0) expect(outcome).to.be.instanceOf(EmptyEvidenceError);
          else if (bytes.length > limit) {
            expect(outcome).to.be.instanceOf(EvidenceTooLargeError);
          } else {
            expect(outcome).to.deep.include({ digest, size: bytes.length });
            expect(Buffer.from(await store.getBytes(digest)).equals(Buffer.from(bytes))).to.equal(true);
          }
          expect(await readdir(join(root, 'tmp'))).to.deep.equal([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
