/**
 * The legal catalog: Decree 168/2024/NĐ-CP as versioned data, lookups by date, and the sanctioning-authority
 * table. Pure data and functions, no I/O, no clock: every lookup takes the violation date.
 */
export type {
  CatalogEntry,
  CatalogVersion,
  LegalBasis,
  Measurement,
  MeasurementKind,
  VehicleClass,
} from './types.ts';
export { VEHICLE_CLASSES } from './types.ts';
export {
  InvalidCatalogDateError,
  NoAuthorityInForceError,
  UnknownViolationCodeError,
  ViolationNotApplicableError,
} from './errors.ts';
export type { NotApplicableReason } from './errors.ts';
export { vietnamDateOf } from './dates.ts';
export { DECREE_168_VERSION_ID } from './entries.ts';
export {
  CATALOG_VERSIONS,
  amendCatalogVersion,
  catalogVersionAt,
  listViolations,
  lookupViolation,
  measurementCovers,
  violationCodeForOverload,
  violationCodeForSpeed,
} from './versions.ts';
export type { CatalogAmendment } from './versions.ts';
export {
  AUTHORITY_LIMITS_VND,
  AUTHORITY_VERSIONS,
  DECREE_168_AUTHORITY,
  DECREE_189_AUTHORITY,
  OFFICER_TITLES,
  ORGANISATION_MULTIPLIER,
  authorityCovers,
  authorityInForce,
  authorityLimitFor,
  fineRangeFor,
  isFineWithinRange,
  minimumAuthorityFor,
} from './authority.ts';
export type { AuthorityRow, AuthorityVersion, Offender, OfficerTitle } from './authority.ts';
export { catalogProblems } from './validate.ts';
