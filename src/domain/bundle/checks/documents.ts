/**
 * 10. DOCUMENTS (an addition to bundle.md v1; docs/integrity.md, "Bundle additions"): each `documents/<kind>-<n>.pdf`
 * entry is the n-th document of that kind the case recorded as issued (`DocumentIssued`, in case-stream order),
 * and hashes to the digest that record states. FILES has already checked it against the signed manifest; this
 * ties the bytes to the case's own record, so a document swapped in with a re-signed manifest still fails.
 * A `documents/<kind>-<n>.json` (the input the PDF was rendered from) must belong to an included PDF and state
 * the same case, template version and time as the record; rendering it again is `tec verify --regenerate`'s
 * job (the check stays pure). A bundle without documents passes (older bundles, cases with none issued).
 */
import { fromUtf8 } from '../../integrity/encoding.ts';
import { DOCUMENT_ENTRY, DOCUMENTS_PREFIX } from '../format.ts';
import type { ParsedRecord } from './facts.ts';
import { isObject, type BundleReader } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export interface IncludedDocument {
  entry: string;
  kind: string;
  digest: string;
  recordId: string;
  /** The input it was rendered from (`documents/<kind>-<n>.json`), when the bundle carries it. */
  input?: string;
}

export function checkDocuments(
  t: CheckTools,
  reader: BundleReader,
  caseRecords: ParsedRecord[],
  caseId: string | undefined,
): { failures: BundleFailure[]; documents: IncludedDocument[] } {
  const failures: BundleFailure[] = [];
  const documents: IncludedDocument[] = [];
  const issuedByKind = new Map<string, ParsedRecord[]>();
  for (const r of caseRecords) {
    if (r.type !== 'DocumentIssued' || typeof r.data.kind !== 'string') continue;
    issuedByKind.set(r.data.kind, [...(issuedByKind.get(r.data.kind) ?? []), r]);
  }
  const inputs: { name: string; bytes: Uint8Array; kind: string; n: string }[] = [];
  for (const [name, bytes] of reader.entries()) {
    if (!name.startsWith(DOCUMENTS_PREFIX)) continue;
    const match = DOCUMENT_ENTRY.exec(name);
    if (!match) {
      failures.push(failure(`${name} is not named documents/<notice|record|decision|appeal>-<n>.pdf (or .json)`));
      continue;
    }
    const [, kind, n, extension] = match as unknown as [string, string, string, string];
    if (extension === 'json') {
      inputs.push({ name, bytes, kind, n });
      continue;
    }
    const record = issuedByKind.get(kind)?.[Number(n) - 1];
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
  for (const input of inputs) {
    const pdf = `${DOCUMENTS_PREFIX}${input.kind}-${input.n}.pdf`;
    const document = documents.find((d) => d.entry === pdf);
    const record = issuedByKind.get(input.kind)?.[Number(input.n) - 1];
    let value: unknown;
    try {
      value = JSON.parse(fromUtf8(input.bytes) ?? '');
    } catch {
      value = undefined;
    }
    if (!document || !record) {
      failures.push(failure(`${input.name} belongs to no included, matching ${pdf}`));
    } else if (
      !isObject(value) ||
      value.caseId !== caseId ||
      value.templateVersion !== record.data.templateVersion ||
      value.issuedAt !== record.data.issuedAt
    ) {
      failures.push(failure(`${input.name} does not state the case, template version and time its DocumentIssued records`, { recordIds: [record.id] }));
    } else {
      document.input = input.name;
    }
  }
  return { failures, documents };
}
