/** Case command handlers after a confirmed review: the registered owner, and notices with their delivery. */
import { parseOrThrow } from '../../signoff/builders.ts';
import { InvalidCommandError } from '../../signoff/errors.ts';
import { requireText } from '../../signoff/guards.ts';
import { OffenderSchema } from '../../signoff/payloads.ts';
import { InvalidCaseTransitionError, NoticeAlreadySettledError, UnknownNoticeError } from '../errors.ts';
import { NOTICE_CHANNELS } from '../events.ts';
import { requireStatus, requireIdentifier, type CaseHandler } from './shared.ts';

export const identifyOwner: CaseHandler<'IdentifyOwner'> = (command, { kase, now }) => {
  requireStatus(kase, command, ['confirmed', 'owner-not-found']);
  const owner = parseOrThrow(OffenderSchema, command.owner, 'owner');
  requireText(command.registry, 'registry', 200);
  if (command.registrationRef !== undefined) requireIdentifier(command.registrationRef, 'registrationRef');
  return [
    {
      type: 'OwnerIdentified',
      data: {
        owner,
        registry: command.registry,
        ...(command.registrationRef !== undefined ? { registrationRef: command.registrationRef } : {}),
        identifiedAt: now,
      },
    },
  ];
};

export const recordOwnerNotFound: CaseHandler<'RecordOwnerNotFound'> = (command, { kase, now }) => {
  requireStatus(kase, command, ['confirmed']);
  requireText(command.registry, 'registry', 200);
  requireText(command.reason, 'reason');
  return [
    {
      type: 'OwnerNotFound',
      data: { registry: command.registry, reason: command.reason, checkedAt: now },
    },
  ];
};

export const issueNotice: CaseHandler<'IssueNotice'> = (command, { kase, now }) => {
  requireStatus(kase, command, ['owner-identified', 'noticed']);
  requireIdentifier(command.noticeId, 'noticeId');
  if (!(NOTICE_CHANNELS as readonly string[]).includes(command.channel))
    throw new InvalidCommandError('Unknown notice channel', {});
  const existing = kase.notices.find((n) => n.noticeId === command.noticeId);
  if (existing) {
    if (existing.channel === command.channel) return [];
    throw new InvalidCaseTransitionError('The notice id was issued on another channel', {
      noticeId: command.noticeId,
    });
  }
  return [
    {
      type: 'NoticeIssued',
      data: { noticeId: command.noticeId, channel: command.channel, issuedAt: now },
    },
  ];
};

export const recordNoticeDelivery: CaseHandler<'RecordNoticeDelivered' | 'RecordNoticeDeliveryFailed'> = (
  command,
  { kase, now },
) => {
  const notice = kase.notices.find((n) => n.noticeId === command.noticeId);
  if (!notice) throw new UnknownNoticeError('No such notice', {});
  const outcome = command.type === 'RecordNoticeDelivered' ? 'delivered' : 'failed';
  if (notice.delivery === outcome) return [];
  if (notice.delivery !== 'pending')
    throw new NoticeAlreadySettledError('The notice delivery is already settled', {
      delivery: notice.delivery,
    });
  if (command.type === 'RecordNoticeDelivered') {
    return [{ type: 'NoticeDelivered', data: { noticeId: notice.noticeId, deliveredAt: now } }];
  }
  requireText(command.reason, 'reason');
  return [
    {
      type: 'NoticeDeliveryFailed',
      data: { noticeId: notice.noticeId, reason: command.reason, failedAt: now },
    },
  ];
};
