/** The legal catalog (pure data from src/domain/catalog) for the review and decision screens. */
import {
  lookupViolation,
  listViolations,
  fineRangeFor,
  authorityLimitFor,
  minimumAuthorityFor,
  OFFICER_TITLES,
  type CatalogEntry,
  type OfficerTitle,
  type VehicleClass,
} from '../../../src/domain/catalog/index.ts';

export { fineRangeFor, authorityLimitFor, minimumAuthorityFor, OFFICER_TITLES, listViolations };
export type { CatalogEntry, OfficerTitle };

/** The entry in force for the violation date, or undefined when the code or class does not apply. */
export function catalogEntry(code: string, vehicleClass: string, observedAt: string): CatalogEntry | undefined {
  try {
    return lookupViolation(code, vehicleClass as VehicleClass, observedAt);
  } catch {
    return undefined;
  }
}

export function legalBasisText(entry: CatalogEntry, lang: 'vi' | 'en'): string {
  const b = entry.legalBasis;
  const point = b.point ? (lang === 'en' ? `point ${b.point}, ` : `điểm ${b.point}, `) : '';
  return lang === 'en'
    ? `Decree ${b.decree}, ${point}clause ${b.clause}, Art. ${b.article}`
    : `${point}khoản ${b.clause} Điều ${b.article} Nghị định ${b.decree}`;
}
