/**
 * Builds the entries of a court bundle (bundle.md) from material the ledger supplies: records with their
 * leaf indexes and hashes, inclusion proofs against one checkpoint, the checkpoint text, the keys, the
 * evidence bytes, and the seed of the log key that signs the manifest. Pure apart from Ed25519 signing.
 *
 * The builder packages what it is given and does not re-verify it: run `verifyBundle` on the result before
 * handing a bundle out (the exporter MUST, so a node never signs a manifest over a broken bundle).
 */
import { canonicalize } from '../integrity/canonical.ts';
import { parseVerifierKey } from '../integrity/checkpoint.ts';
import { sign } from '../integrity/ed25519.ts';
import { toBase64, toHex, utf8 } from '../integrity/encoding.ts';
import { evidenceDigest, sha256Hex } from '../integrity/hash.ts';
import type { EventRecord } from '../record.ts';
import { ValidationError } from '../shared/errors.ts';
import {
  BUNDLE_FORMAT,
  DOCUMENT_ENTRY,
  ENTRY,
  EVIDENCE_PREFIX,
  HASHED_ENTRIES,
  type BundleKeys,
  type BundleManifest,
  type BundleProofs,
} from './format.ts';
import { bundleReadme } from './readme.ts';

export interface BundleRecordInput {
  leafIndex: number;
  /** Record hash, lowercase hex, as the ledger stores it. */
  hash: string;
  /** The record exactly as hashed (integrity.md §2). */
  record: EventRecord;
}

export interface BundleBuildInput {
  caseId: string;
  /** RFC 3339 UTC. */
  exportedAt: string;
  exportedBy: { kind: string; id: string };
  /** The ledger origin (the log key's name). */
  origin: string;
  /** Size of the checkpoint every proof is against. */
  treeSize: number;
  records: BundleRecordInput[];
  /** Leaf index → inclusion proof in RFC 9162 order, raw 32-byte hashes or lowercase hex. */
  inclusionProofs: ReadonlyMap<number, readonly (Uint8Array | string)[]>;
  /** The signed checkpoint (with any witness cosignature lines). */
  checkpointText: string;
  logVerifierKey: string;
  witnessVerifierKeys?: string[];
  /** Evidence blobs to include (originals, and derived media if wanted). */
  evidence: { bytes: Uint8Array; mediaType: string }[];
  /** Issued documents (`documents/<kind>-<n>.pdf`, format.ts), listed in manifest.files. */
  documents?: { name: string; bytes: Uint8Array }[];
  /** Seed of the log key: signs manifest.json. Never logged. */
  manifestSignerSeed: Uint8Array;
}

export function buildBundleEntries(input: BundleBuildInput): Map<string, Uint8Array> {
  const records = [...input.records].sort((a, b) => a.leafIndex - b.leafIndex);
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.leafIndex === records[i - 1]!.leafIndex) {
      throw new ValidationError(
        `two records at leaf index ${records[i]!.leafIndex}`,
        undefined,
        'bundle-input',
      );
    }
  }
  const recordsText = records
    .map((r) => `${canonicalize({ leafIndex: r.leafIndex, hash: r.hash, record: r.record })}\n`)
    .join('');

  const inclusion: Record<string, string[]> = {};
  for (const r of records) {
    const proof = input.inclusionProofs.get(r.leafIndex);
    if (!proof)
      throw new ValidationError(`no inclusion proof for leaf ${r.leafIndex}`, undefined, 'bundle-input');
    inclusion[String(r.leafIndex)] = proof.map((h) => (typeof h === 'string' ? h : toHex(h)));
  }
  const proofs: BundleProofs = { treeSize: input.treeSize, inclusion };
  const keys: BundleKeys = { log: input.logVerifierKey, witnesses: input.witnessVerifierKeys ?? [] };

  const entries = new Map<string, Uint8Array>();
  entries.set(ENTRY.records, utf8(recordsText));
  entries.set(ENTRY.checkpoint, utf8(input.checkpointText));
  entries.set(ENTRY.proofs, utf8(`${JSON.stringify(proofs, null, 2)}\n`));
  entries.set(ENTRY.keys, utf8(`${JSON.stringify(keys, null, 2)}\n`));

  const evidence = new Map<string, { mediaType: string; size: number }>();
  for (const e of input.evidence) {
    const digest = evidenceDigest(e.bytes);
    entries.set(`${EVIDENCE_PREFIX}${digest.slice('sha256:'.length)}`, e.bytes);
    evidence.set(digest, { mediaType: e.mediaType, size: e.bytes.length });
  }

  const streams: Record<string, number> = {};
  for (const r of records) streams[r.record.stream] = (streams[r.record.stream] ?? 0) + 1;

  // README.txt is listed in manifest.files like the other entries, so its text is covered by the signed
  // manifest: a README rewritten to say anything else fails FILES.
  const logKey = parseVerifierKey(input.logVerifierKey);
  entries.set(
    ENTRY.readme,
    utf8(
      bundleReadme({
        caseId: input.caseId,
        origin: input.origin,
        treeSize: input.treeSize,
        exportedAt: input.exportedAt,
        logVerifierKey: input.logVerifierKey,
        logKeyFingerprint: `sha256:${sha256Hex(logKey.publicKey)}`,
      }),
    ),
  );

  const documentNames: string[] = [];
  for (const d of input.documents ?? []) {
    if (!DOCUMENT_ENTRY.test(d.name) || entries.has(d.name))
      throw new ValidationError(`not a document entry name, or twice: ${d.name}`, undefined, 'bundle-input');
    entries.set(d.name, d.bytes);
    documentNames.push(d.name);
  }

  const files: Record<string, string> = {};
  for (const name of [...HASHED_ENTRIES, ENTRY.readme, ...documentNames])
    files[name] = `sha256:${sha256Hex(entries.get(name)!)}`;

  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    caseId: input.caseId,
    exportedAt: input.exportedAt,
    exportedBy: input.exportedBy,
    origin: input.origin,
    treeSize: input.treeSize,
    streams,
    evidence: [...evidence.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([digest, e]) => ({ digest, ...e })),
    files,
  };
  const manifestBytes = utf8(`${JSON.stringify(manifest, null, 2)}\n`);
  entries.set(ENTRY.manifest, manifestBytes);
  entries.set(ENTRY.manifestSig, utf8(toBase64(sign(manifestBytes, input.manifestSignerSeed))));
  return entries;
}
