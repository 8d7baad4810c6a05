/**
 * 10. DOCUMENTS (an addition to bundle.md v1; docs/integrity.md, "Bundle additions"): each `documents/<kind>-<n>.pdf`
 * entry is the n-th document of that kind the case recorded as issued (`DocumentIssued`, in case-stream order),
 * and hashes to the digest that record states. FILES has already checked it against the signed manifest; this
 * ties the bytes to the case's own record, so a document swapped in with a re-signed manifest still fails.
 * A bundle without documents passes (older bundles, cases with none issued).
 */
import { DOCUMENT_ENTRY, DOCUMENTS_PREFIX } from '../format.ts';
import type { ParsedRecord } from './facts.ts';
import type { BundleReader } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export interface IncludedDocument {
  entry: string;
  kind: string;
  digest: string;
  recordId: string;
}

export function checkDocuments(
  t: CheckTools,
  reader: BundleReader,
  caseRecords: ParsedRecord[],
): { failures: BundleFailure[]; documents: IncludedDocument[] } {
  const failures: BundleFailure[] = [];
  const documents: IncludedDocument[] = [];
  const issuedByKind = new Map<string, ParsedRecord[]>();
  for (const r of caseRecords) {
    if (r.type !== 'DocumentIssued' || typeof r.data.kind !== 'string') continue;
    issuedByKind.set(r.data.kind, [...(issuedByKind.get(r.data.kind) ?? []), r]);
  }
  for (const [name, bytes] of reader.entries()) {
    if (!name.startsWith(DOCUMENTS_PREFIX)) continue;
    const match = DOCUMENT_ENTRY.exec(name);
    if (!match) {
      failures.push(failure(`${name} is not named documents/<notice|record|decision>-<n>.pdf`));
      continue;
    }
    const kind = match[1]!;
    const record = issuedByKind.get(kind)?.[Number(match[2]) - 1];
    const digest = `sha256:${t.sha256Hex(bytes)}`;
    if (!record) {
      failures.push(failure(`${name}: the case records no such issued ${kind}`, { digests: [digest] }));
      continue;
    }
    if (record.data.digest !== digest) {
      failures.push(failure(`${name} does not hash to the digest its DocumentIssued records`, { recordIds: [record.id], digests: [digest] }));
      continue;
    }
    documents.push({ entry: name, kind, digest, recordId: record.id });
  }
  return { failures, documents };
}
