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
    run: (scope: StatisticsScope) => Promise<unknown>,
  ) =>
    route({
      method: 'get',
      path: `/v1/statistics/${path}`,
      summary,
      tags: ['statistics'],
      auth,
      query: ScopeQuery,
      responses: { 200: { description: 'Aggregates' } },
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
      (s) => q.violationStatistics(s),
    ),
    stat(
      'cameras',
      'Camera coverage: cameras, status and detections per camera',
      [...STAFF, 'analyst'],
      (s) => q.cameraCoverage(s),
    ),
    stat('models', 'AI model performance: readings, confirmations, corrections', [...STAFF, 'analyst'], (s) =>
      q.modelPerformance(s),
    ),
    stat(
      'officers',
      'Officer workload (names officers: supervisors and auditors only)',
      ['supervisor', 'auditor'],
      (s) => q.officerWorkload(s),
    ),
  ];
}
