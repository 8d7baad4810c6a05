/**
 * The e-mail channel: nodemailer over SMTP. The Message-ID is derived from the notice id, so a resend after a
 * lost acknowledgement is the same message to the receiving side. SMTP errors are reduced to their reply
 * code before they leave this module: server replies often quote the recipient's address.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { OwnerContact } from '../../ports/registry.ts';
import { NoticeChannelUnavailableError, NoticeRejectedError, type NoticeChannelAdapter, type OutgoingNotice, type SendResult } from '../../ports/notices.ts';

export interface SmtpChannelOptions {
  host: string;
  port: number;
  /** Implicit TLS (port 465). Default false; STARTTLS is used when the server offers it. */
  secure?: boolean;
  auth?: { user: string; pass: string };
  from: string;
  /** Domain of Message-IDs, e.g. `notices.csgt.example`. */
  messageIdDomain?: string;
  timeoutMs?: number;
}

const EMAIL = /^[^\s@<>()]{1,64}@[^\s@<>()]{1,253}$/;

export function noticeMessageId(noticeId: string, domain = 'notices.tec.invalid'): string {
  return `<${noticeId}@${domain}>`;
}

export class SmtpNoticeChannel implements NoticeChannelAdapter {
  readonly channel = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly options: SmtpChannelOptions) {
    const timeout = options.timeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.secure ?? false,
      ...(options.auth ? { auth: options.auth } : {}),
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
      debug: false,
    });
  }

  canReach(recipient: OwnerContact): boolean {
    return typeof recipient.email === 'string' && EMAIL.test(recipient.email);
  }

  async send(notice: OutgoingNotice): Promise<SendResult> {
    if (!this.canReach(notice.recipient)) throw new NoticeRejectedError('The owner has no usable e-mail address');
    try {
      await this.transport.sendMail({
        from: this.options.from,
        to: { name: notice.recipient.name, address: notice.recipient.email! },
        subject: notice.subject,
        text: notice.text,
        messageId: noticeMessageId(notice.noticeId, this.options.messageIdDomain),
        headers: { 'X-Notice-Id': notice.noticeId, 'X-Case-Id': notice.caseId },
      });
      return { duplicate: false };
    } catch (error) {
      const code = (error as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500 && code < 600) throw new NoticeRejectedError(`The mail server refused the notice (${code})`);
      throw new NoticeChannelUnavailableError(typeof code === 'number' ? `The mail server answered ${code}` : 'The mail server could not be reached');
    }
  }

  close(): void {
    this.transport.close();
  }
}
