/**
 * The right edge of the tree (a "compact range"): for a tree of n leaves, the hash of each perfect subtree in
 * n's binary decomposition, one per set bit. It is all the sequencer needs in memory to append leaves,
 * compute the new complete subtrees and the current root, in O(log n) space.
 *
 * Invariant: `hashes[level]` is defined exactly when bit `level` of `size` is set, and is then the hash of
 * the perfect subtree of 2^level leaves with node index (size >> level) − 1.
 */
import { hash } from 'node:crypto';
import { merkle } from '../../domain/integrity/index.ts';
import { LedgerStorageError } from './errors.ts';

export interface CompletedNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

// One-shot `crypto.hash` over a reused scratch buffer: no Hash object per call (GC was a quarter of
// `ledger verify`'s time with createHash).
const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);
nodeInput[0] = 0x01;

/** SHA-256(0x00 ‖ data) for 32-byte data, as the kernel's `leafHash` (the unit spec checks they agree). */
export function leafHash(data: Uint8Array): Uint8Array {
  if (data.length !== 32) return merkle.leafHash(data);
  leafInput.set(data, 1);
  return hash('sha256', leafInput, 'buffer');
}

/** SHA-256(0x01 ‖ left ‖ right), as the kernel's `nodeHash`. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== 32 || right.length !== 32) return merkle.nodeHash(left, right);
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return hash('sha256', nodeInput, 'buffer');
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

  /** The subtree hashes, lowest level first (as `positions(size)` lists them), concatenated: 32 bytes each. */
  toBytes(): Uint8Array {
    return Buffer.concat(Frontier.positions(this.sizeValue).map(({ level }) => this.hashes[level]!));
  }

  /** The inverse of `toBytes` for a tree of `size` leaves. */
  static fromBytes(size: number, bytes: Uint8Array): Frontier {
    const positions = Frontier.positions(size);
    if (bytes.length !== positions.length * 32) {
      throw new LedgerStorageError(`a frontier of size ${size} has ${positions.length} hashes, not ${bytes.length / 32}`);
    }
    return Frontier.fromNodes(size, (level) => {
      const i = positions.findIndex((p) => p.level === level);
      return bytes.slice(i * 32, i * 32 + 32);
    });
  }

  clone(): Frontier {
    return new Frontier(this.sizeValue, [...this.hashes]);
  }

  /**
   * Appends one leaf (its 32-byte leaf hash) and returns every subtree it completes, level 0 first: the
   * kernel's `nodesCompletedBy`, inlined on node:crypto because `ledger verify` runs it a million times.
   */
  append(leaf: Uint8Array): CompletedNode[] {
    const index = this.sizeValue;
    const completed: CompletedNode[] = [{ level: 0, index, hash: leaf }];
    let level = 0;
    let nodeIndex = index;
    let current = leaf;
    while (nodeIndex % 2 === 1) {
      const left = this.hashes[level];
      if (!left) throw new LedgerStorageError(`frontier has no node (${level}, ${nodeIndex - 1}) at size ${index}`);
      current = nodeHash(left, current);
      this.hashes[level] = undefined;
      level++;
      nodeIndex = (nodeIndex - 1) / 2;
      completed.push({ level, index: nodeIndex, hash: current });
    }
    this.hashes[level] = current;
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
      if (h) acc = acc ? nodeHash(h, acc) : h;
    }
    return acc ?? merkle.emptyRoot;
  }
}
