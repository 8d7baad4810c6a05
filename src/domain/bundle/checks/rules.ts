/**
 * 9. RULES (bundle.md): only an officer confirms a review or decides a penalty; an appeal resolution carries
 * a valid appeal/v1 sign-off of an officer; a penalty decision is preceded by an officer's review.
 */
import type { ParsedRecord } from './facts.ts';
import { isObject } from './parts.ts';
import { failure, type BundleFailure } from './types.ts';

export function checkRules(
  records: readonly ParsedRecord[],
  caseRecords: readonly ParsedRecord[],
  badSignoffs: ReadonlySet<string>,
  /** A received case: its review was confirmed by an officer in the verified linked part (the sending node's). */
  reviewedInLinkedPart = false,
): BundleFailure[] {
  const failures: BundleFailure[] = [];
  const fail = (message: string, r: ParsedRecord) => failures.push(failure(message, { recordIds: [r.id] }));
  for (const r of records) {
    if ((r.type === 'ReviewConfirmed' || r.type === 'PenaltyDecided') && r.actor.kind !== 'officer') {
      const verb = r.type === 'ReviewConfirmed' ? 'confirms' : 'decides';
      fail(`a ${r.actor.kind} actor ${verb} (${r.type}); only an officer may`, r);
    }
  }
  for (const r of records) {
    if (r.type !== 'AppealResolved') continue;
    if (r.actor.kind !== 'officer' || !isObject(r.data.signoff) || badSignoffs.has(r.id))
      fail('AppealResolved alters a signed penalty without a valid appeal/v1 sign-off of an officer', r);
  }
  for (const r of caseRecords) {
    if (r.type !== 'PenaltyDecided') continue;
    const reviewed = caseRecords.some(
      (c) => c.revision < r.revision && c.type === 'ReviewConfirmed' && c.actor.kind === 'officer',
    );
    const received = caseRecords[0]?.type === 'CaseReceived' && reviewedInLinkedPart;
    if (!reviewed && !received) fail('PenaltyDecided is not preceded by a ReviewConfirmed by an officer', r);
  }
  return failures;
}
