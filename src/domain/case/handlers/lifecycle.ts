/** Case command handlers that end a case: closing, expiry after the limitation period, and a signed void. */
import { VoidSignoffSchema } from '../../signoff/payloads.ts';
import { VOID_PURPOSE } from '../../signoff/purposes.ts';
import { LimitationNotReachedError } from '../errors.ts';
import { type CloseReason } from '../events.ts';
import { limitationElapsed, limitationEndsAt } from '../legal.ts';
import { verifyOfficerSignoff } from '../signoff-rules.ts';
import type { ExistingCase } from '../state.ts';
import { transitionError, type CaseHandler } from './shared.ts';

export const closeCase: CaseHandler<'CloseCase'> = (command, { kase, now }) => {
  const reason = closeReason(kase);
  if (!reason) throw transitionError(kase, command);
  return [{ type: 'CaseClosed', data: { reason, closedAt: now } }];
};

export const expireCase: CaseHandler<'ExpireCase'> = (command, { kase, now }) => {
  const observedAt = kase.detection.observedAt;
  if (kase.decision || !limitationElapsed(observedAt, now)) {
    throw new LimitationNotReachedError('A case expires only undecided, one year after the violation', {
      limitationEndsAt: limitationEndsAt(observedAt),
      decided: kase.decision !== undefined,
    });
  }
  return [
    {
      type: 'CaseExpired',
      data: { observedAt, limitationEndsAt: limitationEndsAt(observedAt), expiredAt: now },
    },
  ];
};

export const voidCase: CaseHandler<'VoidCase'> = (command, { kase, signer }) => {
  const signoff = verifyOfficerSignoff(kase, command, signer(), {
    purpose: VOID_PURPOSE,
    schema: VoidSignoffSchema,
    what: 'void a case',
  });
  return [{ type: 'CaseVoided', data: { signoff, signature: command.signature, keyId: command.keyId } }];
};

/** Why an open case may close now, or undefined when it may not. */
function closeReason(kase: ExistingCase): CloseReason | undefined {
  if (kase.appeals.some((a) => a.outcome === undefined)) return undefined;
  switch (kase.status) {
    case 'rejected':
      return 'rejected';
    case 'owner-not-found':
      return 'owner-not-found';
    case 'paid':
      return 'paid';
    case 'appeal-resolved':
      if (kase.appeals.at(-1)?.outcome === 'overturned') return 'appeal-overturned';
      return kase.paidVnd !== undefined ? 'paid' : undefined;
    default:
      return undefined;
  }
}
