/** Case command handlers for the penalty: the signed decision, payment, and appeals against it. */
import { requireText } from '../../signoff/guards.ts';
import { AppealSignoffSchema, DecisionSignoffSchema } from '../../signoff/payloads.ts';
import { APPEAL_PURPOSE, DECISION_PURPOSE } from '../../signoff/purposes.ts';
import {
  AppealAlreadyOpenError,
  PaymentAmountMismatchError,
  ReviewRequiredError,
  SignoffContentMismatchError,
  UnknownAppealError,
} from '../errors.ts';
import {
  catalogEntryFor,
  requireAuthority,
  requireLawfulPenalty,
  requireWithinLimitation,
} from '../legal.ts';
import { samePlate } from '../plate-key.ts';
import { verifyOfficerSignoff } from '../signoff-rules.ts';
import {
  transitionError,
  requireStatus,
  requireIdentifier,
  REVIEWED,
  DECIDED,
  type CaseHandler,
} from './shared.ts';

export const decidePenalty: CaseHandler<'DecidePenalty'> = (command, { kase, now, signer }) => {
  if (kase.status === 'detected' || kase.status === 'rejected' || kase.review?.decision !== 'confirm') {
    throw new ReviewRequiredError('No penalty without a confirmed human review', { status: kase.status });
  }
  requireStatus(kase, command, REVIEWED);
  requireWithinLimitation(kase.detection.observedAt, now);
  const decider = signer();
  const signoff = verifyOfficerSignoff(kase, command, decider, {
    purpose: DECISION_PURPOSE,
    schema: DecisionSignoffSchema,
    what: 'decide a penalty',
  });
  if (signoff.violationCode !== kase.review.violationCode || !samePlate(signoff.plate, kase.review.plate)) {
    throw new SignoffContentMismatchError(
      'The decision names another violation or plate than the review confirmed',
      {},
    );
  }
  const entry = catalogEntryFor(
    signoff.violationCode,
    kase.detection.vehicleClass,
    kase.detection.observedAt,
  );
  requireLawfulPenalty(signoff, entry, decider.title, now);
  return [
    {
      type: 'PenaltyDecided',
      data: {
        signoff,
        signature: command.signature,
        keyId: command.keyId,
        catalogVersion: entry.catalogVersion,
      },
    },
  ];
};

export const recordPayment: CaseHandler<'RecordPayment'> = (command, { kase, now }) => {
  if (!kase.decision) throw transitionError(kase, command);
  requireStatus(kase, command, ['decided', 'appealed', 'appeal-resolved']);
  if (kase.paidVnd !== undefined) throw transitionError(kase, command);
  if (kase.appeals.some((a) => a.outcome === 'overturned')) throw transitionError(kase, command);
  requireIdentifier(command.paymentRef, 'paymentRef');
  if (command.amountVnd !== kase.decision.fineVnd) {
    throw new PaymentAmountMismatchError('The amount paid differs from the fine', {
      amountVnd: command.amountVnd,
      fineVnd: kase.decision.fineVnd,
    });
  }
  return [
    {
      type: 'PenaltyPaid',
      data: { paymentRef: command.paymentRef, amountVnd: command.amountVnd, paidAt: now },
    },
  ];
};

export const fileAppeal: CaseHandler<'FileAppeal'> = (command, { kase, now }) => {
  const before =
    kase.status === 'closed'
      ? kase.statusBeforeEnd
      : kase.status === 'expired' || kase.status === 'voided'
        ? undefined
        : kase.status;
  if (!kase.decision || before === undefined || !DECIDED.includes(before))
    throw transitionError(kase, command);
  requireIdentifier(command.appealId, 'appealId');
  requireText(command.grounds, 'grounds');
  if (kase.appeals.some((a) => a.outcome === undefined))
    throw new AppealAlreadyOpenError('An appeal is already open', {});
  if (kase.appeals.some((a) => a.appealId === command.appealId))
    throw new AppealAlreadyOpenError('Appeal id already used', {});
  return [
    { type: 'AppealFiled', data: { appealId: command.appealId, grounds: command.grounds, filedAt: now } },
  ];
};

export const resolveAppeal: CaseHandler<'ResolveAppeal'> = (command, { kase, now, signer }) => {
  const appeal = kase.appeals.find((a) => a.appealId === command.appealId && a.outcome === undefined);
  if (!appeal || !kase.decision || !kase.review)
    throw new UnknownAppealError('No open appeal with this id', {});
  const resolver = signer();
  const signoff = verifyOfficerSignoff(kase, command, resolver, {
    purpose: APPEAL_PURPOSE,
    schema: AppealSignoffSchema,
    what: 'resolve an appeal',
  });
  if (
    signoff.appealId !== appeal.appealId ||
    signoff.violationCode !== kase.decision.violationCode ||
    !samePlate(signoff.plate, kase.review.plate)
  ) {
    throw new SignoffContentMismatchError(
      'The appeal sign-off names another appeal, violation or plate than the decided penalty',
      {},
    );
  }
  // The new fine is signed exactly where the outcome changes it: overturned → 0; upheld → unchanged.
  const newFine = signoff.outcome === 'overturned' ? 0 : undefined;
  if (signoff.fineVnd !== newFine) {
    throw new SignoffContentMismatchError('The signed fine does not match the outcome', {
      outcome: signoff.outcome,
    });
  }
  // Altering (or confirming) a signed penalty needs authority over it: the decided violation's fine range
  // under the catalog version applied, for the decided offender kind, under the authority table in force now.
  const entry = catalogEntryFor(
    kase.decision.violationCode,
    kase.detection.vehicleClass,
    kase.detection.observedAt,
  );
  requireAuthority(resolver.title, entry, kase.decision.offender.kind, now);
  return [
    {
      type: 'AppealResolved',
      data: {
        appealId: appeal.appealId,
        outcome: signoff.outcome,
        reason: signoff.reason,
        resolvedBy: resolver.officerId,
        resolvedAt: now,
        signoff,
        signature: command.signature,
        keyId: command.keyId,
      },
    },
  ];
};
