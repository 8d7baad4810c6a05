import { expect } from 'chai';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  consistencyProof,
  consistencyProofFromNodes,
  emptyRoot,
  fromHex,
  inclusionProof,
  inclusionProofFromNodes,
  leafHash,
  MerkleArgumentError,
  merkleRoot,
  nodeHash,
  nodesCompletedBy,
  perfectSubtreeHash,
  recordLeafHash,
  rootFromInclusionProof,
  rootFromNodes,
  rootsFromConsistencyProof,
  sha256,
  toHex,
  verifyConsistency,
  verifyInclusion,
  type NodeHashGetter,
} from '../../../src/domain/integrity/index.ts';

interface Vectors {
  leaves: string[];
  roots: string[];
  emptyRoot: string;
  inclusion: { index: number; size: number; proof: string[] }[];
  consistency: { size1: number; size2: number; proof: string[] }[];
}
const vectors = JSON.parse(
  readFileSync(new URL('../../fixtures/integrity/rfc6962-merkle.json', import.meta.url), 'utf8'),
) as Vectors;
const hex = (h: string): Uint8Array => fromHex(h)!;
const leaves = vectors.leaves.map((l) => leafHash(hex(l)));

function randomLeaves(n: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(sha256(`${seed}:${i}`)));
}

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[Math.floor(bit / 8) % copy.length]! ^= 1 << (bit % 8);
  return copy;
}

/** A node store like the ledger's: every complete perfect subtree hash, keyed by (level, index). */
function nodeStore(leafHashes: Uint8Array[]): { get: NodeHashGetter; lookups: () => number } {
  const store = new Map<string, Uint8Array>();
  leafHashes.forEach((leaf, i) => {
    for (const n of nodesCompletedBy(i, leaf, (level, index) => store.get(`${level}/${index}`)!))
      store.set(`${n.level}/${n.index}`, n.hash);
  });
  let count = 0;
  return {
    get: (level, index) => {
      count++;
      const h = store.get(`${level}/${index}`);
      if (!h) throw new Error(`no stored node ${level}/${index}`);
      return h;
    },
    lookups: () => count,
  };
}

