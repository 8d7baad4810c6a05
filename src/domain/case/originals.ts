/**
 * The "original evidence" rule (bundle.md step 6, integrity.md §2), defined once: the originals of a case are
 * the items of `ViolationDetected.data.detection.evidence` and `EvidenceAttached.data.evidence`, in record
 * order. Derived media (`EvidenceDerived`) are not originals. Used by the bundle export (which blobs go into a
 * bundle), the ledger verifier (which blobs must be stored) and the bundle verifier (which blobs must be in the
 * bundle, and which digests a sign-off signs). Pure and dependency-free: the browser's verifier runs it too.
 * Records are taken as untrusted JSON, so a malformed record yields no originals rather than throwing.
 */

/** Record types whose payload names original evidence. */
export const ORIGINAL_EVIDENCE_TYPES = ['ViolationDetected', 'EvidenceAttached'] as const;

/** The shape every evidence digest in a record has. */
const EVIDENCE_DIGEST = /^sha256:[0-9a-f]{64}$/;

interface RecordLike {
  type?: unknown;
  data?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when records of `type` name original evidence. */
export function carriesOriginals(type: unknown): boolean {
  return (ORIGINAL_EVIDENCE_TYPES as readonly unknown[]).includes(type);
}

/**
 * The member of `record` that lists its original evidence, as stored and unchecked (an array in a
 * well-formed record, anything in a malformed one); undefined when the record's type names no originals.
 */
export function originalsListOf(record: RecordLike): unknown {
  const data = isObject(record.data) ? record.data : undefined;
  if (record.type === 'ViolationDetected') return isObject(data?.detection) ? data.detection.evidence : undefined;
  if (record.type === 'EvidenceAttached') return data?.evidence;
  return undefined;
}

/** One original evidence item: its digest, the size and media type its record states, and that record. */
export interface OriginalEvidence<R> {
  digest: string;
  size: unknown;
  mediaType: unknown;
  record: R;
}

/**
 * The original evidence of `records` (a case's records, in order): every item with a `sha256:` digest of
 * every record that names originals, the first occurrence of each digest only.
 */
export function originalEvidenceOf<R extends RecordLike>(records: readonly R[]): OriginalEvidence<R>[] {
  const byDigest = new Map<string, OriginalEvidence<R>>();
  for (const record of records) {
    const list = originalsListOf(record);
    if (!Array.isArray(list)) continue;
    for (const item of list as unknown[]) {
      if (!isObject(item) || typeof item.digest !== 'string' || !EVIDENCE_DIGEST.test(item.digest)) continue;
      if (!byDigest.has(item.digest))
        byDigest.set(item.digest, { digest: item.digest, size: item.size, mediaType: item.mediaType, record });
    }
  }
  return [...byDigest.values()];
}
