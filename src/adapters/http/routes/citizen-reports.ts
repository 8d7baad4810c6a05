/**
 * Violations reported by citizens (docs/citizen-portal.md, "Reporting a violation"): the public submission and
 * follow-up, and the province's officers' queue and review. A report is flagged `source: citizen` and is not a
 * case: no route here, or anywhere, decides a penalty from it.
 *
 * - `POST /v1/public/reports`                                public; photos uploaded first (`PUT /v1/public/attachments`); Idempotency-Key
 * - `GET  /v1/public/reports/:province/:reportId`            public; the reporter follows the status (the id is the unguessable part)
 * - `GET  /v1/citizen-reports?province=XX`                   officers/supervisors of the province: the queue
 * - `GET  /v1/citizen-reports/:province/:reportId/photos/:digest`  one photo (X-Purpose)
 * - `POST /v1/citizen-reports/:province/:reportId/review`    an officer accepts (for investigation) or rejects
 */
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { loadReportQueue, reviewReport, submitReport } from '../../../commands/citizen.ts';
import { recordEvidenceAccess } from '../../../commands/custody.ts';
import { IdempotencyKeySchema, MAX_ATTACHMENTS, REPORT_OUTCOMES, reportReference, type ReportFacts } from '../../../domain/citizen/index.ts';
import { canonicalize } from '../../../domain/integrity/canonical.ts';
import { isProvinceCode } from '../../../domain/provinces/index.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { DigestSchema, UtcTimestampSchema } from '../../../domain/signoff/primitives.ts';
import { seesProvince } from '../../auth/roles.ts';
import { checkEvidenceMedia } from '../../evidence/media-check.ts';
import { NotFoundError, route } from '../route.ts';
import { callerFor, requirePrincipal, type AnyRoute } from './access.ts';
import { correlation } from './case-common.ts';
import { ATTACHMENT_MEDIA_TYPES, AttachmentNotStoredError, IdempotencyKeyRequiredError } from './citizen-portal.ts';
import { ProvinceNotServedError } from './ingest.ts';
import { reportAtProvinceNodeError } from './national-citizen.ts';
import type { ApiServices } from './services.ts';

const ProvinceSchema = z.string().refine(isProvinceCode, 'must be a province code');
const ReportParams = z.strictObject({ province: ProvinceSchema, reportId: z.uuid() });
const REPORT_READERS = ['officer', 'supervisor'] as const;

const ReportStatusSchema = z.object({
  reportId: z.string(),
  reference: z.string(),
  province: z.string(),
  source: z.literal('citizen'),
  status: z.enum(['awaiting-review', ...REPORT_OUTCOMES]),
  reportedAt: z.string(),
  reviewedAt: z.string().nullable(),
  reason: z.string().nullable(),
});

function statusOf(province: string, r: ReportFacts) {
  return {
    reportId: r.reportId,
    reference: r.reference,
    province,
    source: 'citizen' as const,
    status: r.review?.outcome ?? ('awaiting-review' as const),
    reportedAt: r.reportedAt,
    reviewedAt: r.review?.reviewedAt ?? null,
    reason: r.review?.reason ?? null,
  };
}