describe('integrity: RFC 6962 / RFC 9162 Merkle tree', () => {
  describe('reference vectors (transparency-dev/merkle, certificate-transparency-go)', () => {
    it('has the empty-tree root SHA-256("")', () => {
      expect(toHex(emptyRoot)).to.equal(vectors.emptyRoot);
      expect(toHex(merkleRoot([]))).to.equal(vectors.emptyRoot);
    });

    it('computes the roots of the first 1…8 leaves', () => {
      for (let n = 1; n <= 8; n++)
        expect(toHex(merkleRoot(leaves.slice(0, n))), `size ${n}`).to.equal(vectors.roots[n - 1]);
    });

    for (const v of vectors.inclusion) {
      it(`inclusion proof of leaf ${v.index} in a tree of ${v.size}`, () => {
        const proof = inclusionProof(leaves, v.index, v.size);
        expect(proof.map(toHex)).to.deep.equal(v.proof);
        expect(
          verifyInclusion(
            leaves[v.index]!,
            v.index,
            v.size,
            v.proof.map(hex),
            hex(vectors.roots[v.size - 1]!),
          ),
        ).to.equal(true);
        expect(toHex(rootFromInclusionProof(leaves[v.index]!, v.index, v.size, proof)!)).to.equal(
          vectors.roots[v.size - 1],
        );
      });
    }

    for (const v of vectors.consistency) {
      it(`consistency proof from ${v.size1} to ${v.size2}`, () => {
        expect(consistencyProof(leaves, v.size1, v.size2).map(toHex)).to.deep.equal(v.proof);
        const ok = verifyConsistency(
          v.size1,
          v.size2,
          hex(vectors.roots[v.size1 - 1]!),
          hex(vectors.roots[v.size2 - 1]!),
          v.proof.map(hex),
        );
        expect(ok).to.equal(true);
      });
    }

    it('hashes a record hash hex as a leaf, and refuses anything else', () => {
      expect(toHex(recordLeafHash('ab'.repeat(32)))).to.equal(toHex(leafHash(hex('ab'.repeat(32)))));
      expect(() => recordLeafHash('AB'.repeat(32))).to.throw(MerkleArgumentError);
      expect(() => recordLeafHash('ab')).to.throw(MerkleArgumentError);
    });

    it('rejects the reference consistency proof 6→8 against the root of 5 (the wrong old root)', () => {
      const v = vectors.consistency[3]!;
      expect(
        verifyConsistency(6, 8, hex(vectors.roots[4]!), hex(vectors.roots[7]!), v.proof.map(hex)),
      ).to.equal(false);
    });
  });

  describe('malformed input never throws from a verifier', () => {
    const proof = inclusionProof(leaves, 5, 8);
    const root = merkleRoot(leaves);
    const cases: [string, () => boolean][] = [
      ['index = size', () => verifyInclusion(leaves[5]!, 8, 8, proof, root)],
      ['negative index', () => verifyInclusion(leaves[5]!, -1, 8, proof, root)],
      ['fractional index', () => verifyInclusion(leaves[5]!, 5.5, 8, proof, root)],
      ['size 0', () => verifyInclusion(leaves[5]!, 0, 0, [], emptyRoot)],
      ['size beyond 2^53', () => verifyInclusion(leaves[5]!, 5, 2 ** 60, proof, root)],
      ['31-byte leaf', () => verifyInclusion(leaves[5]!.subarray(1), 5, 8, proof, root)],
      [
        '33-byte proof element',
        () => verifyInclusion(leaves[5]!, 5, 8, [new Uint8Array(33), ...proof.slice(1)], root),
      ],
      ['proof of strings', () => verifyInclusion(leaves[5]!, 5, 8, ['ab'] as unknown as Uint8Array[], root)],
      ['null proof', () => verifyInclusion(leaves[5]!, 5, 8, null as unknown as Uint8Array[], root)],
      ['root too short', () => verifyInclusion(leaves[5]!, 5, 8, proof, root.subarray(2))],
      ['extra proof element', () => verifyInclusion(leaves[5]!, 5, 8, [...proof, root], root)],
      ['missing proof element', () => verifyInclusion(leaves[5]!, 5, 8, proof.slice(0, 2), root)],
      ['consistency size1 > size2', () => verifyConsistency(8, 5, root, root, [])],
      [
        'consistency empty proof for 2→5',
        () => verifyConsistency(2, 5, merkleRoot(leaves.slice(0, 2)), merkleRoot(leaves.slice(0, 5)), []),
      ],
      [
        'consistency from 0 with a proof',
        () => verifyConsistency(0, 5, emptyRoot, merkleRoot(leaves.slice(0, 5)), [root]),
      ],
      [
        'consistency equal sizes, different roots',
        () => verifyConsistency(5, 5, root, merkleRoot(leaves.slice(0, 5)), []),
      ],
      ['consistency NaN size', () => verifyConsistency(NaN, 5, root, root, [root])],
    ];
    for (const [name, run] of cases) {
      it(`returns false for ${name}`, () => {
        expect(run()).to.equal(false);
      });
    }

    it('accepts the trivial consistency cases (0→n with the empty root, n→n with equal roots)', () => {
      expect(verifyConsistency(0, 8, emptyRoot, root, [])).to.equal(true);
      expect(verifyConsistency(8, 8, root, root, [])).to.equal(true);
    });

    it('generators refuse impossible requests with MerkleArgumentError', () => {
      expect(() => inclusionProof(leaves, 8, 8)).to.throw(MerkleArgumentError);
      expect(() => inclusionProof(leaves, 0, 9)).to.throw(MerkleArgumentError);
      expect(() => consistencyProof(leaves, 5, 3)).to.throw(MerkleArgumentError);
      expect(() => perfectSubtreeHash(leaves, 2, 2)).to.throw(MerkleArgumentError);
      expect(() => rootFromNodes(3, () => new Uint8Array(5))).to.throw(MerkleArgumentError);
      expect(rootsFromConsistencyProof(0, 4, root, [root])).to.equal(undefined);
    });
  });

  describe('stored-node proofs (the ledger tile store path)', () => {
    it('computes perfect subtree hashes for [start, start + 2^k)', () => {
      expect(toHex(perfectSubtreeHash(leaves, 4, 2))).to.equal(toHex(merkleRoot(leaves.slice(4, 8))));
      expect(toHex(perfectSubtreeHash(leaves, 0, 3))).to.equal(vectors.roots[7]);
      expect(perfectSubtreeHash(leaves, 6, 0)).to.equal(leaves[6]);
    });

    it('matches the leaf-array results and needs only O(log n) look-ups', () => {
      const many = randomLeaves(1000, 7);
      const store = nodeStore(many);
      expect(toHex(rootFromNodes(1000, store.get))).to.equal(toHex(merkleRoot(many)));
      const before = store.lookups();
      const proof = inclusionProofFromNodes(611, 1000, store.get);
      expect(store.lookups() - before).to.be.at.most(2 * 11);
      expect(proof.map(toHex)).to.deep.equal(inclusionProof(many, 611, 1000).map(toHex));
      const before2 = store.lookups();
      const cproof = consistencyProofFromNodes(377, 1000, store.get);
      expect(store.lookups() - before2).to.be.at.most(4 * 11);
      expect(cproof.map(toHex)).to.deep.equal(consistencyProof(many, 377, 1000).map(toHex));
    });

    it('reports each newly complete node on append', () => {
      const completed = nodesCompletedBy(7, leaves[7]!, (level, index) =>
        perfectSubtreeHash(leaves, index * 2 ** level, level),
      );
      expect(completed.map((n) => [n.level, n.index])).to.deep.equal([
        [0, 7],
        [1, 3],
        [2, 1],
        [3, 0],
      ]);
      expect(toHex(completed[3]!.hash)).to.equal(vectors.roots[7]);
      expect(toHex(nodeHash(leaves[0]!, leaves[1]!))).to.equal(vectors.roots[1]);
    });
  });

  describe('properties over random trees', () => {
    const tree = fc
      .integer({ min: 1, max: 300 })
      .chain((size) =>
        fc.record({
          size: fc.constant(size),
          index: fc.integer({ min: 0, max: size - 1 }),
          seed: fc.integer(),
        }),
      );

    it('every inclusion proof verifies, and a flipped bit, wrong index or wrong size fails', () => {
      fc.assert(
        fc.property(tree, fc.nat(), ({ size, index, seed }, bitSeed) => {
          const ls = randomLeaves(size, seed);
          const root = merkleRoot(ls);
          const proof = inclusionProof(ls, index, size);
          expect(verifyInclusion(ls[index]!, index, size, proof, root)).to.equal(true);
          expect(verifyInclusion(flipBit(ls[index]!, bitSeed % 256), index, size, proof, root)).to.equal(
            false,
          );
          expect(verifyInclusion(ls[index]!, index, size, proof, flipBit(root, bitSeed % 256))).to.equal(
            false,
          );
          if (proof.length > 0) {
            const k = bitSeed % proof.length;
            const bad = proof.map((p, i) => (i === k ? flipBit(p, bitSeed % 256) : p));
            expect(verifyInclusion(ls[index]!, index, size, bad, root)).to.equal(false);
          }
          if (size > 1) {
            const other = (index + 1 + (bitSeed % (size - 1))) % size;
            expect(verifyInclusion(ls[index]!, other, size, proof, root)).to.equal(false);
          }
          // A checkpoint binds each root to its size: the proof for (index, size) must fail against the
          // root of any other size of the same log (the extended log shares this log's leaves as a prefix).
          const extended = [...ls, ...randomLeaves(size + 1, seed + 1)];
          for (const wrongSize of [size + 1, size - 1, size * 2]) {
            if (wrongSize > index) {
              expect(
                verifyInclusion(
                  ls[index]!,
                  index,
                  wrongSize,
                  proof,
                  merkleRoot(extended.slice(0, wrongSize)),
                ),
              ).to.equal(false);
            }
          }
        }),
        { numRuns: 200 },
      );
    });

    it('every consistency proof verifies, and a flipped bit or wrong size fails', () => {
      const sizes = fc
        .integer({ min: 2, max: 300 })
        .chain((size2) =>
          fc.record({
            size2: fc.constant(size2),
            size1: fc.integer({ min: 1, max: size2 - 1 }),
            seed: fc.integer(),
          }),
        );
      fc.assert(
        fc.property(sizes, fc.nat(), ({ size1, size2, seed }, bitSeed) => {
          const ls = randomLeaves(size2, seed);
          const root1 = merkleRoot(ls.slice(0, size1));
          const root2 = merkleRoot(ls);
          const proof = consistencyProof(ls, size1, size2);
          expect(verifyConsistency(size1, size2, root1, root2, proof)).to.equal(true);
          expect(verifyConsistency(size1, size2, flipBit(root1, bitSeed % 256), root2, proof)).to.equal(
            false,
          );
          expect(verifyConsistency(size1, size2, root1, flipBit(root2, bitSeed % 256), proof)).to.equal(
            false,
          );
          const k = bitSeed % proof.length;
          const bad = proof.map((p, i) => (i === k ? flipBit(p, bitSeed % 256) : p));
          expect(verifyConsistency(size1, size2, root1, root2, bad)).to.equal(false);
          if (size1 + 1 < size2)
            expect(
              verifyConsistency(size1 + 1, size2, merkleRoot(ls.slice(0, size1 + 1)), root2, proof),
            ).to.equal(false);
          const extendedRoot = merkleRoot([...ls, ...randomLeaves(1, seed + 1)]);
          expect(verifyConsistency(size1, size2 + 1, root1, extendedRoot, proof)).to.equal(false);
          if (size1 > 1)
            expect(
              verifyConsistency(size1 - 1, size2, merkleRoot(ls.slice(0, size1 - 1)), root2, proof),
            ).to.equal(false);
        }),
        { numRuns: 200 },
      );
    });
  });
});
