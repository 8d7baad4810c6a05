/**
 * The citizen lookup (public, no token, strongly rate-limited under /v1/public by the app): violations of a
 * vehicle by plate AND its registration certificate number, returning only the published fields.
 *
 * The certificate is checked against the vehicle registry first; a wrong certificate answers exactly like a
 * plate without violations (an empty list), so the endpoint cannot be used to learn anything about a plate one
 * does not hold the papers of. Each case disclosed is recorded in its custody log (access `lookup`).
 *
 * Guessing: every lookup takes one attempt from the plate's failure budget (lookup-budget.ts) before the
 * registry is asked, whether the plate exists or not; once exhausted the plate answers 429 with Retry-After to
 * everyone until the lock ends. An unknown plate and a wrong certificate do the same work and answer the same.
 */
import { z } from 'zod';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { answerSubjectRequest, discloseCase, disclosureOf, receiveSubjectRequest } from '../../../commands/subject.ts';
import type { NationalViews } from '../../witness/national-views.ts';
import type { Caller } from '../../../commands/outcome.ts';
import { nationalPublishedViolations, provinceNodes, SubjectRequestAtProvinceNodeError } from './national-citizen.ts';
import { SUBJECT_LEGAL_BASIS, SUBJECT_REQUEST_KINDS } from '../../../domain/subject/index.ts';
import { TextSchema } from '../../../domain/signoff/primitives.ts';
import { plateKey } from '../../../domain/case/plate-key.ts';
import { InMemoryLookupBudget, LookupBudgetExhaustedError } from '../lookup-budget.ts';
import { route } from '../route.ts';
import { correlation } from './cases.ts';
import type { AnyRoute } from './access.ts';
import type { ApiServices, PublishedViolation } from './services.ts';
import { portalCaseView } from '../../../domain/citizen/index.ts';
import { citizenComplaintRoutes } from './citizen-complaints.ts';
import { citizenReportRoutes } from './citizen-reports.ts';
import {
  citizenPortalRoutes,
  loadPortalCase,
  portalOf,
  portalViolation,
  responseOf,
  PortalViolationSchema,
  publishedFields,
  PublishedFieldsSchema,
  handlingProvinceOf,
  nationalPortalViolation,
  type PortalViolation,
} from './citizen-portal.ts';

const LookupQuery = z.strictObject({
  plate: z.string().min(4).max(24),
  certificate: z.string().regex(/^[A-Za-z0-9-]{4,32}$/, 'must be a registration certificate number'),
});

/**
 * The published fields of each violation (TT 73/2024 Art. 24) and, for the papers holder, the portal's fields
 * (citizen-portal.ts: reference, fine range or decided amount, deadlines, amount due, payment, complaints,
 * whether a privacy copy exists). `grant` lets the portal's later requests name this vehicle's cases.
 */
const LookupResponse = z.object({
  grant: z.string().nullable(),
  violations: z.array(PortalViolationSchema),
});

export const CITIZEN_LOOKUP_PURPOSE = 'citizen lookup by plate and registration certificate';

/** What an access request discloses (docs/data-protection.md, "The data subject"). */
export const SubjectExport = z.object({
  requestId: z.string().nullable(),
  legalBasis: z.object({ instrument: z.string(), article: z.string().optional(), verified: z.boolean() }),
  cases: z.array(
    z.object({
      caseId: z.string(),
      published: z.object(PublishedFieldsSchema),
      privacyCopies: z.array(z.object({ digest: z.string(), mediaType: z.string(), size: z.number().int() })),
      destroyed: z.array(z.object({ digest: z.string(), policy: z.string(), at: z.string() })),
      custody: z.array(
        z.object({ accessedAt: z.string(), actor: z.object({ kind: z.string(), id: z.string() }), access: z.string(), purpose: z.string() }),
      ),
    }),
  ),
});

/**
 * The access export of a vehicle's published cases: published fields, privacy copy references, destroyed
 * evidence and the custody log; each case disclosed is itself recorded in its custody log (access `lookup`).
 */
