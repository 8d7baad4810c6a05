/**
 * 8. SIGNOFF_SIGNATURE (bundle.md): every sign-off record (review, decision, appeal resolution) holds an
 * officer's sign-off of the expected purpose, signed by the officer's key in force, for this case, a case
 * revision below its own, and the sorted list of the case's originals recorded before it; an appeal
 * resolution states what its sign-off signed.
 */
import { streams } from '../../record.ts';
import { OFFICER_KEY_REGISTERING, OFFICER_KEY_REVOKING, SIGNOFF_PURPOSES } from '../format.ts';
import { isTreeSize } from '../../integrity/merkle-core.ts';
import type { ParsedRecord } from './facts.ts';
import { checkSignature, keyEvents } from './keys-in-force.ts';
import { originalDigests, type RecordOriginals } from './originals.ts';
import { isObject } from './parts.ts';
import type { CheckTools } from './tools.ts';
import { failure, type BundleFailure } from './types.ts';

export interface SignoffResult {
  failures: BundleFailure[];
  /** Sign-off records that failed any SIGNOFF_SIGNATURE check (RULES refuses an unsigned appeal resolution). */
  badSignoffs: Set<string>;
}

export interface SignoffFacts {
  records: readonly ParsedRecord[];
  byStream: Map<string, ParsedRecord[]>;
  caseId: string | undefined;
  caseStream: string | undefined;
  /** The case stream's records by revision. */
  caseRecords: readonly ParsedRecord[];
  originals: Map<ParsedRecord, RecordOriginals>;
}

export function checkSignoffSignatures(t: CheckTools, facts: SignoffFacts): SignoffResult {
  const result: SignoffResult = { failures: [], badSignoffs: new Set() };
  for (const r of facts.records) {
    const purpose = SIGNOFF_PURPOSES[r.type];
    if (purpose === undefined) continue;
    const before = result.failures.length;
    checkSignoff(t, facts, result.failures, r, purpose);
    if (result.failures.length > before) result.badSignoffs.add(r.id);
  }
  return result;
}

function checkSignoff(t: CheckTools, facts: SignoffFacts, failures: BundleFailure[], r: ParsedRecord, purpose: string): void {
  const fail = (message: string, digests?: string[]) =>
    failures.push(digests === undefined ? failure(message, { recordIds: [r.id] }) : failure(message, { recordIds: [r.id], digests }));
  const signoff = r.data.signoff;
  if (!isObject(signoff)) {
    fail(`${r.type} holds no signed sign-off`);
    return;
  }
  if (signoff.purpose !== purpose)
    fail(`${r.type} sign-off has purpose ${JSON.stringify(signoff.purpose)}, expected ${purpose}`);
  const stream = streams.officer(r.actor.id);
  const events = keyEvents(t, facts.byStream, stream, OFFICER_KEY_REGISTERING, OFFICER_KEY_REVOKING);
  checkSignature(t, failures, r, stream, events, signoff, r.type);
  if (facts.caseId !== undefined && signoff.caseId !== facts.caseId)
    fail(`${r.type} signs case ${JSON.stringify(signoff.caseId)}, not this case`);
  if (r.stream !== facts.caseStream) fail(`${r.type} is recorded outside the case stream`);
  if (!isTreeSize(signoff.caseRevision) || signoff.caseRevision >= r.revision) {
    fail(`${r.type} signs case revision ${String(signoff.caseRevision)}, not below its own revision ${r.revision}`);
  }
  // The evidence the officer was shown: every original of the case recorded before the sign-off.
  const originals = new Set<string>();
  for (const c of facts.caseRecords) {
    if (c.revision >= r.revision) break;
    for (const digest of originalDigests(facts.originals, c)) originals.add(digest);
  }
  const expected = [...originals].sort();
  const signed = signoff.evidence;
  if (!Array.isArray(signed) || !t.sameCanonical(signed, expected))
    fail(`${r.type} signs evidence that is not the sorted list of the case's original evidence`, expected);
  // appeal/v1: what the record states about the resolution is what the officer signed.
  if (r.type === 'AppealResolved') {
    const differs = (['appealId', 'outcome', 'reason'] as const).filter((f) => r.data[f] !== signoff[f]);
    if (differs.length > 0) fail(`AppealResolved states ${differs.join(', ')} other than its sign-off`);
  }
}
