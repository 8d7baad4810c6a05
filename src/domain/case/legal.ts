/**
 * Where the case meets the law: the catalog entry in force on the violation date, the one-year limitation,
 * and the checks a penalty decision MUST pass.
 */
import {
  authorityCovers,
  authorityInForce,
  isFineWithinRange,
  lookupViolation,
  type CatalogEntry,
  type OfficerTitle,
  type VehicleClass,
} from '../catalog/index.ts';
import { canonicalize } from '../integrity/canonical.ts';
import type { DecisionSignoff, OffenderKind } from '../signoff/payloads.ts';
import { vietnamDate } from '../signoff/primitives.ts';
import {
  AuthorityExceededError,
  FineOutOfRangeError,
  LimitationPeriodElapsedError,
  PenaltyTermsMismatchError,
} from './errors.ts';
import { hasElapsed, limitationPeriod } from './periods.ts';

/**
 * The catalog entry for a violation code and vehicle class under the catalog version in force on the
 * violation's date in Vietnam (UTC+7). Throws the catalog's typed errors for unknown or inapplicable codes.
 */
export function catalogEntryFor(
  violationCode: string,
  vehicleClass: string,
  observedAt: string,
): CatalogEntry {
  return lookupViolation(violationCode, vehicleClass as VehicleClass, vietnamDate(observedAt));
}

/**
 * Sanctions lapse one year after the violation (Decree 168, Art. 4.1), camera results are usable "until the end
 * of the last day" of that year (Art. 4.2): 24:00 Vietnam time of the anniversary of the violation's date.
 */
export function limitationEndsAt(observedAt: string): string {
  return limitationPeriod(observedAt).endsAt;
}

export function limitationElapsed(observedAt: string, now: string): boolean {
  return hasElapsed(limitationPeriod(observedAt), now);
}

export function requireWithinLimitation(observedAt: string, now: string): void {
  if (limitationElapsed(observedAt, now)) {
    throw new LimitationPeriodElapsedError('The one-year limitation period has run out', {
      observedAt,
      limitationEndsAt: limitationEndsAt(observedAt),
    });
  }
}

/**
 * The fine, points and legal basis match the catalog, and the officer's title covers the top of the range
 * under the authority table in force on `decidedOn` (the decision's time; its Viet Nam date counts).
 */
export function requireLawfulPenalty(
  signoff: DecisionSignoff,
  entry: CatalogEntry,
  officerTitle: string,
  decidedOn: string,
): void {
  const offender = signoff.offender.kind;
  if (!isFineWithinRange(entry, offender, signoff.fineVnd)) {
    throw new FineOutOfRangeError('The fine is outside the legal range', {
      fineVnd: signoff.fineVnd,
      fineMinVnd: entry.fineMinVnd,
      fineMaxVnd: entry.fineMaxVnd,
      offender,
    });
  }
  // Points come off an individual driver's licence; an organisation has none (Law 36/2024 Art. 58).
  const expectedPoints = offender === 'organisation' ? 0 : entry.points;
  if (signoff.points !== expectedPoints) {
    throw new PenaltyTermsMismatchError('The points differ from the catalog', {
      points: signoff.points,
      expected: expectedPoints,
    });
  }
  if (canonicalize(signoff.legalBasis) !== canonicalize(entry.legalBasis)) {
    throw new PenaltyTermsMismatchError('The legal basis differs from the catalog', {
      expected: entry.legalBasis,
    });
  }
  requireAuthority(officerTitle, entry, offender, decidedOn);
}

/**
 * The officer's title gives authority up to the top of the entry's fine range for this offender kind, under
 * the authority table in force on `decidedOn` (`authorityInForce`: Decree 168 Art. 43 before 2025-07-01,
 * Decree 189/2025 Art. 8 from that day; Viet Nam calendar date of the instant).
 */
export function requireAuthority(
  officerTitle: string,
  entry: CatalogEntry,
  offender: OffenderKind,
  decidedOn: string,
): void {
  const table = authorityInForce(decidedOn);
  if (!authorityCovers(officerTitle as OfficerTitle, entry, offender, decidedOn)) {
    throw new AuthorityExceededError("The officer's title does not cover the top of the fine range", {
      title: officerTitle,
      fineMaxVnd: entry.fineMaxVnd,
      authorityTable: table.id,
    });
  }
}