export async function subjectAccessExport(
  services: ApiServices,
  found: readonly PublishedViolation[],
  request: { requestId: string | null; actor: { kind: 'citizen' | 'officer'; id: string }; correlationId?: string },
): Promise<z.infer<typeof SubjectExport>> {
  const cases: z.infer<typeof SubjectExport>['cases'] = [];
  for (const v of found) {
    const disclosure = await discloseCase(services.store, v.caseId);
    await recordEvidenceAccess(
      services.commandDeps,
      { actor: request.actor, province: v.province },
      { caseId: v.caseId, access: 'lookup', purpose: `data subject access request${request.requestId ? ` ${request.requestId}` : ''}`.slice(0, 200) },
      request.correlationId !== undefined ? { correlationId: request.correlationId } : {},
    );
    cases.push({ ...disclosure, published: publishedFields(v) });
  }
  return { requestId: request.requestId, legalBasis: SUBJECT_LEGAL_BASIS.access, cases };
}

/**
 * The lookup on the national node (`--tier national`): the same published violations, answered from the
 * provincial read models projected over the mirrored feeds (src/adapters/witness/national-projections.ts), one
 * per case (a case handed over across nodes is shown where it goes on), each disclosure recorded in custody on
 * this node under the case's province. Only the published fields, the notice reference and the portal of the
 * province node that handles the case (`followAt`): the case's procedure lives there, so the portal's actions
 * are refused here with that node named (national-citizen.ts).
 */
async function nationalLookup(
  services: ApiServices,
  national: NonNullable<ApiServices['nationalReadModels']>,
  compact: string,
  correlated: { correlationId?: string },
): Promise<PortalViolation[]> {
  const found = await nationalPublishedViolations(national, services, compact);
  for (const v of found) {
    await recordEvidenceAccess(
      services.commandDeps,
      { actor: { kind: 'citizen', id: 'public-lookup' }, province: v.province },
      { caseId: v.caseId, access: 'lookup', purpose: CITIZEN_LOOKUP_PURPOSE },
      correlated,
    );
  }
  const phone = services.citizen?.handlingUnitPhone;
  const nodes = new Map((await provinceNodes(services, found.map(handlingProvinceOf))).map((n) => [n.province, n]));
  return found.map((v) => nationalPortalViolation(v, phone?.(handlingProvinceOf(v)), nodes.get(handlingProvinceOf(v))?.portal ?? null));
}

/**
 * The access export on the national node, from the mirror: per case the published fields (its national row),
 * and from every provincial log that holds the case (each part of a case handed over across nodes) the privacy
 * copy references, the destroyed evidence and the custody log, with this node's own custody records of the case
 * (national lookups) after them. Each case disclosed is recorded in custody here, under the case's province.
 */
export async function nationalSubjectAccessExport(
  services: ApiServices,
  views: NationalViews,
  found: readonly PublishedViolation[],
  request: { requestId: string | null; actor: { kind: 'citizen' | 'officer'; id: string }; correlationId?: string },
): Promise<z.infer<typeof SubjectExport>> {
  const cases: z.infer<typeof SubjectExport>['cases'] = [];
  for (const v of found) {
    const parts = (await views.mirroredCaseStreams(v.caseId)).map((p) => disclosureOf(v.caseId, p));
    const here = await discloseCase(services.store, v.caseId);
    await recordEvidenceAccess(
      services.commandDeps,
      { actor: request.actor, province: v.province },
      { caseId: v.caseId, access: 'lookup', purpose: `data subject access request${request.requestId ? ` ${request.requestId}` : ''}`.slice(0, 200) },
      request.correlationId !== undefined ? { correlationId: request.correlationId } : {},
    );
    cases.push({
      caseId: v.caseId,
      published: publishedFields(v),
      privacyCopies: parts.flatMap((p) => p.privacyCopies),
      destroyed: parts.flatMap((p) => p.destroyed),
      custody: [...parts.flatMap((p) => p.custody), ...here.custody],
    });
  }
  return { requestId: request.requestId, legalBasis: SUBJECT_LEGAL_BASIS.access, cases };
}

