/**
 * The right edge of the tree (a "compact range"): for a tree of n leaves, the hash of each perfect subtree in
 * n's binary decomposition, one per set bit. It is all the sequencer needs in memory to append leaves,
 * compute the new complete subtrees and the current root, in O(log n) space.
 *
 * Invariant: `hashes[level]` is defined exactly when bit `level` of `size` is set, and is then the hash of
 * the perfect subtree of 2^level leaves with node index (size >> level) − 1.
 */
import { leafHash, merkle, nodesCompletedBy } from '../../domain/integrity/index.ts';
import { LedgerStorageError } from './errors.ts';

export interface CompletedNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

export class Frontier {
  private constructor(
    private sizeValue: number,
    private readonly hashes: (Uint8Array | undefined)[],
  ) {}

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  /** The (level, index) of each subtree the frontier of a tree of `size` leaves holds. */
  static positions(size: number): { level: number; index: number }[] {
    const out: { level: number; index: number }[] = [];
    for (let level = 0; 2 ** level <= size; level++) {
      const shifted = Math.floor(size / 2 ** level);
      if (shifted % 2 === 1) out.push({ level, index: shifted - 1 });
    }
    return out;
  }

  /** Rebuilds from stored hashes at `positions(size)`. */
  static fromNodes(size: number, get: (level: number, index: number) => Uint8Array): Frontier {
    const hashes: (Uint8Array | undefined)[] = [];
    for (const { level, index } of Frontier.positions(size)) hashes[level] = get(level, index);
    return new Frontier(size, hashes);
  }

  get size(): number {
    return this.sizeValue;
  }

  clone(): Frontier {
    return new Frontier(this.sizeValue, [...this.hashes]);
  }

  /** Appends one leaf (its 32-byte leaf hash) and returns every subtree it completes, level 0 first. */
  append(leaf: Uint8Array): CompletedNode[] {
    const index = this.sizeValue;
    const completed = nodesCompletedBy(index, leaf, (level, nodeIndex) => {
      const h = this.hashes[level];
      if (!h || nodeIndex !== Math.floor(index / 2 ** level) - 1) {
        throw new LedgerStorageError(`frontier has no node (${level}, ${nodeIndex}) at size ${index}`);
      }
      return h;
    });
    const top = completed[completed.length - 1]!;
    for (let level = 0; level < top.level; level++) this.hashes[level] = undefined;
    this.hashes[top.level] = top.hash;
    this.sizeValue = index + 1;
    return completed;
  }

  /** Appends the leaf of a record hash (32 raw bytes). */
  appendRecordHash(recordHash: Uint8Array): { leafHash: Uint8Array; completed: CompletedNode[] } {
    const leaf = leafHash(recordHash);
    return { leafHash: leaf, completed: this.append(leaf) };
  }

  /** RFC 6962 root of the current tree: fold the subtrees right to left. */
  root(): Uint8Array {
    let acc: Uint8Array | undefined;
    for (let level = 0; level < this.hashes.length; level++) {
      const h = this.hashes[level];
      if (h) acc = acc ? merkle.nodeHash(h, acc) : h;
    }
    return acc ?? merkle.emptyRoot;
  }
}
