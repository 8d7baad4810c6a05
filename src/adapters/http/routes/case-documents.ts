/**
 * The documents of a case as PDFs (docs/documents.md): the notice, the violation record, the penalty
 * decision and each appeal's resolution, opened by case staff from the case screen. A document names the owner or driver and their address,
 * so opening one needs `X-Purpose` and appends a custody record (`view`) before any byte is sent. The first
 * opening also issues it (`DocumentIssued`: digest and template version), hence POST.
 */
import { z } from 'zod';
import { documentFileName, openCaseDocument, type CaseDocumentSources } from '../../../commands/documents.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { ISSUED_DOCUMENT_KINDS } from '../../../domain/case/events.ts';
import { IdentifierSchema } from '../../../domain/signoff/primitives.ts';
import { AppError } from '../../../domain/shared/errors.ts';
import { route } from '../route.ts';
import { CaseIdParams, callerFor, loadVisibleCase, requirePrincipal, type AnyRoute } from './access.ts';
import { CASE_WRITERS, correlation } from './case-common.ts';
import type { ApiServices } from './services.ts';

/** This node renders no documents (no renderer configured): a fact of the node. */
export class DocumentsNotServedError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'documents-not-served';
}

export function caseDocumentRoutes(services: ApiServices): AnyRoute[] {
  const { store, commandDeps: deps } = services;
  return [
    route({
      method: 'post',
      path: '/v1/cases/:caseId/documents/:kind',
      summary:
        'Open a document of the case as PDF (notice, record, decision, appeal resolution), made from its events; the first opening records DocumentIssued with its digest',
      tags: ['cases', 'documents'],
      auth: CASE_WRITERS,
      params: CaseIdParams.extend({ kind: z.enum(ISSUED_DOCUMENT_KINDS) }),
      body: z.strictObject({
        /** The notice (kind `notice`). */
        noticeId: IdentifierSchema.optional(),
        /** The resolved appeal (kind `appeal`). */
        appealId: IdentifierSchema.optional(),
      }),
      requiresPurpose: true,
      responses: { 200: { description: 'The PDF (X-Document-Digest: its sha256 as DocumentIssued records it)', contentType: 'application/pdf' } },
      handler: async ({ req, res, principal, params, body, purpose }) => {
        const sources: CaseDocumentSources | undefined = services.documents;
        if (!sources) throw new DocumentsNotServedError('This node renders no documents', {});
        const p = requirePrincipal(principal);
        const { state } = await loadVisibleCase(store, p, params.caseId);
        const request = {
          caseId: params.caseId,
          kind: params.kind,
          ...(body.noticeId !== undefined ? { noticeId: body.noticeId } : {}),
          ...(body.appealId !== undefined ? { appealId: body.appealId } : {}),
        };
        // The custody record is written once the document can be handed out, before its bytes leave.
        const file = await openCaseDocument(deps, sources, callerFor(p), request, () =>
          recordEvidenceAccess(deps, callerFor(p, state.province), { caseId: params.caseId, access: 'view', purpose: purpose! }, correlation(req)),
        );
        res
          .status(200)
          .set({
            'Content-Type': 'application/pdf',
            'Content-Disposition': `inline; filename="${documentFileName(file.kind, file)}"`,
            'Cache-Control': 'no-store',
            'X-Document-Digest': file.digest,
            'X-Document-Template': file.templateVersion,
          })
          .send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength));
      },
    }),
  ];
}
