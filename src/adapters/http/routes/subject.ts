/**
 * Data-subject requests through an officer (docs/data-protection.md, "The data subject"): the owner comes to
 * an officer, who checks their identity and the vehicle's papers offline, then files the request here. An
 * access request is answered at once with the export (published fields, privacy copy references, destroyed
 * evidence, custody log) of the vehicle's cases the officer may see; a correction or erasure is answered
 * later by an officer (`…/answer`); an erasure is `erased` only where the law allows it.
 */
import { z } from 'zod';
import { answerSubjectRequest, carryOutErasure, loadSubjectRequest, receiveSubjectRequest } from '../../../commands/subject.ts';
import { streams } from '../../../domain/record.ts';
import { plateKey } from '../../../domain/case/plate-key.ts';
import { IdentifierSchema, TextSchema } from '../../../domain/signoff/primitives.ts';
import { SUBJECT_OUTCOMES, SUBJECT_REQUEST_KINDS } from '../../../domain/subject/index.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { seesProvince } from '../../auth/roles.ts';
import { ForbiddenError, route } from '../route.ts';
import { callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import { correlation } from './case-common.ts';
import { SubjectExport, nationalAccess, subjectAccessExport, subjectRequestAtProvinceNodes } from './public.ts';
import { handlingProvinceOf } from './citizen-portal.ts';
import { nationalPublishedViolations } from './national-citizen.ts';
import type { ApiServices } from './services.ts';

const Filed = z.object({
  requestId: z.string(),
  stream: z.string(),
  /** An erasure granted: how many evidence blobs were destroyed now, and the cases a hold kept. */
  erased: z.number().optional(),
  held: z.array(z.string()).optional(),
});

export function subjectRoutes(services: ApiServices): AnyRoute[] {
  const deps = services.commandDeps;
  return [
    route({
      method: 'post',
      path: '/v1/subject-requests',
      summary: "File a vehicle owner's data-subject request (access answered at once with the export)",
      tags: ['data-subject'],
      auth: ['officer', 'supervisor'],
      body: z.strictObject({ plate: z.string().min(4).max(24), kind: z.enum(SUBJECT_REQUEST_KINDS), details: TextSchema.optional() }),
      responses: {
        200: { description: 'Access: what is recorded about the vehicle (cases the officer may see)', schema: SubjectExport },
        201: { description: 'Correction or erasure: recorded, to be answered', schema: Filed },
      },
      handler: async ({ req, res, principal, body }) => {
        const p = requirePrincipal(principal);
        const compact = plateKey(body.plate);
        if (!compact) throw new ValidationError('The plate has no letters or digits', { field: 'plate' }, 'invalid-plate');
        const national = services.nationalReadModels;
        if (national && services.nationalViews) {
          // The national node: access answered from the mirror; a correction or erasure is the province's to make.
          const found = (await nationalPublishedViolations(national, services, compact)).filter((v) => seesProvince(p, v.province));
          if (body.kind !== 'access') throw await subjectRequestAtProvinceNodes(services, found.map(handlingProvinceOf));
          const caller = callerFor(p);
          const exported = await nationalAccess(services, services.nationalViews, found, { kind: 'officer', id: caller.actor.id }, correlation(req), caller);
          res.set('Cache-Control', 'no-store').status(200).json(exported);
          return;
        }
        const found = (await services.queries.citizenViolations(compact)).filter((v) => seesProvince(p, v.province));
        // An access discloses the published cases; a correction or erasure concerns every case of the plate.
        const concerned = body.kind === 'access' ? found : (await services.queries.casesOfPlate(compact)).filter((v) => seesProvince(p, v.province));
        const requestId = deps.ids();
        const caller = callerFor(p);
        const outcome = await receiveSubjectRequest(
          deps,
          caller,
          { requestId, kind: body.kind, channel: 'officer', caseIds: concerned.map((v) => v.caseId), ...(body.details !== undefined ? { details: body.details } : {}) },
          correlation(req),
        );
        res.set('Cache-Control', 'no-store');
        if (body.kind !== 'access') {
          res.status(201).json({ requestId, stream: outcome.stream });
          return;
        }
        const exported = await subjectAccessExport(services, found, { requestId, actor: { kind: 'officer', id: caller.actor.id }, ...correlation(req) });
        await answerSubjectRequest(deps, caller, { requestId, outcome: 'disclosed', reason: `disclosed ${found.length} case(s) through an officer` }, correlation(req));
        res.status(200).json(exported);
      },
    }),
    route({
      method: 'post',
      path: '/v1/subject-requests/:requestId/answer',
      summary: 'Answer a correction or erasure request (erasure only where the law allows it), with the reason',
      tags: ['data-subject'],
      auth: ['officer', 'supervisor'],
      params: z.strictObject({ requestId: IdentifierSchema }),
      body: z.strictObject({ outcome: z.enum(SUBJECT_OUTCOMES), reason: TextSchema }),
      responses: { 200: { description: 'Already so', schema: Filed }, 201: { description: 'Recorded', schema: Filed } },
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        // Only officers who may see every case of the request answer it (national staff see all provinces).
        const request = await loadSubjectRequest(services.store, params.requestId);
        if (request.status !== 'none') {
          for (const caseId of request.caseIds) {
            const first = await services.store.readStream(streams.case(caseId), { maxCount: 1 }).catch(() => []);
            const province = first[0]?.record.meta.province;
            if (province !== undefined && !seesProvince(p, province))
              throw new ForbiddenError('A case of this request belongs to a province you do not serve');
          }
        }
        const outcome = await answerSubjectRequest(deps, callerFor(p), { requestId: params.requestId, ...body }, correlation(req));
        // An erasure granted is carried out at once (and again on a repeated answer, finishing what a crash left).
        const erasure = body.outcome === 'erased' ? await carryOutErasure({ ...deps, evidence: services.evidence }, params.requestId) : undefined;
        res.status(outcome.events.length > 0 ? 201 : 200).json({
          requestId: params.requestId,
          stream: outcome.stream,
          ...(erasure ? { erased: erasure.destroyed.length + erasure.resumed.length, held: erasure.held.map((h) => h.caseId) } : {}),
        });
      },
    }),
  ];
}
