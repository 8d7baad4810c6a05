import { expect } from 'chai';
import fc from 'fast-check';
import { leafHash, merkleRoot, nodeHash, perfectSubtreeHash, sha256 } from '../../../src/domain/integrity/index.ts';
import { Frontier, leafHash as fastLeafHash, nodeHash as fastNodeHash } from '../../../src/adapters/ledger/frontier.ts';

const recordHash = (i: number): Uint8Array => sha256(`record-${i}`);

describe('ledger frontier (compact range)', () => {
  it('hashes leaves and nodes exactly as the integrity kernel does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        expect(Buffer.from(fastLeafHash(a)).equals(Buffer.from(leafHash(a)))).to.equal(true);
        expect(Buffer.from(fastNodeHash(a, b)).equals(Buffer.from(nodeHash(a, b)))).to.equal(true);
      }),
    );
    const odd = new Uint8Array(5).fill(3);
    expect(Buffer.from(fastLeafHash(odd)).equals(Buffer.from(leafHash(odd)))).to.equal(true);
  });

  it('gives the RFC 6962 root of every prefix, including the empty tree', () => {
    const frontier = Frontier.empty();
    const leaves: Uint8Array[] = [];
    expect(Buffer.from(frontier.root())).to.deep.equal(Buffer.from(merkleRoot([])));
    for (let i = 0; i < 70; i++) {
      frontier.appendRecordHash(recordHash(i));
      leaves.push(leafHash(recordHash(i)));
      expect(Buffer.from(frontier.root()).toString('hex'), `size ${i + 1}`).to.equal(Buffer.from(merkleRoot(leaves)).toString('hex'));
    }
  });

  it('reports every completed perfect subtree with the hash the leaves give', () => {
    const frontier = Frontier.empty();
    const leaves: Uint8Array[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const { completed } = frontier.appendRecordHash(recordHash(i));
      leaves.push(leafHash(recordHash(i)));
      for (const n of completed) {
        seen.add(`${n.level}:${n.index}`);
        const expected = perfectSubtreeHash(leaves, n.index * 2 ** n.level, n.level);
        expect(Buffer.from(n.hash).equals(Buffer.from(expected))).to.equal(true);
      }
    }
    // 40 leaves: 40 + 20 + 10 + 5 + 2 + 1 perfect subtrees.
    expect(seen.size).to.equal(78);
  });

  it('rebuilds from the stored hashes at its positions and continues identically', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 20 }), (size, more) => {
        const store = new Map<string, Uint8Array>();
        const a = Frontier.empty();
        for (let i = 0; i < size; i++) for (const n of a.appendRecordHash(recordHash(i)).completed) store.set(`${n.level}:${n.index}`, n.hash);
        const b = Frontier.fromNodes(size, (level, index) => store.get(`${level}:${index}`)!);
        for (let i = size; i < size + more; i++) {
          a.appendRecordHash(recordHash(i));
          b.appendRecordHash(recordHash(i));
        }
        expect(Buffer.from(b.root()).equals(Buffer.from(a.root()))).to.equal(true);
      }),
      { numRuns: 60 },
    );
  });

  it('positions are the set bits of the size, largest subtree first in the tree', () => {
    expect(Frontier.positions(0)).to.deep.equal([]);
    expect(Frontier.positions(13)).to.deep.equal([
      { level: 0, index: 12 },
      { level: 2, index: 2 },
      { level: 3, index: 0 },
    ]);
  });

  it('matches the kernel nodesCompletedBy contract', () => {
    const frontier = Frontier.empty();
    for (let i = 0; i < 7; i++) frontier.appendRecordHash(recordHash(i));
    const { completed } = frontier.appendRecordHash(recordHash(7));
    expect(completed.map((n) => [n.level, n.index])).to.deep.equal([
      [0, 7],
      [1, 3],
      [2, 1],
      [3, 0],
    ]);
  });
});