export function citizenReportRoutes(services: ApiServices): AnyRoute[] {
  const deps = services.commandDeps;
  const load = async (province: string, reportId: string) => {
    const queue = await loadReportQueue(services.store, province);
    const report = queue.status === 'active' ? queue.reports[reportId] : undefined;
    if (!report) throw new NotFoundError('No such report', {});
    return report;
  };
  return [
    route({
      method: 'post',
      path: '/v1/public/reports',
      summary: 'Report a violation seen on the road, with photos (Circular 73/2024); a citizen-sourced report for the province to review',
      tags: ['public'],
      auth: 'public',
      body: z.strictObject({
        province: ProvinceSchema,
        observedAt: UtcTimestampSchema,
        place: z.string().trim().min(3).max(200),
        plate: z.string().trim().min(4).max(24).optional(),
        description: z.string().trim().min(10).max(2000),
        photos: z
          .array(z.strictObject({ digest: DigestSchema, mediaType: z.enum(ATTACHMENT_MEDIA_TYPES), size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }))
          .min(1)
          .max(MAX_ATTACHMENTS),
      }),
      responses: {
        201: { description: 'Reported: the reference to follow it', schema: ReportStatusSchema },
        200: { description: 'A repeat under the same Idempotency-Key', schema: ReportStatusSchema },
        409: { description: 'The Idempotency-Key was used for another request; or, on the national node, reports are made on the province node (named)' },
        403: { description: "A provincial node that does not serve the report's province" },
      },
      handler: async ({ req, res, body }) => {
        // The report goes to the officers of the province where the violation was seen: on that province's node.
        if (services.nationalReadModels) throw await reportAtProvinceNodeError(services, body.province);
        if (services.servedProvinces && !services.servedProvinces.includes(body.province)) {
          throw new ProvinceNotServedError(`This node does not serve province ${body.province}: report it on that province's node`, {
            province: body.province,
            served: services.servedProvinces,
          });
        }
        const raw = req.get('idempotency-key');
        if (raw === undefined) throw new IdempotencyKeyRequiredError('Every portal write needs an Idempotency-Key header');
        const key = IdempotencyKeySchema.safeParse(raw);
        if (!key.success) throw new ValidationError('Idempotency-Key must be 8-64 letters, digits, - or _', undefined, 'invalid-idempotency-key');
        for (const p of body.photos) {
          const info = await services.evidence.stat(p.digest);
          if (!info || info.size !== p.size) throw new AttachmentNotStoredError('A photo was not uploaded (or has another size)', { digest: p.digest });
          await checkEvidenceMedia(p.mediaType, await services.evidence.getBytes(p.digest), { digest: p.digest });
        }
        const reportId = deps.ids();
        // The reporter is anonymous to the records: one pseudonym per client key, never a name or address.
        const actor = { kind: 'citizen' as const, id: `reporter-${createHash('sha256').update(`reporter\0${key.data}`).digest('hex').slice(0, 16)}` };
        const outcome = await submitReport(
          deps,
          { actor, province: body.province },
          {
            reportId,
            reference: reportReference(body.province, reportId),
            observedAt: body.observedAt,
            place: body.place,
            ...(body.plate !== undefined ? { plate: body.plate } : {}),
            description: body.description,
            photos: body.photos.map((p) => ({ ...p, role: 'citizen-report-photo' })),
            idempotencyKey: key.data,
            requestDigest: `sha256:${createHash('sha256').update(canonicalize(body)).digest('hex')}`,
          },
          correlation(req),
        );
        const state = outcome.state;
        const id = state.status === 'active' ? state.keys[key.data]?.reportId : undefined;
        const report = id && state.status === 'active' ? state.reports[id] : undefined;
        if (!report) throw new NotFoundError('No report under this key', {});
        res.status(outcome.events.length > 0 ? 201 : 200).json(statusOf(body.province, report));
      },
    }),
    route({
      method: 'get',
      path: '/v1/public/reports/:province/:reportId',
      summary: "A reported violation's status, for the reporter to follow",
      tags: ['public'],
      auth: 'public',
      params: ReportParams,
      responses: { 200: { description: 'The status', schema: ReportStatusSchema } },
      handler: async ({ res, params }) => {
        res.set('Cache-Control', 'no-store');
        res.json(statusOf(params.province, await load(params.province, params.reportId)));
      },
    }),
    route({
      method: 'get',
      path: '/v1/citizen-reports',
      summary: "The province's citizen reports (citizen-sourced; never cases until an officer opens one), newest first",
      tags: ['citizen-reports'],
      auth: REPORT_READERS,
      query: z.strictObject({ province: ProvinceSchema }),
      responses: {
        200: {
          description: 'The reports',
          schema: z.object({
            items: z.array(
              ReportStatusSchema.extend({
                observedAt: z.string(),
                place: z.string(),
                plate: z.string().nullable(),
                description: z.string(),
                photos: z.array(z.object({ digest: z.string(), mediaType: z.string(), size: z.number() })),
              }),
            ),
          }),
        },
      },
      handler: async ({ res, principal, query }) => {
        const p = requirePrincipal(principal);
        if (!seesProvince(p, query.province)) throw new NotFoundError('No such province queue', {});
        const queue = await loadReportQueue(services.store, query.province);
        const items =
          queue.status === 'active'
            ? [...queue.order].reverse().map((id) => {
                const r = queue.reports[id]!;
                return {
                  ...statusOf(query.province, r),
                  observedAt: r.observedAt,
                  place: r.place,
                  plate: r.plate ?? null,
                  description: r.description,
                  photos: r.photos.map((x) => ({ digest: x.digest, mediaType: x.mediaType, size: x.size })),
                };
              })
            : [];
        res.set('Cache-Control', 'no-store').json({ items });
      },
    }),
    route({
      method: 'get',
      path: '/v1/citizen-reports/:province/:reportId/photos/:digest',
      summary: "One photo of a citizen's report (each view a custody record, stream custody-<reportId>)",
      tags: ['citizen-reports'],
      auth: REPORT_READERS,
      params: ReportParams.extend({ digest: DigestSchema }),
      requiresPurpose: true,
      responses: { 200: { description: 'The photo', contentType: 'image/jpeg' } },
      handler: async ({ req, res, principal, params, purpose }) => {
        const p = requirePrincipal(principal);
        if (!seesProvince(p, params.province)) throw new NotFoundError('No such report', {});
        const report = await load(params.province, params.reportId);
        const photo = report.photos.find((x) => x.digest === params.digest);
        if (!photo) throw new NotFoundError('The report holds no such photo', {});
        // Each view is a custody record before the bytes leave: stream `custody-<reportId>` (a report's id is a
        // UUID like a case's; the record's `caseId` names the report), filed under the report's province.
        await recordEvidenceAccess(
          deps,
          callerFor(p, params.province),
          { caseId: params.reportId, digest: photo.digest, access: 'view', purpose: purpose! },
          { ...correlation(req), caseProvince: params.province },
        );
        const body = await services.evidence.get(photo.digest, { expectedSize: photo.size });
        res.status(200).set({ 'Content-Type': photo.mediaType, 'Content-Length': String(photo.size), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
        await pipeline(body, res);
      },
    }),
    route({
      method: 'post',
      path: '/v1/citizen-reports/:province/:reportId/review',
      summary: 'Review a citizen report: accepted for investigation, or rejected with a reason (decides no penalty)',
      tags: ['citizen-reports'],
      auth: REPORT_READERS,
      params: ReportParams,
      body: z.strictObject({ outcome: z.enum(REPORT_OUTCOMES), reason: z.string().trim().min(3).max(2000) }),
      responses: { 200: { description: 'Reviewed', schema: ReportStatusSchema }, 409: { description: 'Reviewed already, differently' } },
      handler: async ({ req, res, principal, params, body }) => {
        const p = requirePrincipal(principal);
        if (!seesProvince(p, params.province)) throw new NotFoundError('No such report', {});
        const outcome = await reviewReport(deps, callerFor(p, params.province), { reportId: params.reportId, outcome: body.outcome, reason: body.reason }, correlation(req));
        const state = outcome.state;
        const report = state.status === 'active' ? state.reports[params.reportId] : undefined;
        if (!report) throw new NotFoundError('No such report', {});
        res.json(statusOf(params.province, report));
      },
    }),
  ];
}
