/**
 * The court verifier in the browser: reads the bundle ZIP with the shared hostile-input reader and runs the
 * shared verifier core (src/domain/bundle/verify.ts, every check of bundle.md) on browser primitives, so
 * the verdict is the one `tec verify` gives for the same bytes and trusted key. Nothing leaves the page.
 *
 * Verdicts as the CLI's exit status: `valid` (0), `invalid` (1), `unreadable` (2: not a readable archive, or
 * a trusted key that is neither a verifier key nor a fingerprint).
 */
import { createBundleVerifier, parseTrustedKey, type BundleReport } from '../../../src/domain/bundle/verify.ts';
import { readBundleZip } from '../../../src/domain/bundle/zip.ts';
import { streams } from '../../../src/domain/record.ts';
import { browserPrimitives } from './primitives.ts';

const verifyEntries = createBundleVerifier(browserPrimitives);

export interface SignedFact {
  revision: number;
  type: string;
  recordedAt: string;
  actor: string;
  keyId?: string;
  summary?: string;
}

export interface EvidenceImage {
  name: string;
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
}

export type VerifierOutcome =
  | { verdict: 'valid' | 'invalid'; report: BundleReport; signed: SignedFact[]; images: EvidenceImage[] }
  | { verdict: 'unreadable'; reason: string };

/** Who signed what in the case stream, read from the bundle's own records (for display; the checks decide). */
function signedFacts(entries: Map<string, Uint8Array>, caseId: string | undefined): SignedFact[] {
  const raw = entries.get('records.jsonl');
  if (!raw || !caseId) return [];
  const facts: SignedFact[] = [];
  for (const line of new TextDecoder().decode(raw).split('\n')) {
    if (!line.trim()) continue;
    try {
      const { record } = JSON.parse(line) as { record: { stream: string; revision: number; type: string; data: Record<string, unknown>; meta: { actor: { kind: string; id: string }; recordedAt: string } } };
      if (record.stream !== streams.case(caseId)) continue;
      const data = record.data ?? {};
      const signoff = data.signoff as Record<string, unknown> | undefined;
      const detection = data.detection as Record<string, unknown> | undefined;
      let summary: string | undefined;
      if (detection) summary = `${String(detection.violationCode)} · ${String((detection.plateRead as { text?: string } | undefined)?.text ?? '')}`;
      if (signoff) {
        summary = [signoff.purpose, signoff.decision, signoff.plate, signoff.violationCode, signoff.fineVnd !== undefined ? `${String(signoff.fineVnd)} VND` : undefined]
          .filter((x) => x !== undefined)
          .join(' · ');
      }
      facts.push({
        revision: record.revision,
        type: record.type,
        recordedAt: record.meta.recordedAt,
        actor: `${record.meta.actor.kind} ${record.meta.actor.id}`,
        ...(typeof data.keyId === 'string' ? { keyId: data.keyId } : {}),
        ...(summary ? { summary } : {}),
      });
    } catch {
      // a malformed line is reported by RECORD_HASH; nothing to show here
    }
  }
  return facts.sort((a, b) => a.revision - b.revision);
}

function evidenceImages(entries: Map<string, Uint8Array>): EvidenceImage[] {
  let types = new Map<string, string>();
  try {
    const manifest = JSON.parse(new TextDecoder().decode(entries.get('manifest.json'))) as { evidence?: { digest: string; mediaType: string }[] };
    types = new Map((manifest.evidence ?? []).map((e) => [e.digest, e.mediaType]));
  } catch {
    // FILES reports a broken manifest
  }
  const images: EvidenceImage[] = [];
  for (const [name, bytes] of entries) {
    const m = /^evidence\/([0-9a-f]{64})$/.exec(name);
    if (!m) continue;
    const digest = `sha256:${m[1]}`;
    const declared = types.get(digest) ?? '';
    // Only formats a browser renders as an image, and never SVG (scriptable).
    const mediaType = /^image\/(jpeg|png|webp|gif|avif)$/.test(declared) ? declared : 'application/octet-stream';
    images.push({ name, digest, mediaType, bytes });
  }
  return images;
}

export async function verifyBundleBytes(bytes: Uint8Array, trustedKey?: string): Promise<VerifierOutcome> {
  const trusted = trustedKey?.trim() ? trustedKey.trim() : undefined;
  if (trusted !== undefined) {
    try {
      parseTrustedKey(browserPrimitives, trusted);
    } catch (e) {
      return { verdict: 'unreadable', reason: (e as Error).message };
    }
  }
  let entries: Map<string, Uint8Array>;
  try {
    entries = await readBundleZip(bytes);
  } catch (e) {
    return { verdict: 'unreadable', reason: (e as Error).message };
  }
  const report = verifyEntries(entries, trusted !== undefined ? { trustedKey: trusted } : {});
  return {
    verdict: report.valid ? 'valid' : 'invalid',
    report,
    signed: signedFacts(entries, report.caseId),
    images: evidenceImages(entries),
  };
}
