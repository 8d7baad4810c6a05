/**
 * Catalog versions and lookups. `CATALOG_VERSIONS` is append-only history: a case MUST be judged under
 * `catalogVersionAt(violation date)`, and a version, once published, MUST NOT be edited (build the next one
 * with `amendCatalogVersion`). All data here is frozen.
 */
import { DECREE_168_EFFECTIVE_FROM, DECREE_168_ENTRIES, DECREE_168_VERSION_ID } from './entries.ts';
import { UnknownViolationCodeError, ViolationNotApplicableError } from './errors.ts';
import { vietnamDateOf } from './dates.ts';
import type { CatalogEntry, CatalogVersion, Measurement, VehicleClass } from './types.ts';

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

export interface CatalogAmendment {
  id: string;
  source: string;
  /** YYYY-MM-DD; MUST be later than the base version's. */
  effectiveFrom: string;
  /** Entries whose code exists in the base: replaced (new figures take effect on `effectiveFrom`). */
  replace?: readonly Omit<CatalogEntry, 'catalogVersion' | 'effectiveFrom' | 'effectiveTo'>[];
  /** New codes. */
  add?: readonly Omit<CatalogEntry, 'catalogVersion' | 'effectiveFrom' | 'effectiveTo'>[];
  /** Codes repealed from `effectiveFrom`. */
  remove?: readonly string[];
}

/**
 * Builds the next version from `base` without touching it: unchanged entries are carried over (keeping their
 * original `effectiveFrom`), replaced and added entries take effect on the amendment's date, removed codes
 * are absent. Throws `Error` on an inconsistent amendment (a programming error in catalog data).
 */
export function amendCatalogVersion(base: CatalogVersion, amendment: CatalogAmendment): CatalogVersion {
  if (!(amendment.effectiveFrom > base.effectiveFrom))
    throw new Error(`Amendment ${amendment.id} must start after ${base.id}`);
  const codes = new Set(base.entries.map((e) => e.code));
  for (const e of amendment.replace ?? [])
    if (!codes.has(e.code)) throw new Error(`Cannot replace unknown code ${e.code}`);
  for (const e of amendment.add ?? [])
    if (codes.has(e.code)) throw new Error(`Cannot add existing code ${e.code}`);
  for (const c of amendment.remove ?? [])
    if (!codes.has(c)) throw new Error(`Cannot remove unknown code ${c}`);
  const replaced = new Map((amendment.replace ?? []).map((e) => [e.code, e] as const));
  const removed = new Set(amendment.remove ?? []);
  const entries: CatalogEntry[] = [];
  for (const old of base.entries) {
    if (removed.has(old.code)) continue;
    const next = replaced.get(old.code);
    entries.push(
      next
        ? { ...structuredClone(next), catalogVersion: amendment.id, effectiveFrom: amendment.effectiveFrom }
        : { ...structuredClone(old), catalogVersion: amendment.id },
    );
  }
  for (const e of amendment.add ?? [])
    entries.push({
      ...structuredClone(e),
      catalogVersion: amendment.id,
      effectiveFrom: amendment.effectiveFrom,
    });
  return deepFreeze({
    id: amendment.id,
    source: amendment.source,
    effectiveFrom: amendment.effectiveFrom,
    entries,
  });
}

const DECREE_168_AS_ISSUED: CatalogVersion = deepFreeze({
  id: DECREE_168_VERSION_ID,
  source: 'Decree 168/2024/NĐ-CP as issued (in force 1 Jan 2025)',
  effectiveFrom: DECREE_168_EFFECTIVE_FROM,
  entries: DECREE_168_ENTRIES,
});

/**
 * Every catalog version, oldest first. To add an amendment (e.g. Decree 238/2026/NĐ-CP, reported in force
 * 15 Aug 2026, not yet verified), append `amendCatalogVersion(previous, {...})`; never edit an earlier one.
 */
export const CATALOG_VERSIONS: readonly CatalogVersion[] = Object.freeze([DECREE_168_AS_ISSUED]);

/**
 * The catalog version in force on `date` (YYYY-MM-DD Viet Nam date, or an RFC 3339 timestamp converted to
 * the Viet Nam date). Throws `ViolationNotApplicableError` ('no-catalog-in-force') before the first version
 * and `InvalidCatalogDateError` for a malformed date.
 */
