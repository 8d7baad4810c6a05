/**
 * The scheduled step of the camera-case procedure (docs/legal-procedure.md, "OwnerUnresponsive"): for every
 * noticed case whose owner has not responded (no explanation, no record) 20 days after the notice, records
 * `OwnerUnresponsive` as the `procedure-schedule` service. The decider checks the legal ground itself (the
 * period counted in Vietnam calendar days, `periodOfDays`); this job only finds candidates and passes the
 * run's time in through the command (`deps.clock`: the node's clock, or a test's).
 *
 * Idempotent and safe to run on several workers at once: the event id is derived from the case and the notice,
 * and the decider answers a repeat with nothing. The agency warnings then follow through the queue
 * (`OwnerUnresponsive` → `agency-warning`).
 *
 * Candidates come from a read-model query (`ResponseDueCases`: the case view's `response_due_at`, indexed over
 * the waiting cases only), so a run costs in proportion to the cases due, not to the history: the global feed is
 * never read. Each candidate's own stream is then loaded and checked again (the read model may lag, and the
 * decider decides), so a stale row records nothing wrong.
 */
import { v5 as uuidV5 } from 'uuid';
import { PROCEDURE_SCHEDULE_ACTOR } from '../domain/case/authorization.ts';
import { RESPONSE_DAYS } from '../domain/case/handlers/procedure.ts';
import { hasElapsed, periodOfDays } from '../domain/case/periods.ts';
import { streams } from '../domain/record.ts';
import { recordOwnerUnresponsive } from './cases.ts';
import type { CommandDeps } from './deps.ts';
import { loadStream } from './handler.ts';
import { caseDecider } from '../domain/case/decider.ts';
import { parseCaseEvent } from '../domain/case/events.ts';
import { DuplicateEventIdError } from '../ports/eventstore.ts';

/** Namespace of the schedule's deterministic event ids (a fixed random UUID). */
const SCHEDULE_EVENT_NAMESPACE = '4f0d5b7e-9c2a-4e61-8a3f-6b1d2c9e7a15';

export interface UnresponsiveRunReport {
  at: string;
  /** Cases recorded unresponsive by this run. */
  recorded: string[];
  /** Noticed cases whose 20 days have not ended yet. */
  running: number;
}

/**
 * The cases waiting on the owner's response, by when the period ends (the case view's `response_due_at`:
 * noticed, no explanation, no record, not yet unresponsive; src/projections/cases/response-due.ts).
 */
export interface ResponseDueCases {
  /** Case ids whose response period ended at or before `now`, oldest end first. */
  dueBy(now: string): Promise<string[]>;
  /** How many waiting cases' periods end after `now`. */
  runningAfter(now: string): Promise<number>;
}

export async function recordUnresponsiveOwners(
  deps: CommandDeps,
  candidates: ResponseDueCases,
  options: { caseIds?: readonly string[] } = {},
): Promise<UnresponsiveRunReport> {
  const now = deps.clock.now();
  const report: UnresponsiveRunReport = { at: now, recorded: [], running: options.caseIds ? 0 : await candidates.runningAfter(now) };
  for (const caseId of options.caseIds ?? (await candidates.dueBy(now))) {
    const { state: kase } = await loadStream(deps.store, streams.case(caseId), caseDecider, parseCaseEvent);
    if (kase.status !== 'noticed' || kase.unresponsive || kase.record || (kase.explanations?.length ?? 0) > 0) continue;
    // The period runs from the latest notice that was not refused by its channel (one that never reached the
    // owner starts nothing).
    const notice = kase.notices.filter((n) => n.delivery !== 'failed').at(-1);
    if (!notice) continue;
    if (!hasElapsed(periodOfDays(notice.issuedAt, RESPONSE_DAYS), now)) {
      report.running++;
      continue;
    }
    const eventIds = [uuidV5(`owner-unresponsive/${caseId}/${notice.noticeId}`, SCHEDULE_EVENT_NAMESPACE)];
    try {
      const outcome = await recordOwnerUnresponsive(
        deps,
        { actor: PROCEDURE_SCHEDULE_ACTOR, province: kase.province },
        { caseId, noticeId: notice.noticeId },
        { eventIds, correlationId: caseId },
      );
      if (outcome.events.length > 0) report.recorded.push(caseId);
    } catch (error) {
      // Another worker's run recorded it first.
      if (!(error instanceof DuplicateEventIdError && eventIds.includes(error.eventId))) throw error;
    }
  }
  return report;
}
