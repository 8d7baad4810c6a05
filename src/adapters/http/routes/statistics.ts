/**
 * Statistics from the read models: violations per province or nationally, camera coverage, model
 * performance, officer workload.
 *
 * Who sees what: national analysts see national aggregates only (never a single province's officers, never
 * personal data); provincial staff see their province; national staff see any province and the nation.
 * Officer workload names officers (staff personal data): supervisors and auditors only.
 */
import { z } from 'zod';
import { CalendarDate } from '../../../domain/shared/time.ts';
import { NATIONAL_SCOPE, seesProvince, type Principal, type Role } from '../../auth/roles.ts';
import { ForbiddenError, route } from '../route.ts';
import { requirePrincipal, type AnyRoute } from './access.ts';
import type { ApiServices, StatisticsScope } from './services.ts';

const ScopeQuery = z.strictObject({
  province: z.union([z.literal('national'), z.string().regex(/^\d{2}$/)]).default('national'),
  from: CalendarDate.optional(),
  to: CalendarDate.optional(),
});
type ScopeQuery = z.infer<typeof ScopeQuery>;

/** The scope the answer covers, as `scopeFor` resolved it. */
const ScopeResponse = z.object({
  province: z.string(),
  from: z.string().optional(),
  to: z.string().optional(),
});
/** Counters are JSON numbers, or decimal strings beyond 2^53 (bigintToJson). */
const Count = z.union([z.number(), z.string()]);
const Counters = {
  detections: Count,
  confirmed: Count,
  rejected: Count,
  penalties: Count,
  finesDecidedVnd: Count,
  finesPaidVnd: Count,
  pointsDeducted: Count,
};
const ViolationStatistics = z.object({
  scope: z.string(),
  from: z.string(),
  to: z.string(),
  rows: z.array(z.object({ day: z.string(), province: z.string(), violationCode: z.string(), ...Counters })),
  totals: z.object(Counters),
});
const Percent = z.number().nullable();
/** Also the body of `GET /v1/national/camera-coverage` (routes/witness.ts). */
export const CameraCoverage = z.object({
  referenceVersion: z.string().nullable(),
  illustrative: z.boolean(),
  note: z.string().nullable(),
  reading: z
    .object({
      centralTypes: z.array(z.string()),
      largeCities: z.array(z.string()),
      largeCityTargetPercent: z.number(),
      otherTargetPercent: z.number(),
      statement: z.string(),
      statementEn: z.string(),
      technicalOpenings: z.string(),
      technicalOpeningsEn: z.string(),
    })
    .describe('How the report reads "central communes", "large cities" and technical openings (one setting)'),
  national: z
    .object({
      expressway: z.object({
        routes: z.number(),
        covered: z.number(),
        percent: Percent,
        uncovered: z.array(z.string()),
        technicalOnly: z.array(z.string()),
      }),
      centralCommunes: z.object({
        total: z.number(),
        covered: z.number(),
        percent: Percent,
        provincesMeetingTarget: z.number(),
      }),
    })
    .nullable(),
  provinces: z.array(
    z.object({
      province: z.string(),
      name: z.string(),
      largeCity: z.boolean(),
      cameras: z.object({
        total: z.number(),
        byStatus: z.record(z.string(), z.number()),
        byRoadType: z.record(z.string(), z.number()),
        calibrationValid: z.number(),
      }),
      communes: z.array(z.object({ code: z.string().nullable(), name: z.string(), cameras: z.number() })),
      expressway: z.object({
        routes: z.number(),
        covered: z.number(),
        percent: Percent,
        uncovered: z.array(z.string()),
        meetsTarget: z.boolean().nullable(),
        technicalOnly: z.array(z.string()),
      }),
      centralCommunes: z.object({
        total: z.number(),
        covered: z.number(),
        percent: Percent,
        targetPercent: z.number(),
        meetsTarget: z.boolean().nullable(),
      }),
    }),
  ),
  positions: z.array(
    z.object({
      cameraId: z.string(),
      province: z.string(),
      status: z.string(),
      roadType: z.string(),
      latMicro: z.number(),
      lonMicro: z.number(),
      communeCode: z.string().nullable(),
      routeCode: z.string().nullable(),
    }),
  ),
});
export const ModelPerformance = z.array(
  z.object({
    modelId: z.string(),
    name: z.string(),
    version: z.string(),
    status: z.string(),
    readings: z.number(),
    confirmations: z.number(),
    corrections: z.number(),
    rejections: z.number(),
    precision: z.number().nullable(),
    recent: z.object({ cases: z.number(), precision: z.number().nullable() }),
    belowFloor: z.boolean(),
  }),
);
export const OfficerWorkload = z.array(
  z.object({
    officerId: z.string(),
    days: z.array(
      z.object({ day: z.string(), province: z.string(), reviews: z.number(), decisions: z.number() }),
    ),
    reviews: z.number(),
    decisions: z.number(),
    medianDetectionToReviewSeconds: z.number().nullable(),
  }),
);
/** Every statistics route answers `{ scope, data }`. */
const answer = (data: z.ZodType) => z.object({ scope: ScopeResponse, data });

const STAFF: readonly Role[] = ['officer', 'supervisor', 'auditor'];

function scopeFor(principal: Principal, query: ScopeQuery): StatisticsScope {
  const national = query.province === 'national';
  if (principal.role === 'analyst' && !national)
    throw new ForbiddenError('Analysts see national aggregates only');
  if (national && principal.role !== 'analyst' && principal.province !== NATIONAL_SCOPE) {
    throw new ForbiddenError('Provincial staff see their own province');
  }
  if (!national && !seesProvince(principal, query.province))
    throw new ForbiddenError('Provincial staff see their own province');
  return {
    province: query.province,
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
  };
}

export function statisticsRoutes(services: ApiServices): AnyRoute[] {
  const q = services.queries;
  const stat = (
    path: string,
    summary: string,
    auth: readonly Role[],
    data: z.ZodType,
    run: (scope: StatisticsScope) => Promise<unknown>,
  ) =>
    route({
      method: 'get',
      path: `/v1/statistics/${path}`,
      summary,
      tags: ['statistics'],
      auth,
      query: ScopeQuery,
      responses: { 200: { description: 'Aggregates', schema: answer(data) } },
      handler: async ({ res, principal, query }) => {
        const scope = scopeFor(requirePrincipal(principal), query);
        res.json({ scope, data: await run(scope) });
      },
    });
  return [
    stat(
      'violations',
      'Violations by day, province and violation code (province=XX or national)',
      [...STAFF, 'analyst'],
      ViolationStatistics,
      (s) => q.violationStatistics(s),
    ),
    stat(
      'cameras',
      'Camera coverage: cameras, status and detections per camera',
      [...STAFF, 'analyst'],
      CameraCoverage,
      (s) => q.cameraCoverage(s),
    ),
    stat(
      'models',
      'AI model performance: readings, confirmations, corrections',
      [...STAFF, 'analyst'],
      ModelPerformance,
      (s) => q.modelPerformance(s),
    ),
    stat(
      'officers',
      'Officer workload (names officers: supervisors and auditors only)',
      ['supervisor', 'auditor'],
      OfficerWorkload,
      (s) => q.officerWorkload(s),
    ),
  ];
}