export function catalogVersionAt(
  date: string,
  versions: readonly CatalogVersion[] = CATALOG_VERSIONS,
): CatalogVersion {
  const day = vietnamDateOf(date);
  let found: CatalogVersion | undefined;
  for (const v of versions) {
    if (v.effectiveFrom <= day && (v.effectiveTo === undefined || day < v.effectiveTo)) {
      if (!found || v.effectiveFrom > found.effectiveFrom) found = v;
    }
  }
  if (!found)
    throw new ViolationNotApplicableError(
      'no-catalog-in-force',
      'No catalog version is in force on that date',
      { onDate: day },
    );
  return found;
}

function inForce(entry: CatalogEntry, day: string): boolean {
  return entry.effectiveFrom <= day && (entry.effectiveTo === undefined || day < entry.effectiveTo);
}

/**
 * The entry for `code` in the version in force on `onDate`. Throws `UnknownViolationCodeError` when no
 * version knows the code, and `ViolationNotApplicableError` when the code is not in force on that date
 * ('not-in-force') or does not apply to `vehicleClass` ('vehicle-class').
 */
export function lookupViolation(
  code: string,
  vehicleClass: VehicleClass,
  onDate: string,
  versions: readonly CatalogVersion[] = CATALOG_VERSIONS,
): CatalogEntry {
  if (typeof code !== 'string' || !versions.some((v) => v.entries.some((e) => e.code === code))) {
    throw new UnknownViolationCodeError(String(code));
  }
  const day = vietnamDateOf(onDate);
  const entry = catalogVersionAt(day, versions).entries.find((e) => e.code === code);
  if (!entry || !inForce(entry, day)) {
    throw new ViolationNotApplicableError('not-in-force', 'The violation code is not in force on that date', {
      violationCode: code,
      onDate: day,
    });
  }
  if (!entry.vehicleClasses.includes(vehicleClass)) {
    throw new ViolationNotApplicableError(
      'vehicle-class',
      'The violation code does not apply to this vehicle class',
      {
        violationCode: code,
        vehicleClass,
      },
    );
  }
  return entry;
}

/** Every entry in force on `onDate`. */
export function listViolations(
  onDate: string,
  versions: readonly CatalogVersion[] = CATALOG_VERSIONS,
): readonly CatalogEntry[] {
  const day = vietnamDateOf(onDate);
  return catalogVersionAt(day, versions).entries.filter((e) => inForce(e, day));
}

/** True when `value` lies in the band (absent bounds are open). */
export function measurementCovers(m: Measurement, value: number): boolean {
  if (m.minExclusive !== undefined && !(value > m.minExclusive)) return false;
  if (m.minInclusive !== undefined && !(value >= m.minInclusive)) return false;
  if (m.maxInclusive !== undefined && !(value <= m.maxInclusive)) return false;
  if (m.maxExclusive !== undefined && !(value < m.maxExclusive)) return false;
  return true;
}

function bandCode(
  onDate: string | undefined,
  versions: readonly CatalogVersion[],
  pick: (e: CatalogEntry) => boolean,
  value: number,
): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const entries =
    onDate === undefined ? (versions[versions.length - 1]?.entries ?? []) : listViolations(onDate, versions);
  return entries.find(
    (e) => pick(e) && e.measurement !== undefined && measurementCovers(e.measurement, value),
  )?.code;
}

/**
 * The speeding code for a vehicle `overKmh` km/h over the limit, or undefined below the lowest band (under
 * 5 km/h) or for non-finite input. Uses the version in force on `onDate`, or the newest version when omitted:
 * a case MUST pass its violation date.
 */
export function violationCodeForSpeed(
  vehicleClass: VehicleClass,
  overKmh: number,
  onDate?: string,
  versions: readonly CatalogVersion[] = CATALOG_VERSIONS,
): string | undefined {
  return bandCode(
    onDate,
    versions,
    (e) => e.measurement?.kind === 'speed-over-limit' && e.vehicleClasses.includes(vehicleClass),
    overKmh,
  );
}

/**
 * The overload code for a truck `overPercent` percent over its certified payload (Art. 21) or over the road's
 * load limit (Art. 34), or undefined at or below 10%. Same date rule as `violationCodeForSpeed`.
 */
export function violationCodeForOverload(
  against: 'inspection-certificate' | 'road-limit',
  overPercent: number,
  onDate?: string,
  versions: readonly CatalogVersion[] = CATALOG_VERSIONS,
): string | undefined {
  return bandCode(
    onDate,
    versions,
    (e) => e.measurement?.kind === 'overload-percent' && e.measurement.against === against,
    overPercent,
  );
}
