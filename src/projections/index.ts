/** Every projection of the node, in a fixed order (the order `tec replay all` reports them in). */
import { camerasProjection } from './cameras/projection.ts';
import { caseTimelineProjection, caseViewsProjection, citizenLookupProjection } from './cases/projection.ts';
import { custodyLogProjection } from './custody/projection.ts';
import { modelPerformanceProjection } from './models/projection.ts';
import { officerWorkloadProjection } from './officers/projection.ts';
import type { Projection } from './projection.ts';
import { statisticsProjection } from './statistics/projection.ts';

export const ALL_PROJECTIONS: readonly Projection[] = [
  caseViewsProjection,
  caseTimelineProjection,
  citizenLookupProjection,
  statisticsProjection,
  camerasProjection,
  modelPerformanceProjection,
  officerWorkloadProjection,
  custodyLogProjection,
];

export function projectionByName(name: string): Projection | undefined {
  return ALL_PROJECTIONS.find((p) => p.name === name);
}
