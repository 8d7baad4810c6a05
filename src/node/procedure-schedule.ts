/**
 * The periodic procedure job of the worker role (docs/legal-procedure.md, "OwnerUnresponsive"): runs
 * `recordUnresponsiveOwners` with the node's clock every `intervalMs`, never two at once, first one interval
 * after start. Logs counts only (no case id, plate or owner).
 */
import type { Logger } from 'pino';
import type { CommandDeps } from '../commands/deps.ts';
import { recordUnresponsiveOwners, type ResponseDueCases, type UnresponsiveRunReport } from '../commands/procedure-schedule.ts';
import { startPeriodicJob, type PeriodicJob } from './periodic-job.ts';

export type ProcedureSchedule = PeriodicJob<UnresponsiveRunReport>;

export function scheduleProcedure(options: {
  deps: CommandDeps;
  /** The candidates: the case view's waiting cases (src/projections/cases/response-due.ts). */
  candidates: ResponseDueCases;
  intervalMs: number;
  logger: Logger;
}): ProcedureSchedule {
  const { deps, candidates, intervalMs, logger } = options;
  return startPeriodicJob({
    name: 'procedure schedule run',
    intervalMs,
    logger,
    work: () => recordUnresponsiveOwners(deps, candidates),
    summary: (report) => ({ recorded: report.recorded.length, running: report.running }),
  });
}