/** The national node's answer to a correction or erasure: refused, naming the province nodes of the vehicle's cases. */
export async function subjectRequestAtProvinceNodes(services: ApiServices, provinces: readonly string[]): Promise<SubjectRequestAtProvinceNodeError> {
  return new SubjectRequestAtProvinceNodeError(
    'A correction or erasure is asked of the province node that holds the case: the national node keeps a verified copy it cannot change',
    { nodes: await provinceNodes(services, provinces) },
  );
}

export function publicRoutes(services: ApiServices): AnyRoute[] {
  const budget = services.lookupBudget ?? new InMemoryLookupBudget();
  const portal = portalOf(services);
  return [
    ...citizenPortalRoutes(services, portal),
    ...citizenReportRoutes(services),
    ...citizenComplaintRoutes(services),
    route({
      method: 'get',
      path: '/v1/public/violations',
      summary:
        'Violations recorded against a vehicle (plate + registration certificate number); published fields only',
      tags: ['public'],
      auth: 'public',
      query: LookupQuery,
      responses: {
        200: {
          description: 'Published violations (empty when none, or when the certificate does not match)',
          schema: LookupResponse,
        },
        429: {
          description:
            "Too many failed lookups for this plate (its failure budget, whatever the caller's address); see Retry-After",
        },
      },
      handler: async ({ req, res, query }) => {
        const compact = plateKey(query.plate);
        res.set('Cache-Control', 'no-store');
        // No letters or digits at all: nothing to look up (a property of the text, not of any vehicle).
        if (!compact) {
          res.json({ grant: null, violations: [] });
          return;
        }
        // The plate's failure budget is taken before the registry is asked, for known and unknown plates alike.
        const attempt = await budget.attempt(compact, Date.parse(services.commandDeps.clock.now()));
        if (!attempt.ok) throw new LookupBudgetExhaustedError(attempt.retryAfterSeconds);
        if (!(await services.registry.verifyRegistration(compact, query.certificate))) {
          res.json({ grant: null, violations: [] });
          return;
        }
        await budget.succeeded(compact);
        const nationalReadModels = services.nationalReadModels;
        if (nationalReadModels) {
          const violations = await nationalLookup(services, nationalReadModels, compact, correlation(req));
          // The grant lets the portal open a violation here and be told, on any action, which node holds it.
          const grant = violations.length > 0 ? portal.grants.issue(compact, Date.parse(services.commandDeps.clock.now())) : null;
          res.json({ grant, violations });
          return;
        }
        const found = await services.queries.citizenViolations(compact);
        for (const v of found) {
          await recordEvidenceAccess(
            services.commandDeps,
            { actor: { kind: 'citizen', id: 'public-lookup' }, province: v.province },
            { caseId: v.caseId, access: 'lookup', purpose: CITIZEN_LOOKUP_PURPOSE },
            correlation(req),
          );
        }
        const now = services.commandDeps.clock.now();
        const violations = [];
        for (const v of found) {
          const { kase, citizen } = await loadPortalCase(services, v.caseId);
          const view = portalCaseView(kase, citizen, now, portal.treasury);
          violations.push(portalViolation(v, view, portal.settings.handlingUnitPhone?.(v.transferredTo ?? kase.province), responseOf(kase, now)));
        }
        // A grant only for a vehicle with published violations: nothing to act on otherwise, and an empty
        // answer must look the same whether or not the certificate matched.
        res.json({ grant: violations.length > 0 ? portal.grants.issue(compact, Date.parse(now)) : null, violations });
      },
    }),
    route({
      method: 'post',
      path: '/v1/public/subject-requests',
      summary:
        'A vehicle owner (plate + registration certificate) asks what is recorded (access), or for a correction or erasure',
      tags: ['public', 'data-subject'],
      auth: 'public',
      body: LookupQuery.extend({ kind: z.enum(SUBJECT_REQUEST_KINDS), details: TextSchema.optional() }),
      responses: {
        200: { description: 'Access: what is recorded (empty when none, or when the certificate does not match)', schema: SubjectExport },
        202: {
          description: 'Correction or erasure: received if the plate and certificate match (the same answer either way)',
          schema: z.object({ received: z.literal(true) }),
        },
        429: { description: "Too many failed attempts for this plate (the lookup's failure budget); see Retry-After" },
      },
      handler: async ({ req, res, body }) => {
        res.set('Cache-Control', 'no-store');
        const empty = async () => {
          // The national node changes no case: a correction or erasure there is refused, whatever the papers say
          // (with the province nodes named only when the papers match and the vehicle has cases).
          if (services.nationalReadModels && body.kind !== 'access') throw await subjectRequestAtProvinceNodes(services, []);
          if (body.kind === 'access') res.status(200).json({ requestId: null, legalBasis: SUBJECT_LEGAL_BASIS.access, cases: [] });
          else res.status(202).json({ received: true });
        };
        const compact = plateKey(body.plate);
        if (!compact) {
          await empty();
          return;
        }
        // The same guessing protection as the lookup: one budget per plate, taken before the registry is asked.
        const attempt = await budget.attempt(compact, Date.parse(services.commandDeps.clock.now()));
        if (!attempt.ok) throw new LookupBudgetExhaustedError(attempt.retryAfterSeconds);
        if (!(await services.registry.verifyRegistration(compact, body.certificate))) {
          await empty();
          return;
        }
        await budget.succeeded(compact);
        const national = services.nationalReadModels;
        if (national && services.nationalViews) {
          const found = await nationalPublishedViolations(national, services, compact);
          if (body.kind !== 'access') throw await subjectRequestAtProvinceNodes(services, found.map(handlingProvinceOf));
          res.status(200).json(await nationalAccess(services, services.nationalViews, found, { kind: 'citizen', id: 'public-subject-request' }, correlation(req)));
          return;
        }
        const found = await services.queries.citizenViolations(compact);
        // An access discloses the published cases; a correction or erasure concerns every case of the plate.
        const concerned = body.kind === 'access' ? found : await services.queries.casesOfPlate(compact);
        const requestId = services.commandDeps.ids();
        await receiveSubjectRequest(
          services.commandDeps,
          { actor: { kind: 'citizen', id: 'public-subject-request' }, province: concerned[0]?.province ?? '00' },
          { requestId, kind: body.kind, channel: 'public', caseIds: concerned.map((v) => v.caseId), ...(body.details !== undefined ? { details: body.details } : {}) },
          correlation(req),
        );
        if (body.kind !== 'access') {
          // The request id is not returned: the answer would then tell a matching certificate from a wrong one.
          res.status(202).json({ received: true });
          return;
        }
        const exported = await subjectAccessExport(services, found, {
          requestId,
          actor: { kind: 'citizen', id: 'public-subject-request' },
          ...correlation(req),
        });
        await answerSubjectRequest(
          services.commandDeps,
          { actor: { kind: 'system', id: 'subject-access' }, province: found[0]?.province ?? '00' },
          { requestId, outcome: 'disclosed', reason: `disclosed ${found.length} case(s) through the public channel` },
          correlation(req),
        );
        res.status(200).json(exported);
      },
    }),
  ];
}

