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
 * thumbnail, after a custody record per listed case (routes/listed-plates.ts, shared with `GET /v1/cases`).
 */
import { z } from 'zod';
import { CursorSchema } from '../../../projections/queries.ts';
import { seesProvince, type Role } from '../../auth/roles.ts';
import { ForbiddenError, route } from '../route.ts';
import { ValidationError } from '../../../domain/shared/errors.ts';
import { isNational, requirePrincipal, type AnyRoute } from './access.ts';
import { disclosedItems, IncludePlatesQuery, ListedPersonalSchema, listedPlatesPurpose } from './listed-plates.ts';
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
  include: IncludePlatesQuery,
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
      ...ListedPersonalSchema,
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
        const purpose = listedPlatesPurpose(req, query.include);
        const page = await services.queries.reviewQueue(province, {
          limit: query.limit,
          ...(query.after !== undefined ? { after: query.after } : {}),
        });
        const items = await disclosedItems(services, req, caller, page.items, purpose);
        res.set('Cache-Control', 'no-store').json({ province, items, ...(page.next ? { next: page.next } : {}) });
      },
    }),
  ];
}
