/**
 * The legal catalog (Decree 168/2024/NĐ-CP) as versioned data. (Minimal first version: signatures are
 * final, the data is being completed.)
 */
import { DomainRuleError, ValidationError } from '../shared/errors.ts';

export type VehicleClass = 'car' | 'motorbike' | 'truck';

export interface CatalogEntry {
  code: string;
  catalogVersion: string;
  title: { vi: string; en: string };
  vehicleClasses: VehicleClass[];
  legalBasis: { decree: '168/2024/NĐ-CP'; article: number; clause: number; point: string };
  fineMinVnd: number;
  fineMaxVnd: number;
  points: number;
  effectiveFrom: string;
  effectiveTo?: string;
  measurement?: {
    kind: 'speed-over-limit' | 'overload-percent';
    minExclusive?: number;
    maxInclusive?: number;
    minInclusive?: number;
    maxExclusive?: number;
  };
}

export interface CatalogVersion {
  id: string;
  effectiveFrom: string;
  effectiveTo?: string;
  entries: readonly CatalogEntry[];
}

export class UnknownViolationCodeError extends ValidationError {
  constructor(code: string) {
    super(`Unknown violation code`, { violationCode: code.slice(0, 40) }, 'unknown-violation-code');
  }
}

export class ViolationNotApplicableError extends DomainRuleError {
  readonly code = 'violation-not-applicable';
}

const RED_LIGHT_CAR: CatalogEntry = {
  code: '168.6.9.b',
  catalogVersion: 'decree-168-2024@2025-01-01',
  title: { vi: 'Không chấp hành hiệu lệnh của đèn tín hiệu giao thông', en: 'Running a red light' },
  vehicleClasses: ['car', 'truck'],
  legalBasis: { decree: '168/2024/NĐ-CP', article: 6, clause: 9, point: 'b' },
  fineMinVnd: 18_000_000,
  fineMaxVnd: 20_000_000,
  points: 4,
  effectiveFrom: '2025-01-01',
};

export const CATALOG_VERSIONS: readonly CatalogVersion[] = [
  { id: 'decree-168-2024@2025-01-01', effectiveFrom: '2025-01-01', entries: [RED_LIGHT_CAR] },
];

export function catalogVersionAt(date: string): CatalogVersion {
  const version = [...CATALOG_VERSIONS].reverse().find((v) => v.effectiveFrom <= date);
  if (!version) throw new ViolationNotApplicableError('No catalog version in force', { onDate: date });
  return version;
}

export function lookupViolation(code: string, vehicleClass: VehicleClass, onDate: string): CatalogEntry {
  const entry = catalogVersionAt(onDate).entries.find((e) => e.code === code);
  if (!entry) throw new UnknownViolationCodeError(code);
  if (!entry.vehicleClasses.includes(vehicleClass)) throw new ViolationNotApplicableError('Not applicable', { code, vehicleClass });
  return entry;
}

export function listViolations(onDate: string): readonly CatalogEntry[] {
  return catalogVersionAt(onDate).entries;
}

export function violationCodeForSpeed(_vehicleClass: VehicleClass, _overKmh: number): string | undefined {
  return undefined;
}

export type OfficerTitle =
  | 'officer-on-duty'
  | 'team-leader'
  | 'commune-police-chief'
  | 'provincial-division-head'
  | 'provincial-police-director'
  | 'c08-director';

export const AUTHORITY_LIMITS_VND: Record<OfficerTitle, number> = {
  'officer-on-duty': 500_000,
  'team-leader': 1_500_000,
  'commune-police-chief': 2_500_000,
  'provincial-division-head': 15_000_000,
  'provincial-police-director': 37_500_000,
  'c08-director': 75_000_000,
};

export const ORGANISATION_MULTIPLIER = 2;

export type Offender = 'individual' | 'organisation';

export function fineRangeFor(entry: CatalogEntry, offender: Offender): { minVnd: number; maxVnd: number } {
  const m = offender === 'organisation' ? ORGANISATION_MULTIPLIER : 1;
  return { minVnd: entry.fineMinVnd * m, maxVnd: entry.fineMaxVnd * m };
}

export function isFineWithinRange(entry: CatalogEntry, offender: Offender, amountVnd: number): boolean {
  const { minVnd, maxVnd } = fineRangeFor(entry, offender);
  return Number.isSafeInteger(amountVnd) && amountVnd >= minVnd && amountVnd <= maxVnd;
}

export function authorityCovers(title: OfficerTitle, entry: CatalogEntry, offender: Offender): boolean {
  const m = offender === 'organisation' ? ORGANISATION_MULTIPLIER : 1;
  return AUTHORITY_LIMITS_VND[title] * m >= entry.fineMaxVnd * m;
}
