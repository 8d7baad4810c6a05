/** The case detail document as `GET /v1/cases/:caseId` returns it (src/adapters/http/routes/case-view.ts). */
import type { SignoffBasis } from './signoff.ts';
import { api, evidenceUrl } from './api.ts';

export interface EvidenceItem {
  digest: string;
  mediaType: string;
  size: number;
  role?: string;
  kind?: string;
  sourceDigest?: string;
  operation?: string;
}

export interface CaseDocument {
  caseId: string;
  province: string;
  status: string;
  revision: number;
  detection: {
    detectionId: string;
    cameraId: string;
    observedAt: string;
    location: { latMicro: number; lonMicro: number; description: string; roadType: string; commune?: string };
    violationCode: string;
    vehicleClass: string;
    measurements?: Record<string, number>;
    plateRead?: { text: string; confidenceBp?: number };
    evidence: EvidenceItem[];
  };
  detectionKeyId: string;
  flags: { flag: string; detail: string }[];
  /** Background jobs that failed for good (absent from servers before the field existed). */
  processingFailures?: { job: string; reasonCode: string; reason: string; failedAt: string }[];
  plateReadings: { plate: string; compact: string; confidenceBp: number; model: { modelId: string; name: string; version: string } }[];
  evidence: { originals: EvidenceItem[]; derived: EvidenceItem[] };
  review: { decision: 'confirm' | 'reject'; officerKeyId: string; plate: string; violationCode: string; signedAt: string } | null;
  owner: { kind: 'individual' | 'organisation'; ref: string } | null;
  notices: { noticeId: string; channel: string; issuedAt: string; delivery: string }[];
  decision: { fineVnd: number; points: number; violationCode: string; signedAt: string; offender: { kind: string; ref: string } } | null;
  paidVnd: number | null;
  signoffBasis: SignoffBasis;
}

export async function loadCase(caseId: string, purpose: string): Promise<{ doc: CaseDocument; images: Map<string, string> }> {
  const doc = await api<CaseDocument>(`/v1/cases/${caseId}`, { purpose });
  const images = new Map<string, string>();
  const wanted = [
    doc.evidence.originals.find((e) => e.role === 'overview' && e.mediaType.startsWith('image/')) ?? doc.evidence.originals.find((e) => e.mediaType.startsWith('image/')),
    doc.evidence.originals.find((e) => e.role === 'plate' && e.mediaType.startsWith('image/')),
    doc.evidence.derived.find((e) => e.kind === 'plate-crop'),
    doc.evidence.derived.find((e) => e.kind === 'captioned'),
  ].filter((e): e is EvidenceItem => e !== undefined);
  await Promise.all(
    wanted.map(async (e) => {
      images.set(e.digest, await evidenceUrl(caseId, e.digest, purpose));
    }),
  );
  return { doc, images };
}

/** The case detail alone (no evidence images): to show the state a write just produced. */
export function reloadCase(caseId: string, purpose: string): Promise<CaseDocument> {
  return api<CaseDocument>(`/v1/cases/${caseId}`, { purpose });
}

export function compactPlate(text: string | null | undefined): string {
  return (text ?? '').toUpperCase().replace(/[^A-Z0-9]/g, '');
}
