/**
 * Consistency checks over catalog data, run by the unit tests and usable before publishing a new version.
 * Returns human-readable problems; an empty list means the data is consistent.
 */
import type { CatalogVersion } from './types.ts';
import { VEHICLE_CLASSES } from './types.ts';

const POINT = /^(|[a-zđ])$/u;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function catalogProblems(versions: readonly CatalogVersion[]): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  let previousFrom = '';
  for (const v of versions) {
    if (ids.has(v.id)) problems.push(`duplicate version id ${v.id}`);
    ids.add(v.id);
    if (!DATE.test(v.effectiveFrom)) problems.push(`${v.id}: bad effectiveFrom`);
    if (v.effectiveFrom <= previousFrom)
      problems.push(`${v.id}: versions must be in increasing effectiveFrom order`);
    previousFrom = v.effectiveFrom;
    const codes = new Set<string>();
    for (const e of v.entries) {
      const where = `${v.id} ${e.code}`;
      if (codes.has(e.code)) problems.push(`${where}: duplicate code`);
      codes.add(e.code);
      if (e.catalogVersion !== v.id)
        problems.push(`${where}: catalogVersion ${e.catalogVersion} differs from its version`);
      const { article, clause, point } = e.legalBasis;
      const expected = point ? `168.${article}.${clause}.${point}` : `168.${article}.${clause}`;
      if (e.code !== expected) problems.push(`${where}: code does not match legal basis ${expected}`);
      if (!POINT.test(point)) problems.push(`${where}: point must be one lowercase letter or ''`);
      if (!Number.isSafeInteger(e.fineMinVnd) || !Number.isSafeInteger(e.fineMaxVnd))
        problems.push(`${where}: fines must be integer VND`);
      if (!(e.fineMinVnd > 0 && e.fineMinVnd <= e.fineMaxVnd))
        problems.push(`${where}: fine range must be 0 < min <= max`);
      if (e.fineMinVnd % 1000 !== 0 || e.fineMaxVnd % 1000 !== 0)
        problems.push(`${where}: fines are whole thousands of VND`);
      if (!Number.isInteger(e.points) || e.points < 0 || e.points > 12)
        problems.push(`${where}: points must be 0..12`);
      if (e.vehicleClasses.length === 0 || e.vehicleClasses.some((c) => !VEHICLE_CLASSES.includes(c)))
        problems.push(`${where}: bad vehicle classes`);
      if (!DATE.test(e.effectiveFrom) || e.effectiveFrom > v.effectiveFrom)
        problems.push(`${where}: effectiveFrom must be on or before its version's`);
      if (e.effectiveTo !== undefined && !(e.effectiveTo > e.effectiveFrom))
        problems.push(`${where}: effectiveTo must follow effectiveFrom`);
      if (!e.title.vi.trim() || !e.title.en.trim()) problems.push(`${where}: titles must not be empty`);
      const m = e.measurement;
      if (m) {
        if (m.minExclusive !== undefined && m.minInclusive !== undefined)
          problems.push(`${where}: two lower bounds`);
        if (m.maxExclusive !== undefined && m.maxInclusive !== undefined)
          problems.push(`${where}: two upper bounds`);
        const lo = m.minExclusive ?? m.minInclusive;
        const hi = m.maxExclusive ?? m.maxInclusive;
        if (lo === undefined) problems.push(`${where}: a band needs a lower bound`);
        if (lo !== undefined && hi !== undefined && !(lo < hi)) problems.push(`${where}: empty band`);
        if (m.kind === 'overload-percent' && m.against === undefined)
          problems.push(`${where}: overload band needs 'against'`);
      }
    }
  }
  return problems;
}
