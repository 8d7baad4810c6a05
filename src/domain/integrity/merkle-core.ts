/**
 * RFC 6962 §2.1 / RFC 9162 §2.1 Merkle tree maths (integrity.md §5), pure and parameterised by SHA-256 so
 * the browser verifier can reuse it. `./merkle.ts` binds it to node:crypto.
 *
 * Sizes and indexes are JavaScript numbers: trees never exceed 2^53 leaves. Every size or index is checked
 * to be a safe non-negative integer, and shifts are done arithmetically (`>>` is 32-bit in JavaScript).
 *
 * Generators (root, proofs) throw `MerkleArgumentError` for impossible requests. Verifiers never throw:
 * they return false (or undefined for the root-computing helpers) on any malformed input.
 *
 * ## The node-hash getter contract
 * Proofs and roots can be computed from stored hashes instead of leaves, in O(log n) look-ups:
 *
 *     type NodeHashGetter = (level: number, index: number) => Uint8Array
 *
 * `getNode(level, index)` MUST return the 32-byte hash of the *perfect* subtree of 2^level leaves
 * [index·2^level, (index+1)·2^level); level 0 is the leaf hash of leaf `index`, level k is
 * SHA-256(0x01 ‖ getNode(k−1, 2·index) ‖ getNode(k−1, 2·index+1)). It is only ever called for subtrees
 * that lie entirely inside the tree being proven (their last leaf < size), so a store that keeps every
 * complete subtree (as a tile store does) can answer every call. It may throw if it cannot; that error
 * propagates unchanged. A returned value that is not 32 bytes raises `MerkleArgumentError`.
 */
import { MerkleArgumentError } from './errors.ts';
import { bytesEqual, concatBytes } from './encoding.ts';
import type { HashFn } from './primitives.ts';

export type NodeHashGetter = (level: number, index: number) => Uint8Array;

export const HASH_SIZE = 32;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

export function isTreeSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

export function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function isProof(proof: unknown): proof is Uint8Array[] {
  return Array.isArray(proof) && proof.length <= 64 && proof.every(isHash);
}

/** Largest power of two strictly below n (n ≥ 2): the RFC 6962 split point. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (!isTreeSize(n) || n === 0) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

function log2Exact(n: number): number {
  let level = 0;
  while (n > 1) {
    n /= 2;
    level++;
  }
  return level;
}

const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

export interface Merkle {
  /** SHA-256 of the empty string: the root of the empty tree. */
  readonly emptyRoot: Uint8Array;
  /** SHA-256(0x00 ‖ data). For the ledger, data = the 32 raw bytes of a record hash. */
  leafHash(data: Uint8Array): Uint8Array;
  /** SHA-256(0x01 ‖ left ‖ right). */
  nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array;
  /** Root of the tree whose leaves have these leaf hashes (MTH of RFC 9162 §2.1.1). */
  merkleRoot(leafHashes: Uint8Array[]): Uint8Array;
  /** Hash of the perfect subtree [start, start + 2^level) of `leafHashes`; start MUST be a multiple of 2^level. */
  perfectSubtreeHash(leafHashes: Uint8Array[], start: number, level: number): Uint8Array;
  /** Hash of the (possibly ragged) subtree [start, end) as MTH defines it, from stored perfect-subtree hashes. */
  rangeHashFromNodes(start: number, end: number, getNode: NodeHashGetter): Uint8Array;
  /** Root of the tree of `size` leaves from stored perfect-subtree hashes: at most log2(size)+1 look-ups. */
  rootFromNodes(size: number, getNode: NodeHashGetter): Uint8Array;
  /** RFC 9162 §2.1.3.1 inclusion proof (audit path) of leaf `index` in the tree of the first `size` leaves. */
  inclusionProof(leafHashes: Uint8Array[], index: number, size: number): Uint8Array[];
  inclusionProofFromNodes(index: number, size: number, getNode: NodeHashGetter): Uint8Array[];
  /** RFC 9162 §2.1.4.1 consistency proof between the trees of the first `size1` and `size2` leaves. */
  consistencyProof(leafHashes: Uint8Array[], size1: number, size2: number): Uint8Array[];
  consistencyProofFromNodes(size1: number, size2: number, getNode: NodeHashGetter): Uint8Array[];
  /** RFC 9162 §2.1.3.2: the root an inclusion proof implies, or undefined if the proof cannot be for (index, size). */
  rootFromInclusionProof(
    leafHash: Uint8Array,
    index: number,
    size: number,
    proof: Uint8Array[],
  ): Uint8Array | undefined;
  verifyInclusion(
    leafHash: Uint8Array,
    index: number,
    size: number,
    proof: Uint8Array[],
    root: Uint8Array,
  ): boolean;
  /**
   * RFC 9162 §2.1.4.2 steps 1–6 for 0 < size1 < size2: the pair (root of size1, root of size2) the proof
   * implies, given the claimed first root (needed when size1 is a power of two). Undefined if malformed.
   */
  rootsFromConsistencyProof(
    size1: number,
    size2: number,
    root1: Uint8Array,
    proof: Uint8Array[],
  ): { root1: Uint8Array; root2: Uint8Array } | undefined;
  verifyConsistency(
    size1: number,
    size2: number,
    root1: Uint8Array,
    root2: Uint8Array,
    proof: Uint8Array[],
  ): boolean;
  /**
   * The perfect-subtree hashes that become complete when leaf `index` is appended (level 0 is the leaf
   * itself): what a tile store writes after each append. `getNode` is asked only for subtrees left of `index`.
   */
  nodesCompletedBy(
    index: number,
    leafHash: Uint8Array,
    getNode: NodeHashGetter,
  ): { level: number; index: number; hash: Uint8Array }[];
}

