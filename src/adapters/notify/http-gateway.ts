/**
 * The HTTP notification gateway channel. Contract (served by `startStandInGateway`):
 *   POST {base}/v1/notifications   Idempotency-Key: <noticeId>   JSON { noticeId, caseId, recipient, subject, text }
 *   → 200/201/202 { duplicate?: boolean }   (delivered, or already delivered under this key)
 *   → 409   already delivered under this key            → counts as delivered
 *   → other 4xx   refused for good                       → NoticeRejectedError
 *   → 5xx, timeout, network error                        → NoticeChannelUnavailableError (the job retries)
 */
import type { NoticeChannel } from '../../domain/case/events.ts';
import type { OwnerContact } from '../../ports/registry.ts';
import { NoticeChannelUnavailableError, NoticeRejectedError, type NoticeChannelAdapter, type OutgoingNotice, type SendResult } from '../../ports/notices.ts';

export interface HttpGatewayOptions {
  baseUrl: string;
  channel?: NoticeChannel;
  timeoutMs?: number;
  /** Sent as `Authorization: Bearer …`; never logged. */
  token?: string;
}

export class HttpNoticeGateway implements NoticeChannelAdapter {
  readonly channel: NoticeChannel;
  private readonly base: string;

  constructor(private readonly options: HttpGatewayOptions) {
    this.channel = options.channel ?? 'vnetraffic';
    this.base = options.baseUrl.replace(/\/+$/, '');
  }

  canReach(recipient: OwnerContact): boolean {
    return typeof recipient.ref === 'string' && recipient.ref.length > 0;
  }

  async send(notice: OutgoingNotice): Promise<SendResult> {
    let response: Response;
    try {
      response = await fetch(`${this.base}/v1/notifications`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': notice.noticeId,
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        body: JSON.stringify({
          noticeId: notice.noticeId,
          caseId: notice.caseId,
          recipient: notice.recipient,
          subject: notice.subject,
          text: notice.text,
        }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
      });
    } catch (error) {
      const timedOut = (error as { name?: string })?.name === 'TimeoutError';
      throw new NoticeChannelUnavailableError(timedOut ? 'The notification gateway timed out' : 'The notification gateway could not be reached');
    }
    const text = await response.text().catch(() => '');
    if (response.status === 409) return { duplicate: true };
    if (response.status >= 200 && response.status < 300) {
      let duplicate = false;
      try {
        duplicate = (JSON.parse(text) as { duplicate?: unknown }).duplicate === true;
      } catch {
        // an empty or non-JSON success body is still a success
      }
      return { duplicate };
    }
    if (response.status >= 500 || response.status === 429) throw new NoticeChannelUnavailableError(`The notification gateway answered ${response.status}`);
    throw new NoticeRejectedError(`The notification gateway refused the notice (${response.status})`);
  }
}
