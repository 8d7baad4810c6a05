/**
 * 6. EVIDENCE (bundle.md): every `evidence/<hex>` entry hashes to its name, every original evidence item a
 * record names is in the bundle with the stated size, and so is every item manifest.evidence lists.
 *
 * Retention (docs/data-protection.md): an original whose blob was destroyed under a retention policy is not
 * in the bundle; when the bundle carries the case's `retention-<caseId>` record `EvidenceDestroyed` naming
 * it (that record is checked like every other: hash, chain, inclusion), the absence is a *destroyed* finding
 * ("destroyed under policy X at T"), not a failure. Without such a record it is missing, as before.
 */
import { describeDestroyed, destroyedEvidence } from '../../retention/destroyed.ts';
import type { EvidenceEntry, ParsedRecord } from './facts.ts';
import type { RecordOriginals } from './originals.ts';
import { isObject, isString, type BundleReader } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

/** An original the bundle does not carry because it was destroyed under a retention policy. */
export interface DestroyedOriginal {
  digest: string;
  policy: string;
  at: string;
  /** The record naming the original, and the `EvidenceDestroyed` record. */
  recordId: string;
  destroyedBy: string;
  message: string;
}

/**
 * The originals destroyed under a retention policy, by digest, from the bundle's own `retention-<caseId>`
 * records (records of any other stream prove nothing).
 */
export function destroyedOriginals(records: readonly ParsedRecord[], caseId: string | undefined): Map<string, { policy: string; at: string; recordId: string; message: string }> {
  const out = new Map<string, { policy: string; at: string; recordId: string; message: string }>();
  if (caseId === undefined) return out;
  const stream = `retention-${caseId}`;
  for (const r of records) {
    if (r.stream !== stream) continue;
    for (const [digest, info] of destroyedEvidence([{ type: r.type, data: r.data, stream: r.stream }])) {
      if (!out.has(digest)) out.set(digest, { policy: info.policy, at: info.at, recordId: r.id, message: describeDestroyed(info) });
    }
  }
  return out;
}

export function checkEvidence(
  t: CheckTools,
  reader: BundleReader,
  evidence: Map<string, EvidenceEntry>,
  originals: Map<ParsedRecord, RecordOriginals>,
  destroyed: ReturnType<typeof destroyedOriginals> = new Map(),
  found: DestroyedOriginal[] = [],
): BundleFailure[] {
  const failures: BundleFailure[] = [];
  const fail = (message: string, extra?: { recordIds?: string[]; digests?: string[] }) =>
    failures.push(failure(message, extra));
  for (const [digest, e] of evidence) {
    if (t.sha256Hex(e.bytes) !== e.hex) fail(`${e.name} does not hash to its name`, { digests: [digest] });
  }
  for (const [r, { items }] of originals) {
    if (!items) {
      fail(`${r.type} holds no evidence list`, { recordIds: [r.id] });
      continue;
    }
    for (const item of items) {
      if (!item) {
        fail(`${r.type} holds a malformed evidence reference`, { recordIds: [r.id] });
        continue;
      }
      const bytes = evidence.get(item.digest)?.bytes;
      const gone = bytes ? undefined : destroyed.get(item.digest);
      if (gone)
        found.push({ digest: item.digest, policy: gone.policy, at: gone.at, recordId: r.id, destroyedBy: gone.recordId, message: gone.message });
      else if (!bytes)
        fail('original evidence is missing from the bundle', { recordIds: [r.id], digests: [item.digest] });
      else if (item.size !== bytes.length)
        fail(`original evidence is ${bytes.length} bytes, the record states ${String(item.size)}`, {
          recordIds: [r.id],
          digests: [item.digest],
        });
    }
  }
  const manifest = reader.manifest;
  const manifestEvidence = manifest && Array.isArray(manifest.evidence) ? manifest.evidence : [];
  for (const item of manifestEvidence) {
    if (!isObject(item) || !isString(item.digest)) {
      fail('manifest.evidence holds a malformed entry');
      continue;
    }
    const bytes = evidence.get(item.digest)?.bytes;
    if (!bytes) fail('evidence listed in the manifest is missing', { digests: [item.digest] });
    else if (item.size !== bytes.length) fail('evidence size differs from the manifest', { digests: [item.digest] });
  }
  return failures;
}
