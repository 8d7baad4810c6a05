/** Case reads: the list (no personal data, no custody record) and the detail (custody recorded first). */
import { originalsAtEdge } from './edge-originals.ts';
import { z } from 'zod';
import { CursorSchema } from '../../../projections/queries.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { NATIONAL_SCOPE } from '../../auth/roles.ts';
import { route } from '../route.ts';
import {
  CaseIdParams,
  callerFor,
  etagOf,
  loadVisibleCase,
  requirePrincipal,
  type AnyRoute,
} from './access.ts';
import { CASE_READERS, correlation } from './case-common.ts';
import { CaseDocumentSchema, caseDocument } from './case-view.ts';
import type { ApiServices } from './services.ts';

const ListQuery = z.strictObject({
  status: z
    .string()
    .regex(/^[a-z-]{1,32}$/)
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: CursorSchema.optional(),
});

export function caseReadRoutes(services: ApiServices): AnyRoute[] {
  const { store, commandDeps: deps } = services;
  return [
    route({
      method: 'get',
      path: '/v1/cases',
      summary: 'List cases in scope (no plates or owners: a list needs no custody record)',
      tags: ['cases'],
      auth: CASE_READERS,
      query: ListQuery,
      responses: { 200: { description: 'A page of case summaries' } },
      handler: async ({ res, principal, query }) => {
        const p = requirePrincipal(principal);
        const page = await services.queries.listCases({
          provinces: p.province === NATIONAL_SCOPE ? 'all' : [p.province],
          limit: query.limit,
          ...(query.status !== undefined ? { status: query.status } : {}),
          ...(query.after !== undefined ? { after: query.after } : {}),
        });
        res.json(page);
      },
    }),
    route({
      method: 'get',
      path: '/v1/cases/:caseId',
      summary: 'Case detail, folded from the case stream; ETag is the case revision',
      tags: ['cases'],
      auth: CASE_READERS,
      params: CaseIdParams,
      requiresPurpose: true,
      responses: { 200: { description: 'The case', schema: CaseDocumentSchema } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        const { state, revision } = await loadVisibleCase(store, p, params.caseId);
        await recordEvidenceAccess(
          deps,
          callerFor(p, state.province),
          { caseId: params.caseId, access: 'view', purpose: purpose! },
          correlation(req),
        );
        // Opening a case asks the edge nodes for the originals they still hold back (docs/edge.md).
        if (services.edgeOriginals)
          services.edgeOriginals.request(await originalsAtEdge(store, (d) => services.evidence.has(d), params.caseId), new Date().toISOString());
        res
          .set('ETag', etagOf(revision))
          .set('Cache-Control', 'no-store')
          .json(caseDocument(state, revision));
      },
    }),
  ];
}
