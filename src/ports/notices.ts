/**
 * Notice channels: how a notice reaches the vehicle owner. Adapters: an HTTP notification gateway (the
 * VNeTraffic / VNeID push gateway in production; `startStandInGateway` here) and e-mail over SMTP.
 *
 * Idempotent by notice id: the gateway receives it as `Idempotency-Key` and delivers once per key; e-mail
 * carries it as the Message-ID, so a resend after a lost acknowledgement is recognisable as the same
 * message. The notice body holds the owner's personal data; adapters MUST NOT log it, and their errors
 * carry only status codes, never addresses.
 */
import { AppError } from '../domain/shared/errors.ts';
import type { NoticeChannel } from '../domain/case/events.ts';
import type { OwnerContact } from './registry.ts';

export interface OutgoingNotice {
  noticeId: string;
  caseId: string;
  recipient: OwnerContact;
  subject: string;
  text: string;
}

export interface SendResult {
  /** True when the channel had already accepted this notice id (a resend). */
  duplicate: boolean;
}

export interface NoticeChannelAdapter {
  /** The channel recorded in `NoticeIssued.channel`. */
  readonly channel: NoticeChannel;
  /** Whether this channel can reach the owner at all (e.g. e-mail needs an address). */
  canReach(recipient: OwnerContact): boolean;
  send(notice: OutgoingNotice): Promise<SendResult>;
}

/** The channel refused the notice for good (bad address, 4xx): retrying will not help. */
export class NoticeRejectedError extends AppError {
  readonly category = 'unprocessable' as const;
  readonly code = 'notice-rejected';
}

/** The channel could not be reached or failed temporarily: retry. */
export class NoticeChannelUnavailableError extends AppError {
  readonly category = 'unavailable' as const;
  readonly code = 'notice-channel-unavailable';
}
