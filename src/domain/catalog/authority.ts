/**
 * Who may decide a penalty, and the fine arithmetic, as dated legal data.
 *
 * The authority table is versioned by effective date like the catalog (`AUTHORITY_VERSIONS`, append-only):
 * - Decree 168/2024/NĐ-CP Art. 43 as issued, in force 2025-01-01;
 * - Decree 189/2025/NĐ-CP Art. 8 (Law 88/2025/QH15 moved the titles' competences out of the Law on Handling
 *   Administrative Violations into that decree), in force 2025-07-01.
 * A decision is checked against `authorityInForce(decision date)`, a Viet Nam calendar date.
 *
 * Each limit is for an individual. Organisations pay double (`fineRangeFor`) and the limit doubles for them
 * (Decree 168 Art. 45.2: "thẩm quyền xử phạt tổ chức gấp 02 lần thẩm quyền xử phạt cá nhân"). The limit MUST
 * cover the TOP of the entry's fine range, not the amount actually imposed.
 *
 * A row whose figure could not be read in the legal text carries `verified: false` and the lower bound that is
 * known (the figure it had before); see docs/legal-data.md.
 */
import { vietnamDateOf } from './dates.ts';
import { NoAuthorityInForceError } from './errors.ts';
import type { CatalogEntry } from './types.ts';

export type OfficerTitle =
  | 'officer-on-duty'
  | 'team-leader'
  | 'commune-police-chief'
  | 'provincial-division-head'
  | 'provincial-police-director'
  | 'c08-director';

/** Lowest rank first. */
export const OFFICER_TITLES: readonly OfficerTitle[] = [
  'officer-on-duty',
  'team-leader',
  'commune-police-chief',
  'provincial-division-head',
  'provincial-police-director',
  'c08-director',
];

/** One title's limit in one version of the table, with its source. */
export interface AuthorityRow {
  /** Maximum fine for one violation of an individual, integer VND. */
  limitVnd: number;
  /** Where the figure comes from, e.g. "Decree 189/2025/NĐ-CP Art. 8.1.b (10% of 75M)". */
  basis: string;
  /** False when the figure was not found in the legal text and is a carried-over lower bound. */
  verified: boolean;
}

/** One version of the authority table, in force from `effectiveFrom` until the next version. */
export interface AuthorityVersion {
  id: string;
  source: string;
  /** YYYY-MM-DD, Viet Nam calendar date. */
  effectiveFrom: string;
  /** How many times the individual limit applies to an organisation, and the text that says so. */
  organisationMultiplier: number;
  organisationBasis: string;
  rows: Readonly<Record<OfficerTitle, AuthorityRow>>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value as Record<string, unknown>)) deepFreeze(child);
  }
  return value;
}

/** LHAV Art. 24.1: the maximum fine for road traffic is 75M VND for an individual. */
const ROAD_TRAFFIC_MAX_VND = 75_000_000;

export const DECREE_168_AUTHORITY: AuthorityVersion = deepFreeze({
  id: 'decree-168-2024-art-43@2025-01-01',
  source: 'Decree 168/2024/NĐ-CP Art. 43 as issued (in force 1 Jan 2025)',
  effectiveFrom: '2025-01-01',
  organisationMultiplier: 2,
  organisationBasis: 'Decree 168/2024/NĐ-CP Art. 45.2',
  rows: {
    'officer-on-duty': { limitVnd: 500_000, basis: 'Decree 168/2024/NĐ-CP Art. 43.1', verified: true },
    'team-leader': { limitVnd: 1_500_000, basis: 'Decree 168/2024/NĐ-CP Art. 43.2', verified: true },
    'commune-police-chief': { limitVnd: 2_500_000, basis: 'Decree 168/2024/NĐ-CP Art. 43.3', verified: true },
    'provincial-division-head': {
      limitVnd: 15_000_000,
      basis: 'Decree 168/2024/NĐ-CP Art. 43.4',
      verified: true,
    },
    'provincial-police-director': {
      limitVnd: 37_500_000,
      basis: 'Decree 168/2024/NĐ-CP Art. 43.5',
      verified: true,
    },
    'c08-director': { limitVnd: 75_000_000, basis: 'Decree 168/2024/NĐ-CP Art. 43.6', verified: true },
  },
});

const CARRIED =
  'Decree 189/2025/NĐ-CP Art. 8 figure not verified; the Decree 168 Art. 43 figure is kept as a lower bound';

