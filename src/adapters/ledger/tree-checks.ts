/**
 * The tree half of `ledger verify`, over whole batches of leaves so it can run on a worker thread: each leaf's
 * hash rebuilt from the record hash it holds, SHA-256(0x00 ‖ record hash), and compared with the stored one;
 * the tree rebuilt from the leaves alone (a compact range); the subtrees each leaf completes, for comparison
 * with the stored ones; and the root at each checkpoint's size. Two SHA-256 runs per leaf, each once.
 *
 * `TreeChecks` carries the frontier from batch to batch; `treeCheckThread` is the worker thread's entry, one
 * `TreeChecks` per thread, fed batches in leaf order. The same class runs inline for small ledgers.
 */
import { Frontier } from './frontier.ts';

/**
 * A batch of stored leaves, packed: 32 bytes per leaf in each array. A leaf whose stored hashes are not 32
 * bytes each (a damaged row) is in `irregular` by its index in the batch, as stored, and zeros in the arrays.
 */
export interface PackedLeaves {
  count: number;
  recordHashes: Uint8Array;
  leafHashes: Uint8Array;
  irregular?: Record<number, { recordHash: Uint8Array; leafHash: Uint8Array }>;
}

/** Packs stored leaves for `TreeChecks.batch`. */
export function packLeaves(
  leaves: readonly { recordHash: Uint8Array; leafHash: Uint8Array }[],
): PackedLeaves {
  const packed: PackedLeaves = {
    count: leaves.length,
    recordHashes: new Uint8Array(leaves.length * 32),
    leafHashes: new Uint8Array(leaves.length * 32),
  };
  leaves.forEach((leaf, i) => {
    if (leaf.recordHash.length === 32 && leaf.leafHash.length === 32) {
      packed.recordHashes.set(leaf.recordHash, i * 32);
      packed.leafHashes.set(leaf.leafHash, i * 32);
    } else {
      (packed.irregular ??= {})[i] = { recordHash: leaf.recordHash, leafHash: leaf.leafHash };
    }
  });
  return packed;
}

/** Subtree hashes (level ≥ 1) in the order the leaves completed them. */
export interface PackedNodes {
  count: number;
  levels: Uint8Array;
  indexes: Float64Array;
  hashes: Uint8Array;
}

export interface CheckedLeafBatch {
  /** 1 where the stored leaf hash is SHA-256(0x00 ‖ the record hash it holds), 0 where it is not. */
  leafHashMatches: Uint8Array;
  nodes: PackedNodes;
  /** The rebuilt root after each leaf (by index in the batch) that brings the tree to one of the sizes asked for. */
  roots: { index: number; size: number; root: Uint8Array }[];
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

export class TreeChecks {
  private readonly frontier = Frontier.empty();
  private readonly rootSizes: Set<number>;

  /** `rootSizes`: tree sizes whose root is wanted (the stored checkpoints'). */
  constructor(rootSizes: Iterable<number>) {
    this.rootSizes = new Set(rootSizes);
  }

  batch(leaves: PackedLeaves): CheckedLeafBatch {
    const { count } = leaves;
    const recordHashes = Buffer.from(
      leaves.recordHashes.buffer,
      leaves.recordHashes.byteOffset,
      leaves.recordHashes.byteLength,
    );
    const storedLeafHashes = Buffer.from(
      leaves.leafHashes.buffer,
      leaves.leafHashes.byteOffset,
      leaves.leafHashes.byteLength,
    );
    const leafHashMatches = new Uint8Array(count);
    // n consecutive leaves complete at most n + 64 subtrees of level ≥ 1.
    const capacity = count + 64;
    const nodes: PackedNodes = {
      count: 0,
      levels: new Uint8Array(capacity),
      indexes: new Float64Array(capacity),
      hashes: new Uint8Array(capacity * 32),
    };
    const roots: CheckedLeafBatch['roots'] = [];
    for (let i = 0; i < count; i++) {
      const irregular = leaves.irregular?.[i];
      const rebuilt = this.frontier.appendRecordHash(
        irregular?.recordHash ?? recordHashes.subarray(i * 32, i * 32 + 32),
      );
      if (same(rebuilt.leafHash, irregular?.leafHash ?? storedLeafHashes.subarray(i * 32, i * 32 + 32)))
        leafHashMatches[i] = 1;
      for (const n of rebuilt.completed) {
        if (n.level === 0) continue;
        nodes.levels[nodes.count] = n.level;
        nodes.indexes[nodes.count] = n.index;
        nodes.hashes.set(n.hash, nodes.count * 32);
        nodes.count++;
      }
      if (this.rootSizes.has(this.frontier.size))
        roots.push({ index: i, size: this.frontier.size, root: this.frontier.root() });
    }
    return { leafHashMatches, nodes, roots };
  }
}

export type TreeCheckRequest = { leaves: PackedLeaves; rootSizes: number[] };

let threadChecks: TreeChecks | undefined;

/** Worker-thread entry (src/workers/queue/thread-task.ts, one thread, calls in order); a thread serves one run. */
export function treeCheckThread(request: TreeCheckRequest): CheckedLeafBatch {
  threadChecks ??= new TreeChecks(request.rootSizes);
  return threadChecks.batch(request.leaves);
}