/**
 * An access request answered on the national node: recorded here (the request's stream), answered from the
 * mirror (`nationalSubjectAccessExport`), its answer recorded.
 */
export async function nationalAccess(
  services: ApiServices,
  views: NationalViews,
  found: readonly PublishedViolation[],
  actor: { kind: 'citizen' | 'officer'; id: string },
  correlated: { correlationId?: string },
  /** The officer filing it (the public channel: the citizen actor, under the first case's province). */
  caller?: Caller,
): Promise<z.infer<typeof SubjectExport>> {
  const requestId = services.commandDeps.ids();
  const province = found[0]?.province ?? '00';
  await receiveSubjectRequest(
    services.commandDeps,
    caller ?? { actor, province },
    { requestId, kind: 'access', channel: actor.kind === 'officer' ? 'officer' : 'public', caseIds: found.map((v) => v.caseId) },
    correlated,
  );
  const exported = await nationalSubjectAccessExport(services, views, found, { requestId, actor, ...correlated });
  await answerSubjectRequest(
    services.commandDeps,
    caller ?? { actor: { kind: 'system', id: 'subject-access' }, province },
    { requestId, outcome: 'disclosed', reason: `disclosed ${found.length} case(s) from the national mirror` },
    correlated,
  );
  return exported;
}
