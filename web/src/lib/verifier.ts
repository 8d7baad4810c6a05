/**
 * The court verifier in the browser: reads the bundle ZIP with the shared hostile-input reader and runs the
 * shared verifier core (src/domain/bundle/verify.ts, every check of bundle.md) on browser primitives, so
 * the verdict is the one `tec verify` gives for the same bytes and trusted key. Nothing leaves the page.
 *
 * Verdicts as the CLI's exit status: `valid` (0), `invalid` (1), `unreadable` (2: not a readable archive, or
 * a trusted key that is neither a verifier key nor a fingerprint, or a trusted witness key that is not a
 * witness verifier key). Trusted witness keys are checked against the checkpoint's cosignatures as
 * `tec verify --trusted-witness` does (the same core): a cosignature that claims a trusted witness and does not
 * verify makes the bundle invalid; none at all leaves it valid and says so.
 */
import { createBundleVerifier, parseTrustedKey, type BundleReport } from '../../../src/domain/bundle/verify.ts';
import { checkTrustedWitnessesWith, parseTrustedWitnessKey, type TrustedWitnessResult } from '../../../src/domain/bundle/trusted-witness.ts';
import { readBundleZip } from '../../../src/domain/bundle/zip.ts';
import { streams } from '../../../src/domain/record.ts';
import { browserPrimitives } from './primitives.ts';
import { toHex } from '../../../src/domain/integrity/encoding.ts';

const verifyEntries = createBundleVerifier(browserPrimitives);

export interface SignedFact {
  revision: number;
  /** The event type (translated for display by `eventName`). */
  type: string;
  recordedAt: string;
  actor: { kind: string; id: string };
  keyId?: string;
  summary?: FactSummary;
}

/** What a detection or a sign-off says, field by field (the page formats each in the reader's language). */
export interface FactSummary {
  purpose?: string;
  decision?: string;
  plate?: string;
  violationCode?: string;
  fineVnd?: number;
}

export interface EvidenceImage {
  name: string;
  digest: string;
  mediaType: string;
  bytes: Uint8Array;
  /** The bytes hash to the digest they are filed under (false: the image was altered after sealing). */
  intact: boolean;
}

export type VerifierOutcome =
  | {
      verdict: 'valid' | 'invalid';
      report: BundleReport;
      /** One per trusted witness key given, in order (empty when none was given). */
      trustedWitnesses: TrustedWitnessResult[];
      signed: SignedFact[];
      images: EvidenceImage[];
    }
  /** `reasonCode`: the core's error code (translated by the page); `reason`: its English message. */
  | { verdict: 'unreadable'; reasonCode?: string; reason: string };

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
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      let summary: FactSummary | undefined;
      if (detection) {
        summary = { violationCode: String(detection.violationCode) };
        const plate = str((detection.plateRead as { text?: unknown } | undefined)?.text);
        if (plate) summary.plate = plate;
      }
      if (signoff) {
        summary = {};
        for (const field of ['purpose', 'decision', 'plate', 'violationCode'] as const) {
          const value = str(signoff[field]);
          if (value !== undefined) summary[field] = value;
        }
        if (typeof signoff.fineVnd === 'number') summary.fineVnd = signoff.fineVnd;
      }
      facts.push({
        revision: record.revision,
        type: record.type,
        recordedAt: record.meta.recordedAt,
        actor: { kind: record.meta.actor.kind, id: record.meta.actor.id },
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
    const intact = toHex(browserPrimitives.sha256(bytes)) === m[1];
    images.push({ name, digest, mediaType, bytes, intact });
  }
  return images;
}

function unreadable(e: unknown): VerifierOutcome {
  const code = (e as { code?: unknown }).code;
  return { verdict: 'unreadable', ...(typeof code === 'string' ? { reasonCode: code } : {}), reason: (e as Error).message };
}

/** Trusted witness keys typed one per line (blank lines ignored). */
export function witnessKeyLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

export async function verifyBundleBytes(bytes: Uint8Array, trustedKey?: string, trustedWitnesses: readonly string[] = []): Promise<VerifierOutcome> {
  const trusted = trustedKey?.trim() ? trustedKey.trim() : undefined;
  try {
    if (trusted !== undefined) parseTrustedKey(browserPrimitives, trusted);
    for (const w of trustedWitnesses) parseTrustedWitnessKey(browserPrimitives, w);
  } catch (e) {
    return unreadable(e);
  }
  let entries: Map<string, Uint8Array>;
  try {
    entries = await readBundleZip(bytes);
  } catch (e) {
    return unreadable(e);
  }
  const report = verifyEntries(entries, trusted !== undefined ? { trustedKey: trusted } : {});
  const witnesses = checkTrustedWitnessesWith(browserPrimitives, entries, trustedWitnesses);
  return {
    verdict: report.valid && witnesses.every((w) => w.status !== 'invalid') ? 'valid' : 'invalid',
    report,
    trustedWitnesses: witnesses,
    signed: signedFacts(entries, report.caseId),
    images: evidenceImages(entries),
  };
}
