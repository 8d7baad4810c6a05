/**
 * Who may decide a penalty, and the fine arithmetic. Decree 168 Art. 43 (as issued) gives each police title a
 * maximum fine for individuals; Art. 45.2 doubles it for organisations, who also pay double the fine. The
 * limit MUST cover the TOP of the entry's fine range, not the amount actually imposed.
 */
import type { CatalogEntry } from './types.ts';

export type OfficerTitle =
  | 'officer-on-duty'
  | 'team-leader'
  | 'commune-police-chief'
  | 'provincial-division-head'
  | 'provincial-police-director'
  | 'c08-director';

/** Lowest authority first. */
export const OFFICER_TITLES: readonly OfficerTitle[] = [
  'officer-on-duty',
  'team-leader',
  'commune-police-chief',
  'provincial-division-head',
  'provincial-police-director',
  'c08-director',
];

/** Maximum fine each title may impose on an individual, integer VND (Decree 168 Art. 43 as issued; verify). */
export const AUTHORITY_LIMITS_VND: Readonly<Record<OfficerTitle, number>> = Object.freeze({
  'officer-on-duty': 500_000,
  'team-leader': 1_500_000,
  'commune-police-chief': 2_500_000,
  'provincial-division-head': 15_000_000,
  'provincial-police-director': 37_500_000,
  'c08-director': 75_000_000,
});

/** Organisations pay double (LHAV Art. 24) and authority doubles for them (Decree 168 Art. 45.2). */
export const ORGANISATION_MULTIPLIER = 2;

export type Offender = 'individual' | 'organisation';

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

/** The title's limit for this offender (doubled for organisations). */
export function authorityLimitFor(title: OfficerTitle, offender: Offender): number {
  return AUTHORITY_LIMITS_VND[title] * multiplier(offender);
}

/** True when `title` may decide `entry` for this offender: its limit covers the top of the fine range. */
export function authorityCovers(title: OfficerTitle, entry: CatalogEntry, offender: Offender): boolean {
  return authorityLimitFor(title, offender) >= fineRangeFor(entry, offender).maxVnd;
}

/** The lowest title that may decide `entry`, or undefined if none may (the fine exceeds every limit). */
export function minimumAuthorityFor(entry: CatalogEntry, offender: Offender): OfficerTitle | undefined {
  return OFFICER_TITLES.find((title) => authorityCovers(title, entry, offender));
}
