/**
 * Shapes of the legal catalog. A catalog entry is one sanctionable behaviour for individuals, with its legal
 * basis, fine range (integer VND) and licence points, as in force in one catalog version.
 */

/** `truck` is a car for the Art. 6 rules, and is the only class the overload rules (Art. 21, 34) apply to. */
export type VehicleClass = 'car' | 'motorbike' | 'truck';

export const VEHICLE_CLASSES: readonly VehicleClass[] = ['car', 'motorbike', 'truck'];

export type MeasurementKind = 'speed-over-limit' | 'overload-percent';

/**
 * The band of a measured quantity (km/h over the limit, or percent over the permitted load) that this entry
 * covers. The decree mixes "from 5 to under 10", "from 10 to 20" and "over 20 to 35", so both inclusive and
 * exclusive bounds exist; an absent bound is open.
 */
export interface Measurement {
  kind: MeasurementKind;
  minExclusive?: number;
  maxInclusive?: number;
  minInclusive?: number;
  maxExclusive?: number;
  /** For overload entries: the load measured against the inspection certificate (Art. 21) or the road's limit (Art. 34). */
  against?: 'inspection-certificate' | 'road-limit';
}

export interface LegalBasis {
  decree: '168/2024/NĐ-CP';
  article: number;
  clause: number;
  /** The point letter as written in the decree ("đ" stays "đ"); '' when the clause has no points. */
  point: string;
}

export interface CatalogEntry {
  /** "168.<article>.<clause>.<point>", e.g. "168.6.9.b", "168.6.5.đ"; "168.34.2" when the clause has no points. */
  code: string;
  /** The id of the catalog version this entry belongs to, e.g. "decree-168-2024@2025-01-01". */
  catalogVersion: string;
  title: { vi: string; en: string };
  vehicleClasses: VehicleClass[];
  legalBasis: LegalBasis;
  /** Fine range for an individual, integer VND, inclusive. Organisations pay `ORGANISATION_MULTIPLIER` times. */
  fineMinVnd: number;
  fineMaxVnd: number;
  /** Points deducted from the 12-point licence (Law 36/2024 Art. 58). */
  points: number;
  /** YYYY-MM-DD, Viet Nam calendar date. */
  effectiveFrom: string;
  /** YYYY-MM-DD, the first Viet Nam calendar date on which the entry is no longer in force (exclusive). */
  effectiveTo?: string;
  measurement?: Measurement;
}

/**
 * One version of the catalog: a complete set of entries in force from `effectiveFrom` until the next version
 * (or `effectiveTo`). A published version is never edited; an amendment is a new version.
 */
export interface CatalogVersion {
  id: string;
  /** The legal instrument the version reflects, e.g. "Decree 168/2024/NĐ-CP as issued". */
  source: string;
  /** YYYY-MM-DD, Viet Nam calendar date. */
  effectiveFrom: string;
  /** YYYY-MM-DD, exclusive. Absent when the version is open-ended (the next version, if any, ends it). */
  effectiveTo?: string;
  entries: readonly CatalogEntry[];
}
