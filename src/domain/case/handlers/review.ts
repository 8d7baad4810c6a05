/** Case command handlers for the human review: confirm or reject, each an officer sign-off the decider verifies. */
import { ReviewSignoffSchema } from '../../signoff/payloads.ts';
import { REVIEW_PURPOSE } from '../../signoff/purposes.ts';
import {
  CorrectionReasonRequiredError,
  InvalidConfirmedPlateError,
  OverrideReasonRequiredError,
  RejectReasonError,
  SignoffContentMismatchError,
} from '../errors.ts';
import { catalogEntryFor, requireWithinLimitation } from '../legal.ts';
import { samePlate } from '../plate-key.ts';
import { ADVISORY_FLAGS } from '../events.ts';
import { verifyOfficerSignoff } from '../signoff-rules.ts';
import { parsePlate } from '../../plates/index.ts';
import { requireStatus, type CaseHandler } from './shared.ts';

export const confirmReview: CaseHandler<'ConfirmReview'> = (command, { kase, now, signer }) => {
  requireStatus(kase, command, ['detected']);
  requireWithinLimitation(kase.detection.observedAt, now);
  const signoff = verifyOfficerSignoff(kase, command, signer(), {
    purpose: REVIEW_PURPOSE,
    schema: ReviewSignoffSchema,
    what: 'confirm a review',
  });
  if (signoff.decision !== 'confirm')
    throw new SignoffContentMismatchError('ConfirmReview takes a "confirm" sign-off', {});
  if (signoff.rejectReason !== undefined || signoff.rejectNote !== undefined) {
    throw new RejectReasonError('A confirmation carries no reject reason', {});
  }
  try {
    parsePlate(signoff.plate);
  } catch {
    throw new InvalidConfirmedPlateError('The confirmed plate is not a valid plate', {});
  }
  const detection = kase.detection;
  const plateChanged =
    detection.plateRead !== undefined && !samePlate(detection.plateRead.text, signoff.plate);
  if (
    (plateChanged || signoff.violationCode !== detection.violationCode) &&
    signoff.correction === undefined
  ) {
    throw new CorrectionReasonRequiredError(
      'A changed plate or violation code needs a correction reason',
      {},
    );
  }
  catalogEntryFor(signoff.violationCode, detection.vehicleClass, detection.observedAt);
  const overridden = [...new Set(kase.flags.map((f) => f.flag))].filter((f) => !ADVISORY_FLAGS.includes(f));
  if (overridden.length > 0 && signoff.overrideReason === undefined) {
    throw new OverrideReasonRequiredError(
      'A flagged case is confirmed only with an explicit override reason',
      { flags: overridden },
    );
  }
  return [
    {
      type: 'ReviewConfirmed',
      data: {
        signoff,
        signature: command.signature,
        keyId: command.keyId,
        ...(overridden.length > 0 ? { overriddenFlags: overridden } : {}),
      },
    },
  ];
};

export const rejectReview: CaseHandler<'RejectReview'> = (command, { kase, now, signer }) => {
  requireStatus(kase, command, ['detected']);
  requireWithinLimitation(kase.detection.observedAt, now);
  const signoff = verifyOfficerSignoff(kase, command, signer(), {
    purpose: REVIEW_PURPOSE,
    schema: ReviewSignoffSchema,
    what: 'reject a review',
  });
  if (signoff.decision !== 'reject')
    throw new SignoffContentMismatchError('RejectReview takes a "reject" sign-off', {});
  if (signoff.rejectReason === undefined)
    throw new RejectReasonError('A rejection needs an explicit reason', {});
  return [{ type: 'ReviewRejected', data: { signoff, signature: command.signature, keyId: command.keyId } }];
};
