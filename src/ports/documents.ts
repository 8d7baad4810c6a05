/**
 * The document renderer port: turns a document's typed input (src/domain/documents) into the bytes a person
 * holds in their hand. Rendering does no I/O, but it uses a PDF library and a font, so it is an adapter
 * (src/adapters/documents/pdf.ts) behind this port.
 *
 * Deterministic: the same input MUST always give the same bytes (dates and ids inside the file come from the
 * input, never from the clock or a random source), so anyone holding the events can regenerate a document and
 * compare its digest with the one `DocumentIssued` recorded.
 */
import type { CaseDocument } from '../domain/documents/types.ts';

export const DOCUMENT_MEDIA_TYPE = 'application/pdf';

export interface DocumentRenderer {
  /** The library and version that renders, recorded beside the template version (e.g. `pdfkit 0.20.2`). */
  readonly producer: { library: string; version: string };
  render(document: CaseDocument): Promise<Uint8Array>;
}
