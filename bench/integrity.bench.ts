/**
 * Integrity kernel figures, each as a ratio against a baseline measured in the same run:
 * - Ed25519 verification: node:crypto vs tweetnacl (baseline).
 * - Leaf hashing (SHA-256(0x00 ‖ 32 bytes), the ledger's per-record cost) vs bulk SHA-256 of 1 MiB blocks (baseline).
 * - Inclusion proofs from stored node hashes (the ledger path) vs recomputation from the leaf array (baseline).
 * - RFC 8785 canonicalization of a record vs JSON.stringify (baseline).
 */
import { createHash } from 'node:crypto';
import nacl from 'tweetnacl';
import {
  canonicalize,
  generateSeed,
  inclusionProof,
  inclusionProofFromNodes,
  leafHash,
  nodesCompletedBy,
  publicKeyFromSeed,
  sign,
  verify,
  type NodeHashGetter,
} from '../src/domain/integrity/index.ts';
import { figure, quick } from './report.ts';

/** Runs `fn` repeatedly for about `ms` milliseconds; returns operations per second. */
function rate(fn: () => void, ms = 600): number {
  if (quick) ms = Math.min(ms, 150);
  for (let i = 0; i < 50; i++) fn(); // warm-up
  let n = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < deadline) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

export async function run(): Promise<void> {
  // Ed25519 verification.
  const seed = generateSeed();
  const pub = publicKeyFromSeed(seed);
  const message = new TextEncoder().encode(
    canonicalize({
      purpose: 'review/v1',
      caseId: '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60',
      evidence: ['sha256:' + '0'.repeat(64)],
    }),
  );
  const signature = sign(message, seed);
  const naclRate = rate(() => nacl.sign.detached.verify(message, signature, pub), 1500);
  const nodeRate = rate(() => verify(message, signature, pub));
  figure({ bench: 'integrity', figure: 'ed25519-verify', value: nodeRate, unit: 'verifies/s', baseline: naclRate });
  console.log(
    `ed25519 verify: node:crypto ${fmt(nodeRate)}/s, tweetnacl ${fmt(naclRate)}/s → ×${fmt(nodeRate / naclRate)} (baseline tweetnacl)`,
  );

  // Leaf hashing vs bulk SHA-256.
  const block = new Uint8Array(1024 * 1024).map((_, i) => i & 255);
  const bulk = rate(() => createHash('sha256').update(block).digest(), 600);
  const bulkMBs = bulk;
  const leafData = new Uint8Array(32).fill(7);
  const leaves = rate(() => leafHash(leafData));
  const leafMBs = (leaves * 33) / (1024 * 1024);
  figure({ bench: 'integrity', figure: 'leaf-hashing', value: leafMBs, unit: 'MiB/s', baseline: bulkMBs });
  console.log(
    `sha-256: bulk ${fmt(bulkMBs)} MiB/s; leaf hashing ${fmt(leaves)} leaves/s = ${fmt(leafMBs)} MiB/s → ×${fmt(leafMBs / bulkMBs)} of bulk throughput (baseline bulk)`,
  );

  // Proof generation: stored nodes vs recomputation.
  const size = 1 << 16;
  const leafHashes = Array.from({ length: size }, (_, i) =>
    leafHash(createHash('sha256').update(`r${i}`).digest()),
  );
  const store = new Map<number, Uint8Array>();
  const key = (level: number, index: number) => level * 2 ** 40 + index;
  const get: NodeHashGetter = (level, index) => store.get(key(level, index))!;
  leafHashes.forEach((leaf, i) => {
    for (const n of nodesCompletedBy(i, leaf, get)) store.set(key(n.level, n.index), n.hash);
  });
  let i = 0;
  const fromLeaves = rate(
    () => inclusionProof(leafHashes, (i = (i * 7919 + 1) % (size - 3)), size - 3),
    1500,
  );
  const fromNodes = rate(() => inclusionProofFromNodes((i = (i * 7919 + 1) % (size - 3)), size - 3, get));
  figure({ bench: 'integrity', figure: 'inclusion-proof', value: fromNodes, unit: 'proofs/s', baseline: fromLeaves });
  console.log(
    `inclusion proof, tree of ${size - 3}: stored nodes ${fmt(fromNodes)}/s, recomputed from leaves ${fmt(fromLeaves)}/s → ×${fmt(fromNodes / fromLeaves)} (baseline recompute)`,
  );

  // Canonicalization.
  const record = {
    v: 1,
    id: '0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60',
    stream: 'case-0191f2b4-7c1e-7a52-9a0b-3f1c2d4e5f60',
    revision: 3,
    type: 'ReviewConfirmed',
    data: {
      signoff: {
        purpose: 'review/v1',
        evidence: ['sha256:' + 'a'.repeat(64), 'sha256:' + 'b'.repeat(64)],
        plate: '30A-123.45',
      },
      signature: 'x'.repeat(88),
      keyId: 'abcdef0123456789',
    },
    meta: {
      actor: { kind: 'officer', id: 'off-01-0001' },
      province: '01',
      recordedAt: '2026-11-24T09:00:00.123Z',
    },
    prev: '0'.repeat(64),
  };
  const stringify = rate(() => JSON.stringify(record));
  const jcs = rate(() => canonicalize(record));
  figure({ bench: 'integrity', figure: 'canonicalize', value: jcs, unit: 'records/s', baseline: stringify });
  console.log(
    `canonicalize record: ${fmt(jcs)}/s, JSON.stringify ${fmt(stringify)}/s → ×${fmt(jcs / stringify)} (baseline JSON.stringify)`,
  );
}
