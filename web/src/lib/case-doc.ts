/** The case detail document as `GET /v1/cases/:caseId` returns it (src/adapters/http/routes/case-view.ts). */
import { api, evidenceUrl, type GetResponse } from './api.ts';

/** The case detail document, from the generated OpenAPI types (`CaseDocumentSchema` in case-view.ts). */
export type CaseDocument = GetResponse<'/v1/cases/{caseId}'>;
/** An evidence item of the document: an original (with its role) or a derived item (with its kind). */
export type EvidenceItem = CaseDocument['evidence']['originals'][number] | CaseDocument['evidence']['derived'][number];

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
