/**
 * For verifiers (`ledger verify`, the bundle verifier, `replay`): which evidence was destroyed under a
 * retention policy, so a missing blob is reported as "destroyed under policy X at T" rather than as missing
 * or tampered. Reads records of any stream and uses only `EvidenceDestroyed` ones; no Node APIs (runs in the
 * browser verifier too).
 */
import type { DestroyedEvidence } from './state.ts';

export const EVIDENCE_DESTROYED = 'EvidenceDestroyed';

interface RecordLike {
  type: string;
  data: unknown;
  stream?: string;
}

function asDestroyed(data: unknown): ({ digest: string } & DestroyedEvidence) | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  const basis = d['legalBasis'];
  if (typeof d['digest'] !== 'string' || typeof d['policy'] !== 'string' || typeof d['destroyedAt'] !== 'string') return undefined;
  if (typeof basis !== 'object' || basis === null) return undefined;
  return { digest: d['digest'], policy: d['policy'], basis: basis as DestroyedEvidence['basis'], at: d['destroyedAt'] };
}

/**
 * Digest → {policy, basis, at} of every `EvidenceDestroyed` among `records` (only those of `retention-*`
 * streams when the record names its stream). The first destruction of a digest wins.
 */
export function destroyedEvidence(records: Iterable<RecordLike>): Map<string, DestroyedEvidence> {
  const out = new Map<string, DestroyedEvidence>();
  for (const r of records) {
    if (r.type !== EVIDENCE_DESTROYED) continue;
    if (r.stream !== undefined && !r.stream.startsWith('retention-')) continue;
    const d = asDestroyed(r.data);
    if (!d || out.has(d.digest)) continue;
    out.set(d.digest, { policy: d.policy, basis: d.basis, at: d.at });
  }
  return out;
}

/** The words verifiers print for a destroyed blob. */
export function describeDestroyed(info: DestroyedEvidence): string {
  return `destroyed under policy ${info.policy} at ${info.at}`;
}
