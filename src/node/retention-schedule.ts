/**
 * The periodic retention job of the worker role (docs/data-protection.md, "Retention"): runs `runRetention`
 * with the node's clock every `intervalMs`, never two at once, first one interval after start. Logs counts
 * only: no digest, case id, plate or name reaches the log.
 */
import type { Logger } from 'pino';
import { runRetention, type RetentionRunReport } from '../commands/retention.ts';
import type { CommandDeps } from '../commands/deps.ts';
import type { RetentionPolicy } from '../domain/retention/index.ts';
import type { EvidenceStore } from '../ports/evidence.ts';
import { startPeriodicJob, type PeriodicJob } from './periodic-job.ts';

export type RetentionSchedule = PeriodicJob<RetentionRunReport>;

export function scheduleRetention(options: {
  deps: CommandDeps & { evidence: EvidenceStore };
  policies: readonly RetentionPolicy[];
  intervalMs: number;
  logger: Logger;
}): RetentionSchedule {
  const { deps, policies, intervalMs, logger } = options;
  return startPeriodicJob({
    name: 'retention run',
    intervalMs,
    logger,
    work: () => runRetention(deps, { policies }),
    summary: (report) => ({ destroyed: report.destroyed.length, resumed: report.resumed.length, held: report.held.length, notDue: report.notDue }),
  });
}
