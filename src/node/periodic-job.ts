/**
 * A periodic job of the worker role: runs `work` every `intervalMs` (0 = never on its own), never two at once,
 * the first run one interval after start. Each run is logged by `summary` (counts only: no case id, digest, plate
 * or name reaches the log) or, on failure, by the error's name and code; a failed run does not stop the next.
 */
import type { Logger } from 'pino';

export interface PeriodicJob<Report> {
  /** Runs once now (waits for a run under way first); for tests and operators. */
  runNow(): Promise<Report>;
  stop(): Promise<void>;
}

export function startPeriodicJob<Report>(options: {
  /** What the log lines say: `<name>` and `<name> failed`. */
  name: string;
  intervalMs: number;
  logger: Logger;
  work: () => Promise<Report>;
  summary: (report: Report) => Record<string, unknown>;
}): PeriodicJob<Report> {
  const { name, intervalMs, logger, work, summary } = options;
  let running: Promise<Report> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const runOnce = (): Promise<Report> => {
    if (running) return running.then(runOnce, runOnce);
    const current = work().then(
      (report) => {
        logger.info(summary(report), name);
        return report;
      },
      (error: unknown) => {
        logger.error({ err: { name: (error as Error)?.name, code: (error as { code?: unknown })?.code } }, `${name} failed`);
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
