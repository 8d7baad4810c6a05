/**
 * Original evidence (bundle.md): `ViolationDetected.data.detection.evidence` and
 * `EvidenceAttached.data.evidence`, by the one rule of src/domain/case/originals.ts. Computed here, once, for EVIDENCE (every original must be in the bundle)
 * and SIGNOFF_SIGNATURE (a sign-off signs the sorted list of the case's originals recorded before it).
 */
import { carriesOriginals, originalsListOf } from '../../case/originals.ts';
import type { ParsedRecord } from './facts.ts';
import { DIGEST, isObject, isString } from './parts.ts';

export interface OriginalRef {
  digest: string;
  size: unknown;
}

/**
 * A record's originals, item by item (`undefined` for a malformed reference); `{ list: undefined }` when the
 * record is of an original-evidence type but holds no list. Records of other types are absent.
 */
export type RecordOriginals = { items: (OriginalRef | undefined)[] } | { items: undefined };

export function originalsByRecord(records: readonly ParsedRecord[]): Map<ParsedRecord, RecordOriginals> {
  const out = new Map<ParsedRecord, RecordOriginals>();
  for (const r of records) {
    if (!carriesOriginals(r.type)) continue;
    const list = originalsListOf(r);
    out.set(r, {
      items: Array.isArray(list)
        ? list.map((item) =>
            isObject(item) && isString(item.digest) && DIGEST.test(item.digest)
              ? { digest: item.digest, size: item.size }
              : undefined,
          )
        : undefined,
    });
  }
  return out;
}

/** The well-formed original digests a record holds. */
export function originalDigests(originals: Map<ParsedRecord, RecordOriginals>, r: ParsedRecord): string[] {
  return (originals.get(r)?.items ?? []).flatMap((ref) => (ref ? [ref.digest] : []));
}