export function createMerkle(hash: HashFn): Merkle {
  const emptyRoot = hash(new Uint8Array(0));
  const leafHash = (data: Uint8Array): Uint8Array => hash(concatBytes(LEAF_PREFIX, data));
  const nodeHash = (left: Uint8Array, right: Uint8Array): Uint8Array =>
    hash(concatBytes(NODE_PREFIX, left, right));

  function checkedNode(getNode: NodeHashGetter, level: number, index: number): Uint8Array {
    const h = getNode(level, index);
    if (!isHash(h))
      throw new MerkleArgumentError(`node getter returned no 32-byte hash for (${level}, ${index})`);
    return h;
  }

  // MTH(D[start:end]): a perfect aligned range is one look-up, a ragged one folds its perfect pieces.
  function rangeHash(start: number, end: number, getNode: NodeHashGetter): Uint8Array {
    const len = end - start;
    if (len <= 0) throw new MerkleArgumentError(`empty range [${start}, ${end})`);
    if (isPowerOfTwo(len) && start % len === 0) return checkedNode(getNode, log2Exact(len), start / len);
    const k = splitPoint(len);
    return nodeHash(rangeHash(start, start + k, getNode), rangeHash(start + k, end, getNode));
  }

  function leavesGetter(leafHashes: Uint8Array[]): NodeHashGetter {
    const get = (level: number, index: number): Uint8Array => {
      if (level === 0) {
        const h = leafHashes[index];
        if (!isHash(h)) throw new MerkleArgumentError(`leaf ${index} is not a 32-byte hash`);
        return h;
      }
      return nodeHash(get(level - 1, 2 * index), get(level - 1, 2 * index + 1));
    };
    return get;
  }

  function checkLeaves(leafHashes: Uint8Array[], size: number): void {
    if (!Array.isArray(leafHashes)) throw new MerkleArgumentError('leaf hashes must be an array');
    if (!isTreeSize(size) || size > leafHashes.length) {
      throw new MerkleArgumentError(
        `tree size ${String(size)} is not within the ${leafHashes.length} leaves given`,
      );
    }
  }

  function rootFromNodes(size: number, getNode: NodeHashGetter): Uint8Array {
    if (!isTreeSize(size)) throw new MerkleArgumentError(`invalid tree size ${String(size)}`);
    return size === 0 ? emptyRoot : rangeHash(0, size, getNode);
  }

  function inclusionProofFromNodes(index: number, size: number, getNode: NodeHashGetter): Uint8Array[] {
    if (!isTreeSize(size) || !isTreeSize(index) || index >= size) {
      throw new MerkleArgumentError(`leaf ${String(index)} is not in a tree of size ${String(size)}`);
    }
    const path: Uint8Array[] = [];
    // PATH(m, D[start:end]), collected root-down then reversed to the RFC's leaf-up order.
    let start = 0;
    let end = size;
    while (end - start > 1) {
      const k = splitPoint(end - start);
      if (index < start + k) {
        path.push(rangeHash(start + k, end, getNode));
        end = start + k;
      } else {
        path.push(rangeHash(start, start + k, getNode));
        start += k;
      }
    }
    return path.reverse();
  }

  function consistencyProofFromNodes(size1: number, size2: number, getNode: NodeHashGetter): Uint8Array[] {
    if (!isTreeSize(size1) || !isTreeSize(size2) || size1 > size2) {
      throw new MerkleArgumentError(`no consistency proof from size ${String(size1)} to ${String(size2)}`);
    }
    if (size1 === 0 || size1 === size2) return [];
    // SUBPROOF(m, D[start:end], b) with m = size1 absolute, collected root-down then reversed.
    const proof: Uint8Array[] = [];
    let start = 0;
    let end = size2;
    let haveRoot1 = true;
    while (size1 !== end) {
      const k = splitPoint(end - start);
      if (size1 <= start + k) {
        proof.push(rangeHash(start + k, end, getNode));
        end = start + k;
      } else {
        proof.push(rangeHash(start, start + k, getNode));
        start += k;
        haveRoot1 = false;
      }
    }
    if (!haveRoot1) proof.push(rangeHash(start, end, getNode));
    return proof.reverse();
  }

  function rootFromInclusionProof(
    leaf: Uint8Array,
    index: number,
    size: number,
    proof: Uint8Array[],
  ): Uint8Array | undefined {
    if (!isHash(leaf) || !isTreeSize(index) || !isTreeSize(size) || index >= size || !isProof(proof))
      return undefined;
    let fn = index;
    let sn = size - 1;
    let r = leaf;
    for (const p of proof) {
      if (sn === 0) return undefined;
      if (isOdd(fn) || fn === sn) {
        r = nodeHash(p, r);
        if (!isOdd(fn)) {
          while (!isOdd(fn) && fn !== 0) {
            fn = half(fn);
            sn = half(sn);
          }
        }
      } else {
        r = nodeHash(r, p);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 ? r : undefined;
  }

  function rootsFromConsistencyProof(size1: number, size2: number, root1: Uint8Array, proof: Uint8Array[]) {
    if (!isTreeSize(size1) || !isTreeSize(size2) || size1 === 0 || size1 >= size2) return undefined;
    if (!isHash(root1) || !isProof(proof) || proof.length === 0) return undefined;
    const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
    let fn = size1 - 1;
    let sn = size2 - 1;
    while (isOdd(fn)) {
      fn = half(fn);
      sn = half(sn);
    }
    let fr = path[0]!;
    let sr = path[0]!;
    for (const c of path.slice(1)) {
      if (sn === 0) return undefined;
      if (isOdd(fn) || fn === sn) {
        fr = nodeHash(c, fr);
        sr = nodeHash(c, sr);
        if (!isOdd(fn)) {
          while (!isOdd(fn) && fn !== 0) {
            fn = half(fn);
            sn = half(sn);
          }
        }
      } else {
        sr = nodeHash(sr, c);
      }
      fn = half(fn);
      sn = half(sn);
    }
    return sn === 0 ? { root1: fr, root2: sr } : undefined;
  }

  return {
    emptyRoot,
    leafHash,
    nodeHash,
    merkleRoot(leafHashes) {
      checkLeaves(leafHashes, leafHashes?.length ?? 0);
      return rootFromNodes(leafHashes.length, leavesGetter(leafHashes));
    },
    perfectSubtreeHash(leafHashes, start, level) {
      if (!isTreeSize(level) || level > 52 || !isTreeSize(start) || start % 2 ** level !== 0) {
        throw new MerkleArgumentError(
          `no perfect subtree of level ${String(level)} starts at ${String(start)}`,
        );
      }
      checkLeaves(leafHashes, start + 2 ** level);
      return leavesGetter(leafHashes)(level, start / 2 ** level);
    },
    rangeHashFromNodes(start, end, getNode) {
      if (!isTreeSize(start) || !isTreeSize(end) || start >= end) {
        throw new MerkleArgumentError(`invalid range [${String(start)}, ${String(end)})`);
      }
      return rangeHash(start, end, getNode);
    },
    rootFromNodes,
    inclusionProof(leafHashes, index, size) {
      checkLeaves(leafHashes, size);
      return inclusionProofFromNodes(index, size, leavesGetter(leafHashes));
    },
    inclusionProofFromNodes,
    consistencyProof(leafHashes, size1, size2) {
      checkLeaves(leafHashes, size2);
      return consistencyProofFromNodes(size1, size2, leavesGetter(leafHashes));
    },
    consistencyProofFromNodes,
    rootFromInclusionProof,
    verifyInclusion(leaf, index, size, proof, root) {
      if (!isHash(root)) return false;
      const computed = rootFromInclusionProof(leaf, index, size, proof);
      return computed !== undefined && bytesEqual(computed, root);
    },
    rootsFromConsistencyProof,
    verifyConsistency(size1, size2, root1, root2, proof) {
      if (!isTreeSize(size1) || !isTreeSize(size2) || size1 > size2) return false;
      if (!isHash(root1) || !isHash(root2) || !Array.isArray(proof)) return false;
      // The empty tree is a prefix of every tree; its root is fixed.
      if (size1 === 0) return proof.length === 0 && bytesEqual(root1, emptyRoot);
      if (size1 === size2) return proof.length === 0 && bytesEqual(root1, root2);
      const roots = rootsFromConsistencyProof(size1, size2, root1, proof);
      return roots !== undefined && bytesEqual(roots.root1, root1) && bytesEqual(roots.root2, root2);
    },
    nodesCompletedBy(index, leaf, getNode) {
      if (!isTreeSize(index) || !isHash(leaf))
        throw new MerkleArgumentError('invalid leaf for nodesCompletedBy');
      const out = [{ level: 0, index, hash: leaf }];
      let level = 0;
      let nodeIndex = index;
      let current = leaf;
      while (isOdd(nodeIndex)) {
        current = nodeHash(checkedNode(getNode, level, nodeIndex - 1), current);
        level++;
        nodeIndex = half(nodeIndex);
        out.push({ level, index: nodeIndex, hash: current });
      }
      return out;
    },
  };
}
