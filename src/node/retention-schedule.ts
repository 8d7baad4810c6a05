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

export interface RetentionSchedule {
  /** Runs once now (waits for a run under way first); for tests and operators. */
  runNow(): Promise<RetentionRunReport>;
  stop(): Promise<void>;
}

export function scheduleRetention(options: {
  deps: CommandDeps & { evidence: EvidenceStore };
  policies: readonly RetentionPolicy[];
  intervalMs: number;
  logger: Logger;
}): RetentionSchedule {
  const { deps, policies, intervalMs, logger } = options;
  let running: Promise<RetentionRunReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = (): Promise<RetentionRunReport> => {
    if (running) return running.then(runOnce, runOnce);
    const current = runRetention(deps, { policies }).then(
      (report) => {
        logger.info(
          { destroyed: report.destroyed.length, resumed: report.resumed.length, held: report.held.length, notDue: report.notDue },
          'retention run',
        );
        return report;
      },
      (error: unknown) => {
        logger.error({ err: { name: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, 'retention run failed');
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
