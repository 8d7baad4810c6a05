/**
 * The rules every officer sign-off (review, decision, void, appeal resolution) MUST pass before it becomes a
 * case record (integrity.md §4, bundle.md step 8). The actor was authorised before (`authorization.ts`:
 * enrolled, active, role, province); here:
 *  1. the payload is well-formed and of the command's purpose;
 *  2. the key named was in force at `signedAt` (not revoked), and `signedAt` is not in the future;
 *  3. the signature verifies under that key over JCS(signoff);
 *  4. the signed caseId is this case, the signed caseRevision is lower than the revision it will be recorded
 *     at, and the signed evidence is exactly the case's original evidence digests, sorted.
 */
import type { ZodType } from 'zod';
import { OfficerKeyNotInForceError } from '../officer/errors.ts';
import { officerKeyAt, type OfficerView } from '../officer/view.ts';
import { parseOrThrow, sortedDigests } from '../signoff/builders.ts';
import { verifySignoff } from '../signoff/signing.ts';
import { describeInput, isNotInFuture } from '../signoff/guards.ts';
import type { Signoff } from '../signoff/payloads.ts';
import {
  SignoffCaseMismatchError,
  SignoffEvidenceMismatchError,
  SignoffPurposeError,
  SignoffRevisionError,
  SignoffSignatureInvalidError,
  TimestampInFutureError,
} from './errors.ts';
import type { ExistingCase } from './state.ts';

export interface SignedCommand {
  now: string;
  signoff: unknown;
  signature: string;
  keyId: string;
}

export function verifyOfficerSignoff<S extends Signoff>(
  kase: ExistingCase,
  command: SignedCommand,
  officer: OfficerView,
  expected: { purpose: S['purpose']; schema: ZodType<S>; what: string },
): S {
  const purpose = (command.signoff as { purpose?: unknown } | null)?.purpose;
  if (purpose !== expected.purpose) {
    throw new SignoffPurposeError(`A ${expected.what} takes a ${expected.purpose} sign-off`, {
      purpose: describeInput(purpose, 32),
    });
  }
  const signoff = parseOrThrow(expected.schema, command.signoff, `${expected.purpose} sign-off`);
  if (!isNotInFuture(signoff.signedAt, command.now)) {
    throw new TimestampInFutureError('signedAt lies in the future', { signedAt: signoff.signedAt });
  }
  const key = officerKeyAt(officer, command.keyId, signoff.signedAt);
  if (!key.ok)
    throw new OfficerKeyNotInForceError('The signing key was not in force at signedAt', {
      reason: key.reason,
    });
  // Verify what will be stored: the parsed payload (strict schemas make it equal to the input).
  if (!verifySignoff(signoff, command.signature, key.key.publicKey)) {
    throw new SignoffSignatureInvalidError('The sign-off signature does not verify under the officer key', {
      keyId: command.keyId,
    });
  }
  if (signoff.caseId !== kase.caseId)
    throw new SignoffCaseMismatchError('The sign-off names another case', {});
  if (signoff.caseRevision > kase.revision) {
    throw new SignoffRevisionError(
      'The signed caseRevision is not lower than the revision it would be recorded at',
      {
        caseRevision: signoff.caseRevision,
        recordedAt: kase.revision + 1,
      },
    );
  }
  const expectedEvidence = sortedDigests(kase.originals);
  if (
    signoff.evidence.length !== expectedEvidence.length ||
    signoff.evidence.some((d, i) => d !== expectedEvidence[i])
  ) {
    throw new SignoffEvidenceMismatchError(
      "The signed evidence is not exactly the case's original evidence",
      {
        expected: expectedEvidence.length,
        signed: signoff.evidence.length,
      },
    );
  }
  return signoff;
}
