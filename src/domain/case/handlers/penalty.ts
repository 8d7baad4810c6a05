/** Case command handlers for the penalty: the signed decision, payment, and appeals against it. */
import { requireText } from '../../signoff/guards.ts';
import { AppealSignoffSchema, DecisionSignoffSchema } from '../../signoff/payloads.ts';
import { APPEAL_PURPOSE, DECISION_PURPOSE } from '../../signoff/purposes.ts';
import { InvalidCommandError } from '../../signoff/errors.ts';
import type { DecisionSignoff } from '../../signoff/payloads.ts';
import {
  AppealAlreadyOpenError,
  LicencePointsError,
  NoLegalGroundError,
  OffenderMismatchError,
  ViolationRecordRequiredError,
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
import { requireCitizenRules } from '../citizen-rules.ts';
import { PAYMENT_CHANNELS } from '../events.ts';
import { daysAfter, periodOfDays, type PeriodEnd } from '../periods.ts';
import { samePlate } from '../plate-key.ts';
import type { ExistingCase } from '../state.ts';
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
  if (kase.status === 'owner-not-found') {
    throw new NoLegalGroundError('No decision without an identified and notified owner', { status: kase.status });
  }
  requireStatus(kase, command, REVIEWED);
  requireWithinLimitation(kase.detection.observedAt, now);
  // The decision follows the violation record (Decree 168 Art. 47.8.c): no record, no decision.
  if (!kase.record) {
    throw new ViolationRecordRequiredError('No decision before the violation record is drawn up', {
      status: kase.status,
    });
  }
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
  const recorded = kase.record.offender;
  if (signoff.offender.kind !== recorded.kind || signoff.offender.ref !== recorded.ref) {
    throw new OffenderMismatchError('The decision names another offender than the violation record', {});
  }
  requireLicencePoints(kase, signoff);
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

/** Licence points only from an identified individual driver; never from an organisation. */
function requireLicencePoints(kase: ExistingCase, signoff: DecisionSignoff): void {
  if (signoff.points === 0) return;
  if (signoff.offender.kind !== 'individual') {
    throw new LicencePointsError('Licence points are never deducted from an organisation', {});
  }
  // An organisation owner names its driver before a decision can carry points; an individual owner who named
  // nobody else is the driver (Decree 168 Art. 47.8.b).
  if (!kase.driver && kase.owner?.kind !== 'individual') {
    throw new LicencePointsError('Points need the driver the organisation owner names', {});
  }
}

/** Days after the decision within which the fine is paid (LHAV Art. 73; unverified, docs/legal-procedure.md). */
export const PAYMENT_DAYS = 10;
/** Late-payment surcharge per day, in hundredths of a percent of the fine: 0.05% (LHAV Art. 78). */
export const SURCHARGE_BASIS_POINTS_PER_DAY = 5;

/**
 * The surcharge for paying `daysLate` days after the payment period: 0.05% of the fine per day, in whole đồng
 * rounded DOWN (the texts found set no rounding rule; rounding down never charges more than the rate allows).
 */
export function lateSurchargeVnd(fineVnd: number, daysLate: number): number {
  return Number((BigInt(fineVnd) * BigInt(daysLate) * BigInt(SURCHARGE_BASIS_POINTS_PER_DAY)) / 10_000n);
}

/** What a decided fine costs on the day of `now`: the one computation the case and the citizen portal share. */
export interface PaymentDue {
  fineVnd: number;
  surchargeVnd: number;
  totalVnd: number;
  daysLate: number;
  /** The payment period (10 days from the decision, moved past a closing weekend or fixed holiday). */
  due: PeriodEnd;
}

/** The fine plus the late surcharge due at `now` for a decision recorded at `decidedAt` (LHAV Art. 73, 78). */
export function paymentDue(fineVnd: number, decidedAt: string, now: string): PaymentDue {
  const due = periodOfDays(decidedAt, PAYMENT_DAYS);
  const daysLate = daysAfter(due, now);
  const surchargeVnd = lateSurchargeVnd(fineVnd, daysLate);
  return { fineVnd, surchargeVnd, totalVnd: fineVnd + surchargeVnd, daysLate, due };
}

/**
 * Records the fine paid. Recorded by the handling unit's staff, or by the service actor `payment-gateway` when
 * the bank's signed confirmation of a portal payment verified (authorization.ts). The same `paymentRef` and
 * amount again is a no-op (a replayed bank callback records nothing twice).
 */
export const recordPayment: CaseHandler<'RecordPayment'> = (command, { kase, now }) => {
  if (kase.payment?.paymentRef !== undefined && kase.payment.paymentRef === command.paymentRef && kase.payment.amountVnd === command.amountVnd)
    return [];
  if (!kase.decision) throw transitionError(kase, command);
  requireStatus(kase, command, ['decided', 'appealed', 'appeal-resolved']);
  if (kase.paidVnd !== undefined) throw transitionError(kase, command);
  if (kase.appeals.some((a) => a.outcome === 'overturned')) throw transitionError(kase, command);
  requireIdentifier(command.paymentRef, 'paymentRef');
  if (command.gatewayRef !== undefined) requireIdentifier(command.gatewayRef, 'gatewayRef');
  if (!(PAYMENT_CHANNELS as readonly string[]).includes(command.channel))
    throw new InvalidCommandError('Unknown payment channel', {});
  const { fineVnd, surchargeVnd, daysLate, due } = paymentDue(kase.decision.fineVnd, kase.decidedAt ?? kase.decision.signedAt, now);
  if (command.amountVnd !== fineVnd + surchargeVnd) {
    throw new PaymentAmountMismatchError('The amount paid differs from the fine plus the late-payment surcharge', {
      amountVnd: command.amountVnd,
      fineVnd,
      surchargeVnd,
      daysLate,
    });
  }
  return [
    {
      type: 'PaymentRecorded',
      data: {
        paymentRef: command.paymentRef,
        ...(command.gatewayRef !== undefined ? { gatewayRef: command.gatewayRef } : {}),
        amountVnd: command.amountVnd,
        fineVnd,
        surchargeVnd,
        daysLate,
        dueEndsAt: due.endsAt,
        channel: command.channel,
        paidAt: now,
      },
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
  // The same appeal sent again (a citizen's complaint retried under its key): nothing new.
  const same = kase.appeals.find((a) => a.appealId === command.appealId);
  if (same && same.grounds === command.grounds) return [];
  requireCitizenRules(command, kase, now);
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
