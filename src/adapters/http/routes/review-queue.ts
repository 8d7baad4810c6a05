/**
 * `GET /v1/review-queue`: the province's cases awaiting a human review, oldest observation first, with case
 * flags and SLA flags computed by the server at request time (the owner notice is due 10 days after
 * detection, the one-year limitation). Paged with an opaque cursor.
 *
 * Scope exactly as the case list: officers and supervisors see their own province; national staff (province
 * "00") name one with `?province=`. Another province is 403 `forbidden`, like the statistics routes: a
 * province's existence is no secret, and a queue carries no case ids the caller could not list anyway.
 *
 * `?include=plates` (the officer's screen) adds each case's plate as read and the digest of the overview's
 * thumbnail. That is personal data, so it needs an `X-Purpose` and every case of the page gets an
 * `EvidenceAccessed` record (`view`, that purpose) before the page is sent; the thumbnail's bytes are then
 * fetched through the evidence route, which records its own custody entry per fetch. Without `include` the
 * page carries neither and records nothing, as before.
 */
import { z } from 'zod';
import { CursorSchema } from '../../../projections/queries.ts';
import { seesProvince, type Role } from '../../auth/roles.ts';
import { ForbiddenError, route, statedPurpose } from '../route.ts';
import { recordEvidenceAccesses } from '../../../commands/custody.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { callerFor, isNational, requirePrincipal, type AnyRoute } from './access.ts';
import { correlation } from './case-common.ts';
import type { ApiServices } from './services.ts';

/** Who works the review queue: the people who sign reviews. */
export const QUEUE_READERS: readonly Role[] = ['officer', 'supervisor'];

const QueueQuery = z.strictObject({
  province: z
    .string()
    .regex(/^\d{2}$/, 'must be a two-digit province code')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: CursorSchema.optional(),
  /** `plates`: add the plate and the thumbnail reference (needs X-Purpose; a custody record per listed case). */
  include: z.literal('plates').optional(),
});

const Flags = z.object({ calibration: z.boolean(), modelNotApproved: z.boolean(), plateMismatch: z.boolean(), plateDoubt: z.boolean() });
const Sla = z.object({
  noticeDueSoon: z.boolean(),
  noticeOverdue: z.boolean(),
  limitationApproaching: z.boolean(),
  limitationPassed: z.boolean(),
});
const QueueResponse = z.object({
  province: z.string(),
  items: z.array(
    z.object({
      caseId: z.string(),
      province: z.string(),
      status: z.string(),
      cameraId: z.string(),
      observedAt: z.string(),
      location: z.string(),
      roadType: z.string(),
      violationCode: z.string(),
      vehicleClass: z.string(),
      flags: Flags,
      noticeDueAt: z.string(),
      limitationEndsAt: z.string(),
      sla: Sla,
      /** With `include=plates` only: the plate as read (AI reading, else the camera's), null when none. */
      plate: z.string().nullable().optional(),
      /** With `include=plates` only: the overview's thumbnail (fetch it from the evidence route with a purpose). */
      thumbnail: z.object({ digest: z.string(), mediaType: z.string(), size: z.number() }).nullable().optional(),
    }),
  ),
  next: z.string().optional(),
});

export function reviewQueueRoutes(services: ApiServices): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/v1/review-queue',
      summary: 'Cases awaiting review in one province, oldest first, with case flags and SLA flags',
      tags: ['cases'],
      auth: QUEUE_READERS,
      query: QueueQuery,
      responses: {
        200: { description: 'One page of the queue; `next` is the cursor of the following page', schema: QueueResponse },
        400: { description: '`include=plates` without a valid X-Purpose header (`purpose-required`)' },
      },
      handler: async ({ req, res, principal, query }) => {
        const caller = requirePrincipal(principal);
        if (isNational(caller) && query.province === undefined)
          throw new ValidationError(
            'National staff name the province: ?province=<two-digit code>',
            undefined,
            'province-required',
          );
        const province = query.province ?? caller.province;
        if (!seesProvince(caller, province)) throw new ForbiddenError('Provincial staff see their own province');
        const withPlates = query.include === 'plates';
        const purpose = withPlates ? statedPurpose(req) : undefined;
        const page = await services.queries.reviewQueue(province, {
          limit: query.limit,
          ...(query.after !== undefined ? { after: query.after } : {}),
        });
        let items: object[];
        if (purpose !== undefined) {
          // Custody first: nothing personal leaves before every listed case has its record (filed under the
          // case's province, also when national staff look).
          await recordEvidenceAccesses(
            services.commandDeps,
            callerFor(caller, province),
            page.items.map((c) => ({ caseId: c.caseId, access: 'view' as const, purpose })),
            { ...correlation(req), caseProvince: province },
          );
          items = page.items;
        } else {
          items = page.items.map(({ plate: _plate, thumbnail: _thumbnail, ...listed }) => listed);
        }
        res.set('Cache-Control', 'no-store').json({ province, items, ...(page.next ? { next: page.next } : {}) });
      },
    }),
  ];
}
