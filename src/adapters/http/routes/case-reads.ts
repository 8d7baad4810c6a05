/**
 * Case reads: the list (no personal data and no custody record, unless `include=plates` with a purpose: then a
 * custody record per listed case first, routes/listed-plates.ts) and the detail (custody recorded first).
 */
import { originalsAtEdge } from './edge-originals.ts';
import { z } from 'zod';
import { CursorSchema } from '../../../projections/queries.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { NATIONAL_SCOPE, seesProvince } from '../../auth/roles.ts';
import { ForbiddenError, route } from '../route.ts';
import { disclosedItems, IncludePlatesQuery, ListedPersonalSchema, listedPlatesPurpose } from './listed-plates.ts';
import { CASE_MISSING_STEPS } from './services.ts';
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
  /** Only the cases one province handles; provincial staff may name only their own. */
  province: z
    .string()
    .regex(/^\d{2}$/, 'must be a two-digit province code')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: CursorSchema.optional(),
  /** `plates`: add the plate and the thumbnail reference (needs X-Purpose; a custody record per listed case). */
  include: IncludePlatesQuery,
});

const ListResponse = z.object({
  items: z.array(
    z.object({
      caseId: z.string(),
      province: z.string(),
      status: z.string(),
      violationCode: z.string(),
      vehicleClass: z.string(),
      observedAt: z.string(),
      cameraId: z.string(),
      /** The camera's place, as the case records it. */
      location: z.string(),
      revision: z.number(),
      handlingProvince: z.string(),
      missingStep: z.enum(CASE_MISSING_STEPS).nullable(),
      ...ListedPersonalSchema,
    }),
  ),
  next: z.string().optional(),
});

export function caseReadRoutes(services: ApiServices): AnyRoute[] {
  const { store, commandDeps: deps } = services;
  return [
    route({
      method: 'get',
      path: '/v1/cases',
      summary: 'List cases in scope (no plates or owners unless include=plates: then a custody record per listed case)',
      tags: ['cases'],
      auth: CASE_READERS,
      query: ListQuery,
      responses: {
        200: { description: 'A page of case summaries; `next` is the cursor of the following page', schema: ListResponse },
        400: { description: '`include=plates` without a valid X-Purpose header (`purpose-required`)' },
        403: { description: 'Provincial staff naming another province (`forbidden`), nothing recorded' },
      },
      handler: async ({ req, res, principal, query }) => {
        const p = requirePrincipal(principal);
        if (query.province !== undefined && !seesProvince(p, query.province))
          throw new ForbiddenError('Provincial staff see their own province');
        const purpose = listedPlatesPurpose(req, query.include);
        const province = query.province ?? (p.province === NATIONAL_SCOPE ? undefined : p.province);
        const page = await services.queries.listCases({
          provinces: province === undefined ? 'all' : [province],
          limit: query.limit,
          ...(query.status !== undefined ? { status: query.status } : {}),
          ...(query.after !== undefined ? { after: query.after } : {}),
        });
        const items = await disclosedItems(services, req, p, page.items, purpose);
        res.set('Cache-Control', 'no-store').json({ items, ...(page.next ? { next: page.next } : {}) });
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
