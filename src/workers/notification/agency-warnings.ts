/**
 * The agency-warning processor (queue `agency-warning`, caused by OwnerUnresponsive): sends the warning to each
 * agency the record names (registration, inspection; commune police for motorbikes) through the agency-warning
 * port and records `AgencyWarningSent` with the agency system's receipt.
 *
 * Idempotent: the warning id is derived from the job and the agency, so a retry sends the same id (the port
 * delivers once per id) and the event ids are job-derived (a second run records nothing); an agency already
 * recorded as warned is skipped. A failure of the port is retried by the queue; the agencies warned before it
 * stay recorded. Logs ids and counts only: the warning names a plate and an owner reference.
 */
import type { Logger } from 'pino';
import { recordAgencyWarningSent } from '../../commands/cases.ts';
import type { CommandDeps } from '../../commands/deps.ts';
import { AGENCY_WARNING_ACTOR } from '../../domain/case/authorization.ts';
import { plateColourOf } from '../../domain/case/plate-colour.ts';
import type { AgencyWarningPort } from '../../ports/agency-warnings.ts';
import { PermanentJobError, type Processor } from '../../ports/jobs.ts';
import { jobEventId, onceOnly } from '../queue/job-ids.ts';
import { loadCase } from './case-state.ts';
import { caseJob, serviceCaller } from './job-data.ts';

export const AGENCY_WARNING_WORKER = AGENCY_WARNING_ACTOR.id;

export function agencyWarningProcessor({
  commands,
  port,
  logger,
}: {
  commands: CommandDeps;
  port: AgencyWarningPort;
  logger?: Logger;
}): Processor {
  return async (job) => {
    const { caseId, province } = caseJob(job);
    const kase = await loadCase(commands.store, caseId);
    if (kase.status === 'none') throw new PermanentJobError('The case does not exist', { caseId });
    const unresponsive = kase.unresponsive;
    if (!unresponsive) throw new PermanentJobError('The case records no unresponsive owner', { caseId });
    if (!kase.owner) throw new PermanentJobError('The case has no identified owner', { caseId });
    const caller = serviceCaller(AGENCY_WARNING_WORKER, province);
    const colour = plateColourOf(kase.detection);
    const periodEndsAt = unresponsive.periodEndsAt;
    let sent = 0;
    for (const agency of unresponsive.warned) {
      if (unresponsive.sent?.some((s) => s.agency === agency)) continue;
      const warningId = jobEventId(job.queue, job.jobId, `warning/${agency}`);
      const { receipt, duplicate } = await port.send({
        warningId,
        caseId,
        agency,
        province: kase.transfer?.toProvince ?? kase.province,
        plate: kase.review?.plate ?? kase.detection.plateRead?.text ?? '',
        ...(colour !== undefined ? { plateColour: colour } : {}),
        vehicleClass: kase.detection.vehicleClass,
        violationCode: kase.review?.violationCode ?? kase.detection.violationCode,
        observedAt: kase.detection.observedAt,
        ownerRef: kase.owner.ref,
        noticeId: unresponsive.noticeId,
        periodEndsAt,
      });
      const eventIds = [jobEventId(job.queue, job.jobId, `sent/${agency}`)];
      await onceOnly(eventIds, () =>
        recordAgencyWarningSent(
          commands,
          caller,
          { caseId, agency, warningId, receipt },
          { eventIds, causationId: job.jobId, correlationId: caseId },
        ),
      );
      sent++;
      logger?.info({ queue: job.queue, jobId: job.jobId, caseId, agency, duplicate }, 'agency warned');
    }
    if (sent === 0) logger?.info({ queue: job.queue, jobId: job.jobId, caseId }, 'agencies already warned');
  };
}
