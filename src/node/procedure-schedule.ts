/**
 * The periodic procedure job of the worker role (docs/legal-procedure.md, "OwnerUnresponsive"): runs
 * `recordUnresponsiveOwners` with the node's clock every `intervalMs`, never two at once, first one interval
 * after start. Logs counts only (no case id, plate or owner).
 */
import type { Logger } from 'pino';
import type { CommandDeps } from '../commands/deps.ts';
import { recordUnresponsiveOwners, type UnresponsiveRunReport } from '../commands/procedure-schedule.ts';

export interface ProcedureSchedule {
  /** Runs once now (waits for a run under way first); for tests and operators. */
  runNow(): Promise<UnresponsiveRunReport>;
  stop(): Promise<void>;
}

export function scheduleProcedure(options: { deps: CommandDeps; intervalMs: number; logger: Logger }): ProcedureSchedule {
  const { deps, intervalMs, logger } = options;
  let running: Promise<UnresponsiveRunReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = (): Promise<UnresponsiveRunReport> => {
    if (running) return running.then(runOnce, runOnce);
    const current = recordUnresponsiveOwners(deps).then(
      (report) => {
        logger.info({ recorded: report.recorded.length, running: report.running }, 'procedure schedule run');
        return report;
      },
      (error: unknown) => {
        logger.error({ err: { name: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'procedure schedule run failed');
        throw error;
      },
    );
    running = current.finally(() => {
      running = undefined;
    });
    return running;
  };

  const arm = (): void => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => {
      runOnce()
        .catch(() => undefined)
        .finally(arm);
    }, intervalMs);
    timer.unref();
  };
  arm();

  return {
    runNow: runOnce,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
