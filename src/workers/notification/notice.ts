/**
 * The notice processor (queue `notice`, caused by OwnerIdentified): issues the notice (`NoticeIssued`) within
 * the legal window — 10 days from detection (enforcement-vn.md, step 1) — and delivers it through the first
 * channel that can reach the owner, recording `NoticeDelivered`, or, once retries are spent or the channel
 * refused for good, `NoticeDeliveryFailed`.
 *
 * A case whose owner resides in another province (the registry's `residenceProvince`) gets no notice here:
 * it is held for an officer's signed transfer to that province (docs/legal-procedure.md step 4b).
 *
 * Idempotent by notice id: the id is derived from the job (= the OwnerIdentified event), the channel
 * deduplicates deliveries on it, and a notice already settled in the case is not sent again. The owner's
 * name, address and contacts are fetched from the registry at send time and appear only in the notice.
 */
import type { Logger } from 'pino';
import type { NoticeChannelAdapter } from '../../ports/notices.ts';
import type { VehicleRegistry } from '../../ports/registry.ts';
import { issueNotice, recordNoticeDelivered, recordNoticeDeliveryFailed } from '../../commands/cases.ts';
import type { CommandDeps } from '../../commands/deps.ts';
import { AppError } from '../../domain/shared/errors.ts';
import { jobEventId, onceOnly } from '../queue/job-ids.ts';
import { isPermanentFailure, PermanentJobError, type Processor } from '../../ports/jobs.ts';
import { loadCase } from './case-state.ts';
import { caseJob, serviceCaller } from './job-data.ts';
import { noticeSubject, noticeText } from './notice-text.ts';

export const NOTICE_WORKER = 'notice-worker';
/** Notices go out within 10 days of detection (TT 73/2024; earlier circulars said working days). */
export const NOTICE_WINDOW_MS = 10 * 24 * 60 * 60 * 1000;

export interface NoticeDeps {
  commands: CommandDeps;
  registry: VehicleRegistry;
  /** In order of preference; the first that can reach the owner is used. */
  channels: readonly NoticeChannelAdapter[];
  logger?: Logger;
  /** The node's public address, linked from the notice into the citizen portal (`PORTAL_URL`). */
  portalUrl?: string;
}

export function noticeIdForJob(jobId: string): string {
  return jobEventId('notice', jobId, 'notice-id');
}

export function noticeProcessor({ commands, registry, channels, logger, portalUrl }: NoticeDeps): Processor {
  return async (job) => {
    const { caseId, province } = caseJob(job);
    const caller = serviceCaller(NOTICE_WORKER, province);
    const noticeId = noticeIdForJob(job.jobId);
    const log = { queue: job.queue, jobId: job.jobId, caseId, noticeId };
    const options = (step: string) => {
      const eventIds = [jobEventId(job.queue, job.jobId, step)];
      return { eventIds, causationId: job.jobId, correlationId: caseId };
    };

    const kase = await loadCase(commands.store, caseId);
    if (kase.status === 'none') throw new PermanentJobError('The case does not exist', { caseId });
    let notice = kase.notices.find((n) => n.noticeId === noticeId);
    if (notice && notice.delivery !== 'pending') return;
    if (!kase.owner) throw new PermanentJobError('The case has no identified owner', { caseId });

    const contact = await registry.ownerContact(kase.owner.ref);
    if (!contact) throw new PermanentJobError('The registry no longer knows the owner reference', { caseId });
    const channel = notice ? channels.find((c) => c.channel === notice!.channel) : channels.find((c) => c.canReach(contact));
    if (!channel) throw new PermanentJobError('No configured channel can reach the owner', { caseId });

    if (!notice) {
      if (!['owner-identified', 'noticed'].includes(kase.status)) {
        logger?.info({ ...log, status: kase.status }, 'notice not issued: the case moved on');
        return;
      }
      // The owner resides in another province: the law sends the case there instead of a notice here
      // (Circular 73/2024 Art. 24), which takes an officer's signed transfer; the worker leaves it to them.
      if (contact.residenceProvince !== undefined && contact.residenceProvince !== kase.province) {
        logger?.info(log, 'notice held: the owner resides in another province (transfer)');
        return;
      }
      const elapsed = Date.parse(commands.clock.now()) - Date.parse(kase.detection.observedAt);
      if (elapsed > NOTICE_WINDOW_MS) {
        throw new PermanentJobError('The 10-day notice window from detection has passed: transfer the case for manual notice', { caseId });
      }
      const issue = options('issue');
      await onceOnly(issue.eventIds, () => issueNotice(commands, caller, { caseId, noticeId, channel: channel.channel }, issue));
      notice = { noticeId, channel: channel.channel, issuedAt: commands.clock.now(), delivery: 'pending' };
    }

    try {
      const sent = await channel.send({
        noticeId,
        caseId,
        recipient: contact,
        subject: noticeSubject(kase),
        text: noticeText(kase, contact, noticeId, undefined, portalUrl),
      });
      const delivered = options('delivered');
      await onceOnly(delivered.eventIds, () => recordNoticeDelivered(commands, caller, { caseId, noticeId }, delivered));
      logger?.info({ ...log, channel: channel.channel, duplicate: sent.duplicate }, 'notice delivered');
    } catch (error) {
      const final = job.finalAttempt || isPermanentFailure(error);
      logger?.warn({ ...log, channel: channel.channel, attempt: job.attempt, final, err: { name: (error as Error).name, code: (error as AppError).code } }, 'notice delivery failed');
      if (final) {
        const reason = error instanceof AppError ? error.message : 'The channel failed';
        const failed = options('failed');
        await onceOnly(failed.eventIds, () => recordNoticeDeliveryFailed(commands, caller, { caseId, noticeId, reason }, failed));
      }
      throw error;
    }
  };
}
