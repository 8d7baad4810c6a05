/** README.txt of a bundle (bundle.md): how to verify it, in plain words, for a person. */
export interface ReadmeFacts {
  caseId: string;
  origin: string;
  treeSize: number;
  exportedAt: string;
  logVerifierKey: string;
  logKeyFingerprint: string;
}

export function bundleReadme(f: ReadmeFacts): string {
  return `Court evidence bundle for case ${f.caseId}
Format: vn-traffic-evidence-bundle/v1. Exported ${f.exportedAt} from ledger ${f.origin} (tree size ${f.treeSize}).

WHAT THIS FILE IS
This archive holds every record of the case (detection, reviews, decisions, notices, payments), the custody
log of who accessed the evidence, the camera and officer records that register the signing keys, the
original evidence files, and the cryptographic proofs that tie them to the exporting node's public ledger.
Nothing in it needs to be trusted: every claim can be checked with SHA-256 and Ed25519 alone.

THE KEY TO COMPARE
The ledger's public key, as this bundle states it:
  ${f.logVerifierKey}
Its fingerprint:
  ${f.logKeyFingerprint}
Obtain the node's fingerprint independently (official publication, letter, another court's bundle) and
compare. If they differ, the bundle proves nothing about that node.

HOW TO VERIFY WITH THE SHIPPED TOOL
  tec verify case-${f.caseId}.zip --trusted-key <the fingerprint or key you obtained independently>
Exit status 0 means valid; 1 means invalid, with every failure listed; 2 means the file could not be read.
Add --json for a machine-readable report.

HOW TO VERIFY BY HAND (any language; the exact rules are in bundle.md and integrity.md)
 1. FILES: SHA-256 each file named in manifest.json "files" and compare; check manifest.sig (base64
    Ed25519 signature over the exact bytes of manifest.json) under the log key in keys.json.
 2. RECORD_HASH: for each line of records.jsonl, SHA-256 of the RFC 8785 canonical JSON of "record"
    must equal "hash".
 3. CHAIN: in each stream, revisions run 0..n-1 (n as in manifest "streams"); each record's "prev" is the
    hash of the previous revision (64 zeros for revision 0).
 4. INCLUSION: leaf hash = SHA-256(0x00 || hash bytes); with the proof in proofs.json it must give the root
    in checkpoint.txt (RFC 9162 section 2.1.3.2).
 5. CHECKPOINT: the checkpoint's signature line verifies under the log key; witness cosignatures under
    their keys (keys.json "witnesses").
 6. EVIDENCE: each evidence/<name> has SHA-256 equal to <name>; every original evidence item named by
    the records is present with the stated size.
 7. DEVICE_SIGNATURE: each detection is signed by a key of its camera registered before it, not revoked.
 8. SIGNOFF_SIGNATURE: each review and decision is signed by the acting officer's key in force, over the
    case's original evidence digests, this case id and an earlier case revision.
 9. RULES: no penalty without a prior review confirmed by an officer; no AI, service or device actor
    confirms or decides.

WHAT THIS DOES NOT PROVE
The proofs show that each record is in the ledger; they do not show that no later record of the case was
left out. That claim is made, and signed, by the exporting node in manifest.json.
`;
}