export const DECREE_189_AUTHORITY: AuthorityVersion = deepFreeze({
  id: 'decree-189-2025-art-8@2025-07-01',
  source: 'Decree 189/2025/NĐ-CP Art. 8 (in force 1 Jul 2025), with LHAV Art. 24.1 (75M for road traffic)',
  effectiveFrom: '2025-07-01',
  organisationMultiplier: 2,
  organisationBasis:
    'Decree 168/2024/NĐ-CP Art. 45.2 (not repealed); the matching Decree 189 clause was not read',
  rows: {
    'officer-on-duty': {
      limitVnd: ROAD_TRAFFIC_MAX_VND / 10,
      basis: 'Decree 189/2025/NĐ-CP Art. 8.1.b: 10% of the maximum fine of the field',
      verified: true,
    },
    'team-leader': { limitVnd: 1_500_000, basis: CARRIED, verified: false },
    'commune-police-chief': {
      limitVnd: ROAD_TRAFFIC_MAX_VND / 2,
      basis: 'Decree 189/2025/NĐ-CP Art. 8: 50% of the maximum fine of the field',
      verified: true,
    },
    'provincial-division-head': { limitVnd: 15_000_000, basis: CARRIED, verified: false },
    'provincial-police-director': { limitVnd: 37_500_000, basis: CARRIED, verified: false },
    'c08-director': { limitVnd: 75_000_000, basis: CARRIED, verified: false },
  },
});

/** Every version of the authority table, oldest first. Append a new version; never edit one. */
export const AUTHORITY_VERSIONS: readonly AuthorityVersion[] = Object.freeze([
  DECREE_168_AUTHORITY,
  DECREE_189_AUTHORITY,
]);

/** The authority table of Decree 168 as issued, kept for callers that only need the set of titles. */
export const AUTHORITY_LIMITS_VND: Readonly<Record<OfficerTitle, number>> = Object.freeze(
  Object.fromEntries(OFFICER_TITLES.map((t) => [t, DECREE_168_AUTHORITY.rows[t].limitVnd])) as Record<
    OfficerTitle,
    number
  >,
);

/** Organisations pay double the individual's fine (LHAV Art. 24; see docs/legal-data.md). */
export const ORGANISATION_MULTIPLIER = 2;

export type Offender = 'individual' | 'organisation';

/**
 * The version of the authority table in force on `on` (YYYY-MM-DD Viet Nam date, or an RFC 3339 timestamp,
 * converted to its Viet Nam date). Throws `InvalidCatalogDateError` for a malformed date and
 * `NoAuthorityInForceError` before the first version.
 */
export function authorityInForce(
  on: string,
  versions: readonly AuthorityVersion[] = AUTHORITY_VERSIONS,
): AuthorityVersion {
  const day = vietnamDateOf(on);
  let found: AuthorityVersion | undefined;
  for (const v of versions) {
    if (v.effectiveFrom <= day && (!found || v.effectiveFrom > found.effectiveFrom)) found = v;
  }
  if (!found) throw new NoAuthorityInForceError(day);
  return found;
}

function multiplier(offender: Offender): number {
  return offender === 'organisation' ? ORGANISATION_MULTIPLIER : 1;
}

/** The fine range for this offender, integer VND, inclusive. */
export function fineRangeFor(entry: CatalogEntry, offender: Offender): { minVnd: number; maxVnd: number } {
  const m = multiplier(offender);
  return { minVnd: entry.fineMinVnd * m, maxVnd: entry.fineMaxVnd * m };
}

/** True when `amountVnd` is a safe integer inside the offender's range. */
export function isFineWithinRange(entry: CatalogEntry, offender: Offender, amountVnd: number): boolean {
  if (!Number.isSafeInteger(amountVnd)) return false;
  const { minVnd, maxVnd } = fineRangeFor(entry, offender);
  return amountVnd >= minVnd && amountVnd <= maxVnd;
}

/**
 * The title's limit for this offender (doubled for organisations) under the table in force on `onDate`;
 * without a date, under Decree 168 as issued (the web UI's hint; the decider always passes the date).
 */
export function authorityLimitFor(title: OfficerTitle, offender: Offender, onDate?: string): number {
  const version = onDate === undefined ? DECREE_168_AUTHORITY : authorityInForce(onDate);
  const row = version.rows[title];
  if (!row) return 0;
  return row.limitVnd * (offender === 'organisation' ? version.organisationMultiplier : 1);
}

/**
 * True when `title` may decide `entry` for this offender on `onDate`: its limit covers the top of the fine
 * range. Without a date, Decree 168 as issued applies.
 */
export function authorityCovers(
  title: OfficerTitle,
  entry: CatalogEntry,
  offender: Offender,
  onDate?: string,
): boolean {
  return authorityLimitFor(title, offender, onDate) >= fineRangeFor(entry, offender).maxVnd;
}

/** The lowest title that may decide `entry` on `onDate`, or undefined if none may. */
export function minimumAuthorityFor(
  entry: CatalogEntry,
  offender: Offender,
  onDate?: string,
): OfficerTitle | undefined {
  return OFFICER_TITLES.find((title) => authorityCovers(title, entry, offender, onDate));
}
