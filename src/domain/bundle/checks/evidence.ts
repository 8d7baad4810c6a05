/**
 * 6. EVIDENCE (bundle.md): every `evidence/<hex>` entry hashes to its name, every original evidence item a
 * record names is in the bundle with the stated size, and so is every item manifest.evidence lists.
 */
import type { EvidenceEntry, ParsedRecord } from './facts.ts';
import type { RecordOriginals } from './originals.ts';
import { isObject, isString, type BundleReader } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export function checkEvidence(
  t: CheckTools,
  reader: BundleReader,
  evidence: Map<string, EvidenceEntry>,
  originals: Map<ParsedRecord, RecordOriginals>,
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
      if (!bytes)
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
