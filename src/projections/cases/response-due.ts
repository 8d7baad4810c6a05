/**
 * The procedure schedule's candidates (src/commands/procedure-schedule.ts) as a query on the case view: the
 * cases waiting on the owner's response (`response_due_at` set: noticed, no explanation, no record, not yet
 * unresponsive; src/projections/cases/case-view.ts), by when the 20 days end. Both statements read only the
 * partial index `rm_case_response_due_idx`, which holds the waiting cases and nothing else, so a run costs in
 * proportion to them, not to the history.
 */
import type { DataSource } from 'typeorm';
import type { ResponseDueCases } from '../../commands/procedure-schedule.ts';

export function responseDueCases(ds: DataSource): ResponseDueCases {
  return {
    async dueBy(now) {
      const rows = (await ds.query(
        `SELECT case_id FROM rm_case WHERE response_due_at IS NOT NULL AND response_due_at <= $1::timestamptz ORDER BY response_due_at, case_id`,
        [now],
      )) as { case_id: string }[];
      return rows.map((r) => r.case_id);
    },
    async runningAfter(now) {
      const [row] = (await ds.query(
        `SELECT count(*)::int AS n FROM rm_case WHERE response_due_at IS NOT NULL AND response_due_at > $1::timestamptz`,
        [now],
      )) as { n: number }[];
      return row?.n ?? 0;
    },
  };
}
